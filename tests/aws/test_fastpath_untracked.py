"""moto's model instances are not kept forever once the speed-up is installed (S3's keys still
are, for moto's S3 reset); uninstalled, moto tracks every instance again."""

from moto.core.common_models import BaseModel
from moto.dynamodb.models.dynamo_type import DynamoType, Item
from moto.s3.models import FakeKey

from sim.aws.fastpath import untracked


def _item() -> Item:
    return Item(DynamoType({"S": "k"}), None, {"id": {"S": "k"}, "n": {"N": "1"}})


def test_items_are_not_tracked_while_installed_and_are_again_after():
    was = untracked.installed()
    untracked.install()
    try:
        before = len(Item.instances_tracked)
        item = _item()
        assert item.attrs["n"] == DynamoType({"N": "1"}) and isinstance(item, BaseModel)
        assert len(Item.instances_tracked) == before
        keys = len(FakeKey.instances_tracked)
        FakeKey("k", b"v", account_id="123456789012", region_name="us-east-1").dispose()
        assert len(FakeKey.instances_tracked) == keys + 1
        untracked.uninstall()
        _item()
        assert len(Item.instances_tracked) == before + 1
    finally:
        (untracked.install if was else untracked.uninstall)()
