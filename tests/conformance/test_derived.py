"""AppendObject, CopyObject, DeleteMultipleObjects and GetObjectMeta, judged by both official
Python SDKs: the operations ali-oss's append/copy/putMeta/deleteMulti/getObjectMeta call."""
import hashlib

import alibabacloud_oss_v2 as oss
import oss2
import pytest

from test_oss2 import bucket  # noqa: F401  (the fixture: V1, V4 and STS clients)
from test_oss_v2 import client, service_error  # noqa: F401

B = "demo-bucket"


def test_oss2_append_then_position_mismatch(bucket):  # noqa: F811
    key = "derived/append.log"
    bucket.delete_object(key)
    first = bucket.append_object(key, 0, b"one,")
    second = bucket.append_object(key, first.next_position, b"two")
    assert (first.next_position, second.next_position) == (4, 7)
    assert bucket.get_object(key).read() == b"one,two"
    meta = bucket.head_object(key)
    assert meta.object_type == "Appendable"
    assert meta.server_crc == second.crc
    with pytest.raises(oss2.exceptions.PositionNotEqualToLength) as e:
        bucket.append_object(key, 3, b"x")
    assert e.value.status == 409
    assert bucket.append_object(key, 7, b"!").next_position == 8
    bucket.put_object("derived/normal.txt", b"n")
    with pytest.raises(oss2.exceptions.ObjectNotAppendable):
        bucket.append_object("derived/normal.txt", 1, b"x")


def test_oss2_copy_keeps_or_replaces_metadata(bucket):  # noqa: F811
    src = "derived/src dir/a+b.txt"
    bucket.put_object(src, b"copied bytes", headers={"Content-Type": "text/x-src", "x-oss-meta-who": "src"})
    r = bucket.copy_object(B, src, "derived/copy.txt")
    assert r.etag == hashlib.md5(b"copied bytes").hexdigest().upper()
    head = bucket.head_object("derived/copy.txt")
    assert (head.content_type, head.headers["x-oss-meta-who"]) == ("text/x-src", "src")
    bucket.update_object_meta("derived/copy.txt", {"x-oss-meta-who": "new", "Content-Type": "text/x-new"})
    head = bucket.head_object("derived/copy.txt")
    assert (head.content_type, head.headers["x-oss-meta-who"]) == ("text/x-new", "new")
    assert bucket.get_object("derived/copy.txt").read() == b"copied bytes"
    with pytest.raises(oss2.exceptions.NoSuchKey):
        bucket.copy_object(B, "derived/missing", "derived/never.txt")


def test_oss2_batch_delete_and_object_meta(bucket):  # noqa: F811
    keys = ["derived/del/a.txt", "derived/del/b &<c>.txt", "derived/del/中文.txt"]
    for k in keys:
        bucket.put_object(k, b"x")
    meta = bucket.get_object_meta(keys[0])
    assert (meta.status, meta.content_length) == (200, 1)
    r = bucket.batch_delete_objects(keys + ["derived/del/never-existed"])
    assert sorted(r.deleted_keys) == sorted(keys + ["derived/del/never-existed"])
    assert not list(oss2.ObjectIterator(bucket, prefix="derived/del/"))


def test_v2_append_copy_delete(client):  # noqa: F811
    key = "derived/v2/append.log"
    client.delete_object(oss.DeleteObjectRequest(bucket=B, key=key))
    a = client.append_object(oss.AppendObjectRequest(bucket=B, key=key, position=0, body=b"ab"))
    b = client.append_object(oss.AppendObjectRequest(bucket=B, key=key, position=a.next_position, body=b"cd"))
    assert b.next_position == 4
    with pytest.raises(Exception) as e:
        client.append_object(oss.AppendObjectRequest(bucket=B, key=key, position=1, body=b"x"))
    assert service_error(e).code == "PositionNotEqualToLength"
    client.copy_object(oss.CopyObjectRequest(bucket=B, key="derived/v2/copy.log", source_key=key))
    got = client.get_object(oss.GetObjectRequest(bucket=B, key="derived/v2/copy.log"))
    assert got.body.read() == b"abcd"
    meta = client.get_object_meta(oss.GetObjectMetaRequest(bucket=B, key=key))
    assert meta.content_length == 4
    r = client.delete_multiple_objects(oss.DeleteMultipleObjectsRequest(
        bucket=B, objects=[oss.DeleteObject(key=key), oss.DeleteObject(key="derived/v2/copy.log")]))
    assert sorted(d.key for d in r.deleted_objects) == ["derived/v2/append.log", "derived/v2/copy.log"]


