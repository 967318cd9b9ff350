"""QR codes for bookings, drawn by the `qrcode` library as SVG (no imaging dependency).

`booking_qr_payload(booking_id)` is what the code encodes; `qr_svg(text)` the SVG bytes
(deterministic for a given text, so the last few are remembered: a booking's creation stores
its code and shows it in the same invocation, and every view of a booking shows it again);
`svg_data_uri(svg)` a data URI for a client to display.
"""

from __future__ import annotations

import base64
import functools
import io

import qrcode
import qrcode.image.svg

PAYLOAD_PREFIX = "ECOSYSTEM-BOOKING:"


def booking_qr_payload(booking_id: str) -> str:
    return PAYLOAD_PREFIX + booking_id


QR_CACHE_SIZE = 128   # ~10 KB each: the codes of the last bookings this container touched


@functools.lru_cache(maxsize=QR_CACHE_SIZE)
def qr_svg(text: str) -> bytes:
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=10, border=4,
                       image_factory=qrcode.image.svg.SvgPathImage)
    qr.add_data(text)
    qr.make(fit=True)
    buf = io.BytesIO()
    qr.make_image().save(buf)
    return buf.getvalue()


def svg_data_uri(svg: bytes) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")
