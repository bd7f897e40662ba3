"""oss2 (the official Python SDK, V1 and V4) judges the emulator.

Each test runs with long-term keys signing V1, V4, and STS credentials; oss2's CRC64 check
stays on (it raises if the server's x-oss-hash-crc64ecma disagrees with the bytes).
"""
import hashlib
import os
import time

import oss2
import pytest
import requests

from conftest import start_emulator

PART = 100 * 1024


@pytest.fixture(params=["v1", "v4", "sts-v1", "sts-v4"])
def bucket(request, server):
    kind = request.param
    if kind.startswith("sts"):
        c = server.sts()
        auth = (oss2.StsAuth(c["AccessKeyId"], c["AccessKeySecret"], c["SecurityToken"])
                if kind == "sts-v1" else
                oss2.ProviderAuthV4(oss2.credentials.StaticCredentialsProvider(
                    c["AccessKeyId"], c["AccessKeySecret"], c["SecurityToken"])))
    elif kind == "v4":
        auth = oss2.AuthV4(server.key_id, server.secret)
    else:
        auth = oss2.Auth(server.key_id, server.secret)
    return oss2.Bucket(auth, server.url, "demo-bucket", region=server.region, enable_crc=True)


def data(n, seed=0):
    return bytes((i * 31 + seed) % 256 for i in range(n))


KEYS = ["plain.txt", "dir/with space.bin", "plus+percent%25 #hash?q.txt", "中文/文件 (1).txt", "emoji 😀.bin"]


@pytest.mark.parametrize("key", KEYS)
def test_put_get_head_delete(bucket, key):
    body = data(1000, len(key))
    r = bucket.put_object(key, body, headers={
        "Content-Type": "text/x-test", "x-oss-meta-author": "alice",
        "Cache-Control": "no-cache", "Content-Disposition": "attachment"})
    assert r.status == 200
    assert r.etag == hashlib.md5(body).hexdigest().upper()
    assert r.crc is not None and r.request_id
    got = bucket.get_object(key)
    assert got.read() == body
    head = bucket.head_object(key)
    assert head.content_length == 1000
    assert head.content_type == "text/x-test"
    assert head.headers["x-oss-meta-author"] == "alice"
    assert head.headers["Cache-Control"] == "no-cache"
    assert head.headers["Content-Disposition"] == "attachment"
    assert head.object_type == "Normal"
    assert bucket.get_object(key, byte_range=(10, 19)).read() == body[10:20]
    assert key in [o.key for o in oss2.ObjectIterator(bucket)]
    bucket.delete_object(key)
    assert not bucket.object_exists(key)


def test_content_md5_is_checked(bucket):
    with pytest.raises(oss2.exceptions.ServerError) as e:
        bucket.put_object("md5.txt", b"abc", headers={"Content-MD5": "AAAAAAAAAAAAAAAAAAAAAA=="})
    assert (e.value.status, e.value.code) == (400, "BadDigest")
    with pytest.raises(oss2.exceptions.ServerError) as e:
        bucket.put_object("md5.txt", b"abc", headers={"Content-MD5": "not-md5"})
    assert e.value.code == "InvalidDigest"


def test_multipart_flow(bucket):
    key = "multi/part object.bin"
    parts = [data(PART, 1), data(PART + 7, 2), data(555, 3)]
    init = bucket.init_multipart_upload(key, headers={"Content-Type": "video/mp4", "x-oss-meta-k": "v"})
    uid = init.upload_id
    etags = []
    for n, p in enumerate(parts, 1):
        r = bucket.upload_part(key, uid, n, p)
        assert r.etag == hashlib.md5(p).hexdigest().upper()
        etags.append(oss2.models.PartInfo(n, r.etag))
    listed = bucket.list_parts(key, uid)
    assert [(p.part_number, p.size) for p in listed.parts] == [(1, PART), (2, PART + 7), (3, 555)]
    page = bucket.list_parts(key, uid, max_parts=2)
    assert page.is_truncated and str(page.next_marker) == "2"
    assert uid in [u.upload_id for u in oss2.MultipartUploadIterator(bucket, prefix="multi/")]
    done = bucket.complete_multipart_upload(key, uid, etags)
    assert done.status == 200
    assert done.etag.endswith("-3")
    whole = b"".join(parts)
    assert bucket.get_object(key).read() == whole
    head = bucket.head_object(key)
    assert head.object_type == "Multipart" and head.content_type == "video/mp4"
    assert head.headers["x-oss-meta-k"] == "v"
    crc = oss2.utils.Crc64(0)
    crc.update(whole)
    assert int(head.headers["x-oss-hash-crc64ecma"]) == crc.crc
    assert int(done.headers["x-oss-hash-crc64ecma"]) == crc.crc
    with pytest.raises(oss2.exceptions.NoSuchUpload):
        bucket.list_parts(key, uid)
    bucket.delete_object(key)


