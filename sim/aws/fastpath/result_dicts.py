"""moto's `dynamo_to_dict` (every DynamoDB result becomes plain dicts), with the same output.

Every DynamoDB answer moto gives goes through `dynamo_to_dict`: a recursive walk that, at every
value of every item, imports `DynamoType` again, tries `isinstance` against it and `datetime`,
and asks `hasattr(value, "to_json")`. Installed, moto's response module calls a walk that
handles the values a result is made of by their exact type (plain dicts, lists, strings,
numbers, booleans, None, and `DynamoType`s other than binaries, whose class is read once per
result), and other dicts as moto does (an item's attributes are a `LimitedSizeDict`), and hands anything else (binaries, `Item`s, datetimes, subclasses, values of a
`DynamoType` class from before `slotted_types` swapped it) to moto's own function, which gives
what it always gave. `tests/aws/test_fastpath_result_dicts.py` (hypothesis) requires the same
output, value for value and type for type, as moto's function.
"""

from __future__ import annotations

from datetime import datetime

_originals: dict[str, object] = {}
_PLAIN = frozenset({str, int, float, bool, type(None)})


def dynamo_to_dict(obj):
    """moto's `dynamo_to_dict(obj)`, faster for the values results are made of."""
    from moto.dynamodb.models import dynamo_type

    return _walk(obj, dynamo_type.DynamoType, _originals["dynamo_to_dict"])


def _walk(obj, dynamo: type, original):
    t = type(obj)
    if t is dict:
        return {k: _walk(v, dynamo, original) for k, v in obj.items()}
    if t is list:
        return [_walk(v, dynamo, original) for v in obj]
    if t in _PLAIN:
        return obj
    if t is dynamo and obj.type not in ("B", "BS"):
        return {obj.type: _walk(obj.value, dynamo, original)}
    if isinstance(obj, dict) and not isinstance(obj, (dynamo, datetime)) and not hasattr(obj, "to_json"):
        return {k: _walk(v, dynamo, original) for k, v in obj.items()}   # an item's attributes (LimitedSizeDict)
    return original(obj)


def install() -> None:
    """Idempotent."""
    if _originals:
        return
    from moto.dynamodb import responses

    _originals["dynamo_to_dict"] = responses.dynamo_to_dict
    responses.dynamo_to_dict = dynamo_to_dict


def uninstall() -> None:
    if not _originals:
        return
    from moto.dynamodb import responses

    responses.dynamo_to_dict = _originals.pop("dynamo_to_dict")


def installed() -> bool:
    return bool(_originals)
