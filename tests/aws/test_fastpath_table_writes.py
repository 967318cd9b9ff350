"""`sim.aws.fastpath.table_writes`: moto's writes are wrapped once, while anyone listens, so the
fast paths that derive state from a table install and uninstall in any order without undoing
each other's wrappers."""

import boto3
from moto import mock_aws

from sim.aws.fastpath import query_index, scan_pages, table_writes


def _keys(ddb):
    return sorted(i["h"]["S"] for i in ddb.scan(TableName="t")["Items"])


def test_uninstalling_one_listener_leaves_the_others_told():
    was = query_index.installed(), scan_pages.installed()
    from moto.dynamodb.models.table import Table

    moto_put = Table.put_item if not any(was) else None
    try:
        query_index.install()
        scan_pages.install()
        query_index.uninstall()    # before: this put moto's put_item back, under scan_pages' feet
        with mock_aws():
            ddb = boto3.client("dynamodb", region_name="us-east-1")
            ddb.create_table(TableName="t", BillingMode="PAY_PER_REQUEST",
                             KeySchema=[{"AttributeName": "h", "KeyType": "HASH"}],
                             AttributeDefinitions=[{"AttributeName": "h", "AttributeType": "S"}])
            ddb.put_item(TableName="t", Item={"h": {"S": "a"}})
            assert _keys(ddb) == ["a"]                      # sorted and kept by scan_pages
            ddb.put_item(TableName="t", Item={"h": {"S": "b"}})
            ddb.update_item(TableName="t", Key={"h": {"S": "c"}}, UpdateExpression="SET x = :x",
                            ExpressionAttributeValues={":x": {"N": "1"}})
            assert _keys(ddb) == ["a", "b", "c"]            # the writes dropped its sorted list
            ddb.delete_item(TableName="t", Key={"h": {"S": "a"}})
            assert _keys(ddb) == ["b", "c"]
        scan_pages.uninstall()
        assert not table_writes._originals                  # the last listener gone: moto's own methods
        if moto_put is not None:
            assert Table.put_item is moto_put
    finally:
        (query_index.install if was[0] else query_index.uninstall)()
        (scan_pages.install if was[1] else scan_pages.uninstall)()