def test_oss2_conditional_get_and_head(bucket):  # noqa: F811
    key = "derived/conditional.txt"
    r = bucket.put_object(key, b"same")
    etag = '"' + r.etag + '"'
    with pytest.raises(oss2.exceptions.NotModified):
        bucket.get_object(key, headers={"If-None-Match": etag})
    with pytest.raises(oss2.exceptions.NotModified):
        bucket.get_object(key, headers={"If-Modified-Since": "Fri, 01 Jan 2100 00:00:00 GMT"})
    with pytest.raises(oss2.exceptions.PreconditionFailed):
        bucket.get_object(key, headers={"If-Match": '"0000"'})
    with pytest.raises(oss2.exceptions.PreconditionFailed):
        bucket.get_object(key, headers={"If-Unmodified-Since": "Thu, 01 Jan 1970 00:00:00 GMT"})
    assert bucket.get_object(key, headers={"If-Match": etag}).read() == b"same"
    assert bucket.get_object(key, headers={"If-Modified-Since": "Thu, 01 Jan 1970 00:00:00 GMT"}).read() == b"same"
    # An entity tag decides instead of the date beside it (RFC 7232 section 6), as a browser
    # revalidating its cache asks: replaced within the same second, the object is read anew.
    future = "Fri, 01 Jan 2100 00:00:00 GMT"
    past = "Thu, 01 Jan 1970 00:00:00 GMT"
    assert bucket.get_object(key, headers={"If-None-Match": '"0000"', "If-Modified-Since": future}).read() == b"same"
    with pytest.raises(oss2.exceptions.NotModified):
        bucket.get_object(key, headers={"If-None-Match": etag, "If-Modified-Since": past})
    assert bucket.get_object(key, headers={"If-Match": etag, "If-Unmodified-Since": past}).read() == b"same"
    with pytest.raises(oss2.exceptions.PreconditionFailed):
        bucket.get_object(key, headers={"If-Match": '"0000"', "If-Unmodified-Since": future})


def test_oss2_forbid_overwrite_on_every_write(bucket):  # noqa: F811
    key = "derived/forbid.txt"
    forbid = {"x-oss-forbid-overwrite": "true"}
    late = "derived/forbid-late.txt"
    bucket.delete_object(key)
    bucket.put_object(key, b"first", headers=forbid)
    bucket.put_object(late, b"source")
    with pytest.raises(oss2.exceptions.ServerError) as e:
        bucket.put_object(key, b"second", headers=forbid)
    assert (e.value.status, e.value.code) == (409, "FileAlreadyExists")
    with pytest.raises(oss2.exceptions.ServerError) as e:
        bucket.init_multipart_upload(key, headers=forbid)
    assert (e.value.status, e.value.code) == (409, "FileAlreadyExists")
    with pytest.raises(oss2.exceptions.ServerError) as e:
        bucket.copy_object(bucket.bucket_name, late, key, headers=forbid)
    assert (e.value.status, e.value.code) == (409, "FileAlreadyExists")
    # An object made while the parts went up: Complete is refused, and the upload stays.
    bucket.delete_object(late)
    upload_id = bucket.init_multipart_upload(late, headers=forbid).upload_id
    part = bucket.upload_part(late, upload_id, 1, b"part")
    bucket.put_object(late, b"late")
    with pytest.raises(oss2.exceptions.ServerError) as e:
        bucket.complete_multipart_upload(late, upload_id, [oss2.models.PartInfo(1, part.etag)], headers=forbid)
    assert (e.value.status, e.value.code) == (409, "FileAlreadyExists")
    assert bucket.get_object(late).read() == b"late"
    assert len(bucket.list_parts(late, upload_id).parts) == 1
    # Without the header it completes, as before.
    bucket.complete_multipart_upload(late, upload_id, [oss2.models.PartInfo(1, part.etag)])
    assert bucket.get_object(late).read() == b"part"
    assert bucket.get_object(key).read() == b"first"
