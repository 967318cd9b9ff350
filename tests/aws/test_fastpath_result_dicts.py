"""`sim.aws.fastpath.result_dicts.dynamo_to_dict` gives what moto's `dynamo_to_dict` gives, value
for value and type for type, for random results (nested maps and lists, sets, binaries, items,
datetimes, subclasses), with moto's `DynamoType` slotted or not."""

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.aws.fastpath import result_dicts, slotted_types


def LimitedSizeDict(values):  # noqa: N802 - moto's class, looked up late (slotted_types rebinds names)
    from moto.dynamodb.models.dynamo_type import LimitedSizeDict as moto_class

    return moto_class(values)

WIRE = st.recursive(
    st.one_of(st.text(max_size=3).map(lambda v: {"S": v}), st.integers(-9, 9).map(lambda v: {"N": str(v)}),
              st.binary(max_size=3).map(lambda v: {"B": v}), st.booleans().map(lambda v: {"BOOL": v}),
              st.just({"NULL": True}), st.lists(st.text(max_size=2), min_size=1, max_size=3).map(lambda v: {"SS": v}),
              st.lists(st.binary(max_size=2), min_size=1, max_size=2).map(lambda v: {"BS": v})),
    lambda inner: st.one_of(st.lists(inner, max_size=3).map(lambda v: {"L": v}),
                            st.dictionaries(st.text("ab", max_size=2), inner, max_size=3).map(lambda v: {"M": v})),
    max_leaves=8)


class Text(str):
    pass


def _results(dynamo_type, item):
    leaf = st.one_of(WIRE.map(dynamo_type), st.text(max_size=2), st.integers(), st.floats(allow_nan=False),
                     st.none(), st.booleans(), st.just(datetime(2026, 1, 2, tzinfo=UTC)),
                     st.just(Text("sub")), WIRE.map(lambda w: item({"h": w})),
                     st.dictionaries(st.sampled_from("ab"), WIRE.map(dynamo_type), max_size=2).map(LimitedSizeDict))
    return st.recursive(leaf, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                      st.dictionaries(st.sampled_from(["Items", "Item", "x"]), inner,
                                                                      max_size=3)), max_leaves=10)


def _typed(value):
    """The value with every node's type, so equal-but-differently-typed outputs differ."""
    if isinstance(value, dict):
        return (type(value), {k: _typed(v) for k, v in value.items()})
    if isinstance(value, list):
        return (type(value), [_typed(v) for v in value])
    return (type(value), value)


@pytest.fixture(params=[False, True], ids=["moto-types", "slotted-types"])
def types(request):
    was = slotted_types.installed()
    (slotted_types.install if request.param else slotted_types.uninstall)()
    from moto.dynamodb.models import dynamo_type

    yield dynamo_type
    (slotted_types.install if was else slotted_types.uninstall)()


@pytest.fixture
def installed():
    was = result_dicts.installed()
    result_dicts.install()
    yield
    (result_dicts.install if was else result_dicts.uninstall)()


def test_the_same_output_as_motos(types, installed):
    from moto.dynamodb.models.utilities import dynamo_to_dict as motos

    def item(attrs):
        return types.Item(types.DynamoType({"S": "h"}), None, attrs)

    @settings(max_examples=150, deadline=None)
    @given(_results(types.DynamoType, item))
    def check(result):
        assert _typed(result_dicts.dynamo_to_dict(result)) == _typed(motos(result))

    check()


def test_moto_answers_through_it(installed):
    from moto.dynamodb import responses

    assert responses.dynamo_to_dict is result_dicts.dynamo_to_dict