def test_resumable_upload_helper(bucket, tmp_path):
    """oss2's own resumable uploader: its checkpointing, threads and CRC check."""
    path = tmp_path / "big.bin"
    whole = data(3 * PART + 10, 9)
    path.write_bytes(whole)
    oss2.resumable_upload(bucket, "resumable.bin", str(path), multipart_threshold=PART,
                          part_size=PART, num_threads=3,
                          store=oss2.ResumableStore(root=str(tmp_path)))
    assert bucket.get_object("resumable.bin").read() == whole


def test_abort(bucket):
    uid = bucket.init_multipart_upload("aborted.bin").upload_id
    bucket.upload_part("aborted.bin", uid, 1, data(10))
    bucket.abort_multipart_upload("aborted.bin", uid)
    with pytest.raises(oss2.exceptions.NoSuchUpload) as e:
        bucket.upload_part("aborted.bin", uid, 2, data(10))
    assert e.value.status == 404


def test_entity_too_small_and_bad_order(bucket):
    key = "small.bin"
    uid = bucket.init_multipart_upload(key).upload_id
    r1 = bucket.upload_part(key, uid, 1, data(1000))
    r2 = bucket.upload_part(key, uid, 2, data(1000))
    with pytest.raises(oss2.exceptions.ServerError) as e:
        bucket.complete_multipart_upload(key, uid, [oss2.models.PartInfo(1, r1.etag), oss2.models.PartInfo(2, r2.etag)])
    assert (e.value.status, e.value.code) == (400, "EntityTooSmall")
    with pytest.raises(oss2.exceptions.ServerError) as e:
        # oss2 sorts the list itself, so only a repeated number reaches the server out of order.
        bucket.complete_multipart_upload(key, uid, [oss2.models.PartInfo(2, r2.etag), oss2.models.PartInfo(2, r2.etag)])
    assert e.value.code == "InvalidPartOrder"
    with pytest.raises(oss2.exceptions.ServerError) as e:
        bucket.complete_multipart_upload(key, uid, [oss2.models.PartInfo(1, '"00000000000000000000000000000000"')])
    assert e.value.code == "InvalidPart"
    with pytest.raises(oss2.exceptions.ServerError) as e:
        bucket.upload_part(key, uid, 10001, b"x")
    assert e.value.code == "InvalidArgument"
    bucket.abort_multipart_upload(key, uid)


def test_missing_key_and_upload(bucket):
    with pytest.raises(oss2.exceptions.NoSuchKey) as e:
        bucket.get_object("nope")
    assert e.value.status == 404
    with pytest.raises(oss2.exceptions.NotFound) as e:
        bucket.head_object("nope")
    assert e.value.status == 404
    assert e.value.code == "NoSuchKey"  # from the base64 x-oss-err header
    with pytest.raises(oss2.exceptions.NoSuchUpload):
        bucket.complete_multipart_upload("nope", "0" * 32, [oss2.models.PartInfo(1, '"x"')])


def test_presigned_urls(bucket):
    bucket.put_object("signed.txt", b"presigned body")
    url = bucket.sign_url("GET", "signed.txt", 60)
    assert requests.get(url).content == b"presigned body"
    put_url = bucket.sign_url("PUT", "signed-put.txt", 60)
    assert requests.put(put_url, data=b"via url").status_code == 200
    assert bucket.get_object("signed-put.txt").read() == b"via url"
    tampered = url.replace("signed.txt", "signed.txs")
    r = requests.get(tampered)
    assert r.status_code == 403 and b"SignatureDoesNotMatch" in r.content


def test_wrong_secret(server):
    for auth in (oss2.Auth(server.key_id, "wrong"), oss2.AuthV4(server.key_id, "wrong")):
        b = oss2.Bucket(auth, server.url, "demo-bucket", region=server.region)
        with pytest.raises(oss2.exceptions.ServerError) as e:
            b.put_object("x", b"y")
        assert (e.value.status, e.value.code) == (403, "SignatureDoesNotMatch")
        assert "StringToSign" in e.value.details


