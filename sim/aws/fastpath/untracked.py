"""moto's models, not remembered forever: memory per call stays flat.

moto's `BaseModel.__new__` appends every model instance it creates to its class's
`instances_tracked` list (for moto server's state dashboard), and only a full mock reset empties
them. DynamoDB makes an `Item` for every copy of an item it hands out — each read, query or scan
result, each update's before-image — so every call left its copies alive and a storm's memory
grew with its calls (two thirds of the growth per delivery). Installed, instances are created
exactly as before but not tracked, except S3's keys and multipart uploads, whose lists moto's S3
reset walks to close their buffers. Nothing else reads the lists; the dashboard belongs to moto
server, not to the embedded backend.
"""

from __future__ import annotations

KEPT = frozenset({"moto.s3.models.FakeKey", "moto.s3.models.FakeMultipart"})
_original: list = []


def install() -> None:
    """Idempotent."""
    if _original:
        return
    from moto.core.common_models import BaseModel

    _original.append(BaseModel.__dict__["__new__"])

    def __new__(cls, *args, **kwargs):
        instance = super(BaseModel, cls).__new__(cls)
        if f"{cls.__module__}.{cls.__qualname__}" in KEPT:
            cls.instances_tracked.append(instance)
        return instance

    BaseModel.__new__ = staticmethod(__new__)


def uninstall() -> None:
    if not _original:
        return
    from moto.core.common_models import BaseModel

    BaseModel.__new__ = _original.pop()


def installed() -> bool:
    return bool(_original)
