"""moto's `DynamoType` is slotted while the speed-up is installed (no instance dictionary), behaves
as moto's own (equality, hashing, ordering, copies, sizes, JSON), accepts values made before the
swap, and is moto's own class again once uninstalled."""

import copy
import sys

import moto.dynamodb.models.dynamo_type as dynamo_type
import moto.dynamodb.models.table as moto_table
import moto.dynamodb.parsing.validators as moto_validators

from sim.aws.fastpath import slotted_types

VALUES = [{"S": "x"}, {"N": "1.50"}, {"B": b"\x00"}, {"BOOL": True}, {"NULL": True}, {"SS": ["a", "b"]},
          {"NS": ["1", "2"]}, {"L": [{"S": "a"}, {"M": {"k": {"N": "3"}}}]}, {"M": {"a": {"L": [{"S": "z"}]}}}]


def _installed(flag: bool):
    (slotted_types.install if flag else slotted_types.uninstall)()


def test_slotted_values_have_no_dict_and_behave_as_motos():
    was = slotted_types.installed()
    try:
        slotted_types.uninstall()
        plain = [dynamo_type.DynamoType(v) for v in VALUES]
        expected = [(a.type, a.to_json(), a.size(), a.cast_value) for a in plain]
        original = dynamo_type.DynamoType
        slotted_types.install()
        cls = dynamo_type.DynamoType
        assert cls is not original and cls.__slots__ == ("type", "value")
        assert moto_table.DynamoType is cls and moto_validators.DynamoType is cls
        slim = [cls(v) for v in VALUES]
        assert not any(hasattr(v, "__dict__") for v in slim)
        for want, a, b in zip(expected, plain, slim, strict=True):
            assert want == (b.type, b.to_json(), b.size(), b.cast_value)
            assert b == cls(b)
            if b.type in ("S", "N", "B", "BOOL", "NULL"):
                assert hash(b) == hash(cls(b)) == hash(a)
            deep = copy.deepcopy(b)
            assert type(deep) is cls and deep == b and deep is not b
        made_before = cls(plain[-1])   # a value of moto's own class, made before the swap
        assert type(made_before) is cls and made_before.to_json() == plain[-1].to_json()
        assert type(made_before.value["a"]) is cls
        assert cls({"N": "1"}) < cls({"N": "2"}) and sorted([cls({"S": "b"}), cls({"S": "a"})])[0].value == "a"
        slotted_types.uninstall()
        assert dynamo_type.DynamoType is original and moto_table.DynamoType is original
        assert not any(getattr(m, "DynamoType", original) is cls for m in list(sys.modules.values()))
    finally:
        _installed(was)