def test_unknown_key_and_anonymous(server):
    b = oss2.Bucket(oss2.Auth("LTAInobody", "x"), server.url, "demo-bucket")
    with pytest.raises(oss2.exceptions.ServerError) as e:
        b.put_object("x", b"y")
    assert e.value.code == "InvalidAccessKeyId"
    anon = oss2.Bucket(oss2.AnonymousAuth(), server.url, "demo-bucket")
    with pytest.raises(oss2.exceptions.AccessDenied):
        anon.get_object("x")


def test_sts_expired_and_wrong_token(server):
    c = server.sts(1)
    time.sleep(2.1)
    b = oss2.Bucket(oss2.StsAuth(c["AccessKeyId"], c["AccessKeySecret"], c["SecurityToken"]),
                    server.url, "demo-bucket")
    with pytest.raises(oss2.exceptions.ServerError) as e:
        b.put_object("x", b"y")
    assert (e.value.status, e.value.code) == (403, "SecurityTokenExpired")
    c = server.sts()
    b = oss2.Bucket(oss2.StsAuth(c["AccessKeyId"], c["AccessKeySecret"], c["SecurityToken"] + "x"),
                    server.url, "demo-bucket")
    with pytest.raises(oss2.exceptions.ServerError) as e:
        b.put_object("x", b"y")
    assert e.value.code == "InvalidSecurityToken"


def test_no_such_bucket(server):
    b = oss2.Bucket(oss2.Auth(server.key_id, server.secret), server.url, "missing-bucket")
    with pytest.raises(oss2.exceptions.NoSuchBucket):
        b.put_object("x", b"y")


def test_list_uploads_pagination_and_url_encoding(server):
    b = oss2.Bucket(oss2.Auth(server.key_id, server.secret), server.url, "other-bucket")
    keys = ["page/a b", "page/a b", "page/c+d", "page/中"]
    ids = [b.init_multipart_upload(k).upload_id for k in keys]
    seen = [(u.key, u.upload_id) for u in oss2.MultipartUploadIterator(b, prefix="page/", max_uploads=1)]
    assert sorted(seen) == sorted(zip(keys, ids))
    assert len(seen) == 4
    for k, i in zip(keys, ids):
        b.abort_multipart_upload(k, i)


def test_persistence_across_restart(tmp_path):
    """Parts uploaded before a restart on the same --data-dir complete after it."""
    first = start_emulator("--data-dir", str(tmp_path))
    auth = oss2.Auth(first.key_id, first.secret)
    b = oss2.Bucket(auth, first.url, "demo-bucket")
    b.put_object("kept.txt", b"still here")
    uid = b.init_multipart_upload("restart.bin").upload_id
    p1 = b.upload_part("restart.bin", uid, 1, data(PART, 4))
    first.proc.kill()
    first.proc.wait()
    second = start_emulator("--data-dir", str(tmp_path))
    try:
        b = oss2.Bucket(auth, second.url, "demo-bucket")
        assert b.get_object("kept.txt").read() == b"still here"
        p2 = b.upload_part("restart.bin", uid, 2, data(10, 5))
        b.complete_multipart_upload("restart.bin", uid, [oss2.models.PartInfo(1, p1.etag), oss2.models.PartInfo(2, p2.etag)])
        assert b.get_object("restart.bin").read() == data(PART, 4) + data(10, 5)
        leftovers = [p for p in tmp_path.rglob("*") if p.name.startswith(".tmp-")]
        assert leftovers == []
    finally:
        second.proc.kill()
        second.proc.wait()


LISTED = ["a/1", "a/2", "b/c d+e%.txt", "c.txt", "中.txt", "中/x"]


def put_listed(bucket, prefix):
    for k in LISTED:
        bucket.put_object(prefix + k, b"x")


