"""moto's S3 object bodies, kept packed in memory.

moto keeps each object's bytes in a `tempfile.SpooledTemporaryFile` (in memory up to its
buffer size): a storm's booking QR codes (SVG, ~10 KB each, one per booking) stay for the
world's life. Installed, the buffer moto's `FakeKey` makes is a `PackedBuffer`: the same file
calls moto uses (`seek`, `tell`, `read(n)`, `write`, `truncate`, `close`, `closed`) over the
object's bytes kept zlib-packed (`sim/packed.py`), so `value`, `etag`, `contentsize`, ranges and
copies read exactly the bytes written. Only the name `tempfile` in `moto.s3.models` is
replaced (by a module that forwards everything else to `tempfile`); uninstalled, it is
`tempfile` again.
"""

from __future__ import annotations

import tempfile
import types

from sim.packed import pack, unpack

_state: dict[str, object] = {}


class PackedBuffer:
    """A file-like over bytes kept packed; every method acts on the unpacked bytes."""

    __slots__ = ("_packed", "_pos", "closed")

    def __init__(self, max_size: int = 0, *args, **kwargs):
        self._packed = pack(b"")
        self._pos = 0
        self.closed = False

    def _data(self) -> bytes:
        if self.closed:
            raise ValueError("I/O operation on closed file.")
        return unpack(self._packed)

    def seek(self, offset: int, whence: int = 0) -> int:
        size = len(self._data())
        self._pos = max(0, offset if whence == 0 else (self._pos + offset if whence == 1 else size + offset))
        return self._pos

    def tell(self) -> int:
        return self._pos

    def read(self, size: int = -1) -> bytes:
        data = self._data()
        end = len(data) if size is None or size < 0 else self._pos + size
        chunk = data[self._pos:end]
        self._pos += len(chunk)
        return chunk

    def write(self, data) -> int:
        current, data = self._data(), bytes(data)
        padded = current + b"\x00" * max(0, self._pos - len(current))
        self._packed = pack(padded[:self._pos] + data + padded[self._pos + len(data):])
        self._pos += len(data)
        return len(data)

    def truncate(self, size: int | None = None) -> int:
        size = self._pos if size is None else size
        self._packed = pack(self._data()[:size])
        return size

    def close(self) -> None:
        self.closed = True

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _tempfile_with_packed_buffers() -> types.ModuleType:
    shim = types.ModuleType("tempfile", "tempfile, with in-memory spooled files kept packed (sim)")
    shim.__dict__.update({k: v for k, v in vars(tempfile).items() if not k.startswith("__")})
    shim.SpooledTemporaryFile = PackedBuffer
    return shim


def install() -> None:
    """Idempotent."""
    if _state:
        return
    from moto.s3 import models

    _state["tempfile"] = models.tempfile
    models.tempfile = _tempfile_with_packed_buffers()


def uninstall() -> None:
    if not _state:
        return
    from moto.s3 import models

    models.tempfile = _state.pop("tempfile")


def installed() -> bool:
    return bool(_state)
