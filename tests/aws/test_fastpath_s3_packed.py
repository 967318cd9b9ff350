"""moto's S3 object bodies kept packed answer exactly as moto's own buffers: the same bytes,
ETags, sizes, ranges, copies, multipart uploads and deletions (hypothesis), and the buffer is a
file as moto uses one."""

import boto3
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from moto import mock_aws

from sim.aws.fastpath import s3_packed

BODY = st.binary(max_size=3000) | st.text(alphabet="<svg path=\"M0 0h1v1\"/>", max_size=4000).map(str.encode)


def _play(bodies: list[bytes], packed: bool) -> list:
    was = s3_packed.installed()
    (s3_packed.install if packed else s3_packed.uninstall)()
    try:
        with mock_aws():
            s3 = boto3.client("s3", region_name="us-east-1")
            s3.create_bucket(Bucket="bodies")
            out = []
            for i, body in enumerate(bodies):
                key = f"k{i % 3}"
                put = s3.put_object(Bucket="bodies", Key=key, Body=body)
                got = s3.get_object(Bucket="bodies", Key=key)
                out.append((put["ETag"], got["Body"].read(), got["ContentLength"], got["ETag"]))
                if body:
                    ranged = s3.get_object(Bucket="bodies", Key=key, Range=f"bytes=0-{len(body) // 2}")
                    out.append(ranged["Body"].read())
                s3.copy_object(Bucket="bodies", Key=f"c{i}", CopySource={"Bucket": "bodies", "Key": key})
                out.append(s3.head_object(Bucket="bodies", Key=f"c{i}")["ETag"])
            up = s3.create_multipart_upload(Bucket="bodies", Key="m")["UploadId"]
            parts = [s3.upload_part(Bucket="bodies", Key="m", UploadId=up, PartNumber=n + 1, Body=b)["ETag"]
                     for n, b in enumerate([bodies[0] or b"x"])]
            s3.complete_multipart_upload(Bucket="bodies", Key="m", UploadId=up, MultipartUpload={
                "Parts": [{"ETag": e, "PartNumber": n + 1} for n, e in enumerate(parts)]})
            out.append(s3.get_object(Bucket="bodies", Key="m")["Body"].read())
            s3.delete_object(Bucket="bodies", Key="k0")
            out.append(sorted(o["Key"] for o in s3.list_objects_v2(Bucket="bodies").get("Contents", [])))
            return out
    finally:
        (s3_packed.install if was else s3_packed.uninstall)()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(BODY, min_size=1, max_size=5))
def test_packed_bodies_answer_as_motos_buffers(bodies):
    assert _play(bodies, packed=True) == _play(bodies, packed=False)


def test_the_buffer_is_a_file_as_moto_uses_one():
    buf = s3_packed.PackedBuffer(1024)
    assert buf.write(b"hello world") == 11 and buf.tell() == 11
    buf.seek(0)
    assert buf.read(5) == b"hello" and buf.read() == b" world" and buf.read(3) == b""
    buf.seek(6)
    buf.write(b"WORLD!!")
    buf.seek(0)
    assert buf.read() == b"hello WORLD!!"
    buf.seek(5)
    buf.truncate()
    buf.seek(0, 2)
    assert buf.tell() == 5
    buf.seek(8)
    buf.write(b"x")
    buf.seek(0)
    assert buf.read() == b"hello\x00\x00\x00x"
    buf.close()
    assert buf.closed
    with pytest.raises(ValueError):
        buf.read()


def test_installed_moto_keys_use_packed_buffers():
    was = s3_packed.installed()
    s3_packed.install()
    try:
        from moto.s3.models import FakeKey

        key = FakeKey("k", b"<svg/>" * 200, account_id="123456789012", region_name="us-east-1")
        assert isinstance(key._value_buffer, s3_packed.PackedBuffer)
        assert key.value == b"<svg/>" * 200 and key.contentsize == 1200
        assert len(key._value_buffer._packed) < 100
        key.dispose()
    finally:
        (s3_packed.install if was else s3_packed.uninstall)()