def test_listing_names_owners_rolls_up_prefixes_and_pages(bucket):
    p = f"lst/{bucket.auth.__class__.__name__}-{time.time_ns()}/"
    put_listed(bucket, p)
    r = bucket.list_objects(prefix=p, delimiter="/")
    assert [o.key for o in r.object_list] == [p + "c.txt", p + "中.txt"]
    assert r.prefix_list == [p + "a/", p + "b/", p + "中/"]
    assert all(o.owner is not None and o.owner.id and o.owner.display_name for o in r.object_list)
    assert not r.is_truncated
    # A page of max_keys entries counts each common prefix once; the iterator follows NextMarker.
    entries = [(o.key, o.is_prefix()) for o in oss2.ObjectIterator(bucket, prefix=p, delimiter="/", max_keys=1)]
    assert entries == [(p + "a/", True), (p + "b/", True), (p + "c.txt", False), (p + "中.txt", False), (p + "中/", True)]
    flat = [o.key for o in oss2.ObjectIterator(bucket, prefix=p, max_keys=2)]
    assert flat == [p + k for k in LISTED]

    v2 = [(o.key, o.is_prefix(), o.owner) for o in
          oss2.ObjectIteratorV2(bucket, prefix=p, delimiter="/", max_keys=2, fetch_owner=True)]
    assert [(k, d) for k, d, _ in v2] == [(k, d) for k, d in entries]
    assert all(owner.id for _, is_prefix, owner in v2 if not is_prefix)
    plain = bucket.list_objects_v2(prefix=p, start_after=p + "b/c d+e%.txt")
    assert [o.key for o in plain.object_list] == [p + "c.txt", p + "中.txt", p + "中/x"]
    assert all(o.owner is None for o in plain.object_list)  # V2 names owners only with fetch-owner
    page = bucket.list_objects_v2(prefix=p, delimiter="/", max_keys=2)
    assert page.is_truncated and page.prefix_list == [p + "a/", p + "b/"]
    rest = bucket.list_objects_v2(prefix=p, delimiter="/", max_keys=3, continuation_token=page.next_continuation_token)
    assert [o.key for o in rest.object_list] == [p + "c.txt", p + "中.txt"]
    assert rest.prefix_list == [p + "中/"] and not rest.is_truncated
    for k in LISTED:
        bucket.delete_object(p + k)


def test_latin1_metadata_round_trips(bucket):
    """oss2 sends str header values as Latin-1 bytes (http.client), as browsers do."""
    key = "latin1.txt"
    bucket.put_object(key, b"x", headers={"x-oss-meta-city": "Zürich café",
                                          "Content-Disposition": 'attachment; filename="résumé.pdf"'})
    head = bucket.head_object(key)
    assert head.headers["x-oss-meta-city"] == "Zürich café"
    assert head.headers["Content-Disposition"] == 'attachment; filename="résumé.pdf"'
    uid = bucket.init_multipart_upload("latin1-multi.bin", headers={"x-oss-meta-note": "naïve"}).upload_id
    part = bucket.upload_part("latin1-multi.bin", uid, 1, b"y")
    bucket.complete_multipart_upload("latin1-multi.bin", uid, [oss2.models.PartInfo(1, part.etag)])
    assert bucket.head_object("latin1-multi.bin").headers["x-oss-meta-note"] == "naïve"


OVERRIDES = {
    "response-content-type": "text/csv",
    "response-content-disposition": 'attachment; filename="report 1.csv"',
    "response-cache-control": "no-cache",
    "response-content-encoding": "identity",
    "response-content-language": "fr-CH",
    "response-expires": "Thu, 01 Dec 2044 16:00:00 GMT",
}


def test_response_overrides_on_get_and_presigned_get(bucket):
    key = "override me.txt"
    bucket.put_object(key, b"a,b\n1,2\n", headers={"Content-Type": "text/plain", "Cache-Control": "max-age=60"})
    expect = {name[len("response-"):]: value for name, value in OVERRIDES.items()}
    # oss2 adds its signature to the dict it is given: each call gets a copy.
    got = bucket.get_object(key, params=dict(OVERRIDES))
    assert got.read() == b"a,b\n1,2\n"
    for header, value in expect.items():
        assert got.headers[header] == value, header
    url = bucket.sign_url("GET", key, 60, params=dict(OVERRIDES))
    r = requests.get(url)
    assert r.status_code == 200 and r.content == b"a,b\n1,2\n"
    for header, value in expect.items():
        assert r.headers[header] == value, header
    # The overrides are signed: changing one breaks the URL.
    tampered = url.replace("text%2Fcsv", "text%2Fhtml")
    assert tampered != url
    r = requests.get(tampered)
    assert r.status_code == 403 and b"SignatureDoesNotMatch" in r.content
    # Without them the stored headers come back.
    plain = bucket.get_object(key)
    assert plain.headers["Content-Type"] == "text/plain" and plain.headers["Cache-Control"] == "max-age=60"
