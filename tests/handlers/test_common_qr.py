"""handlers/common/qr.py: the booking QR code as SVG, drawn once per text while it is recent."""

from __future__ import annotations

import qrcode

from handlers.common import qr


def test_the_same_text_gives_the_same_svg_drawn_once(monkeypatch):
    qr.qr_svg.cache_clear()
    drawn = []
    real = qrcode.QRCode

    def counting(*args, **kwargs):
        drawn.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(qrcode, "QRCode", counting)
    text = qr.booking_qr_payload("bk_one")
    first = qr.qr_svg(text)
    again = qr.qr_svg(text)
    other = qr.qr_svg(qr.booking_qr_payload("bk_two"))
    assert first == again and first.startswith(b"<?xml") and b"<svg" in first and other != first
    assert len(drawn) == 2
    qr.qr_svg.cache_clear()
    assert qr.qr_svg(text) == first and len(drawn) == 3   # drawn again, byte for byte the same


def test_the_memory_of_drawn_codes_is_bounded():
    qr.qr_svg.cache_clear()
    for i in range(qr.QR_CACHE_SIZE + 20):
        qr.qr_svg(qr.booking_qr_payload(f"bk_{i}"))
    assert qr.qr_svg.cache_info().currsize == qr.QR_CACHE_SIZE
    assert qr.svg_data_uri(b"<svg/>") == "data:image/svg+xml;base64,PHN2Zy8+"
