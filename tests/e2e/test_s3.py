"""vodctl on S3 storage, end to end, against a real S3-compatible server.

The server is OpenStack Swift with its s3api middleware, started by scripts/s3-server.sh on a
free local port: unlike fakes it checks SigV4 signatures, Content-MD5 and payload hashes as
AWS does. What vodctl stores is read back with S3Client below, a client of the test's own
(standard library only) that shares no code with vodctl. The server's Debian packages are
installed when missing; a missing prerequisite fails the tests, it never skips them.
"""

import datetime
import gzip
import hashlib
import hmac
import json
import http.client
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.parse
import uuid
import xml.etree.ElementTree as ElementTree
from contextlib import contextmanager

from fault_proxy import FAULTS, FaultProxy
from vodtest import (EX_DATAERR, EX_IOERR, EX_NOINPUT, EX_NOPERM, EX_UNAVAILABLE, EX_USAGE, FAST,
                     KEEP_WORKDIRS, VodTestCase,
                     Workspace, media, run_checked, segment_path, tree_hashes, vodctl_argv,
                     vodctl_env)

HERE = os.path.dirname(os.path.abspath(__file__))
SERVER_SCRIPT = os.path.normpath(os.path.join(HERE, "..", "..", "scripts", "s3-server.sh"))

# Small and quick, yet several chunks, segments and renditions.
OPTIONS = [*FAST, "--ladder", "360p,240p"]

# The server's fixed test credentials (see scripts/s3-server.sh).
ACCESS_KEY, SECRET_KEY = "test:tester", "testing"

# Variables that would steer vodctl away from the test server.
FOREIGN_S3_VARIABLES = ["AWS_ENDPOINT_URL_S3", "AWS_SESSION_TOKEN", "AWS_DEFAULT_REGION",
                        "AWS_PROFILE", "VODCTL_S3_ADDRESSING"]

# ---------------------------------------------------------------------------------------------
# An independent S3 client


def _uri_encode(text, keep_slash):
    return urllib.parse.quote(text, safe="/-_.~" if keep_slash else "-_.~")


def _local_name(tag):
    return tag.rsplit("}", 1)[-1]  # without the XML namespace


class S3Client:
    """Just enough of S3 for the tests, signed with SigV4 by the book, path-style."""

    def __init__(self, endpoint, access_key, secret_key, region="us-east-1"):
        parts = urllib.parse.urlsplit(endpoint)
        self.host, self.port, self.netloc = parts.hostname, parts.port, parts.netloc
        self.access_key, self.secret_key, self.region = access_key, secret_key, region

    def request(self, method, path, query=None, body=b"", expect=(200,)):
        """(status, headers with lowercase names, body) of METHOD on PATH (not encoded)."""
        now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        payload_hash = hashlib.sha256(body).hexdigest()
        headers = {"host": self.netloc, "x-amz-date": now, "x-amz-content-sha256": payload_hash}
        canonical_query = "&".join(f"{_uri_encode(k, False)}={_uri_encode(v, False)}"
                                   for k, v in sorted((query or {}).items()))
        canonical_path = _uri_encode(path, True)
        names = sorted(headers)
        canonical_request = "\n".join([
            method, canonical_path, canonical_query,
            "".join(f"{name}:{headers[name]}\n" for name in names), ";".join(names),
            payload_hash])
        scope = f"{now[:8]}/{self.region}/s3/aws4_request"
        string_to_sign = "\n".join(["AWS4-HMAC-SHA256", now, scope,
                                    hashlib.sha256(canonical_request.encode()).hexdigest()])
        key = ("AWS4" + self.secret_key).encode()
        for part in (now[:8], self.region, "s3", "aws4_request"):
            key = hmac.new(key, part.encode(), hashlib.sha256).digest()
        signature = hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()
        headers["authorization"] = (f"AWS4-HMAC-SHA256 Credential={self.access_key}/{scope},"
                                    f"SignedHeaders={';'.join(names)},Signature={signature}")
        url = canonical_path + (f"?{canonical_query}" if canonical_query else "")
        connection = http.client.HTTPConnection(self.host, self.port, timeout=120)
        try:
            connection.request(method, url, body=body, headers=headers)
            response = connection.getresponse()
            data = response.read()
        finally:
            connection.close()
        if response.status not in expect:
            raise AssertionError(f"S3 {method} {url}: HTTP {response.status} {data[:300]!r}")
        return response.status, {k.lower(): v for k, v in response.getheaders()}, data

    def create_bucket(self, bucket):
        self.request("PUT", f"/{bucket}")

    def put(self, bucket, key, data):
        self.request("PUT", f"/{bucket}/{key}", body=data)

    def get(self, bucket, key):
        return self.request("GET", f"/{bucket}/{key}")[2]

    def head(self, bucket, key):
        return self.request("HEAD", f"/{bucket}/{key}")[1]

    def start_multipart_upload(self, bucket, key):
        self.request("POST", f"/{bucket}/{key}", {"uploads": ""})

    def multipart_uploads(self, bucket, prefix=""):
        """Keys of the multipart uploads under PREFIX never completed nor aborted."""
        root = ElementTree.fromstring(
            self.request("GET", f"/{bucket}", {"uploads": "", "prefix": prefix})[2])
        return [item.text for upload in root if _local_name(upload.tag) == "Upload"
                for item in upload if _local_name(item.tag) == "Key"]

    def list(self, bucket, prefix=""):
        """{key: size} of every object under PREFIX, over as many pages as it takes."""
        objects, token = {}, None
        while True:
            query = {"list-type": "2", "prefix": prefix}
            if token:
                query["continuation-token"] = token
            root = ElementTree.fromstring(self.request("GET", f"/{bucket}", query)[2])
            fields = {_local_name(e.tag): e for e in root}
            for entry in root:
                if _local_name(entry.tag) == "Contents":
                    item = {_local_name(e.tag): e.text for e in entry}
                    objects[item["Key"]] = int(item["Size"])
            if fields.get("IsTruncated") is None or fields["IsTruncated"].text != "true":
                return objects
            token = fields["NextContinuationToken"].text

    def hashes(self, bucket, prefix):
        """{path below PREFIX: sha256}, comparable with vodtest.tree_hashes()."""
        return {key[len(prefix):].replace("/", os.sep):
                hashlib.sha256(self.get(bucket, key)).hexdigest()
                for key in self.list(bucket, prefix)}


# Debian's boto3, run by Debian's python3: a second client, written by others, that lists
# what vodctl stored with each object's size and headers.
BOTO3 = "/usr/bin/python3"
BOTO3_LISTING = """
import json, os, sys
import boto3
from botocore.config import Config
s3 = boto3.client("s3", endpoint_url=os.environ["AWS_ENDPOINT_URL"], region_name="us-east-1",
                  config=Config(s3={"addressing_style": "path"}))
bucket, prefix = sys.argv[1:3]
found = {}
for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
    for item in page.get("Contents", []):
        head = s3.head_object(Bucket=bucket, Key=item["Key"])
        found[item["Key"][len(prefix):]] = {
            "size": item["Size"], "type": head["ContentType"],
            "cache": head.get("CacheControl"), "encoding": head.get("ContentEncoding")}
print(json.dumps(found))
"""

CONTENT_TYPES = {".m3u8": "application/vnd.apple.mpegurl", ".m4s": "video/iso.segment",
                 ".mp4": "video/mp4", ".ts": "video/mp2t", ".vtt": "text/vtt",
                 ".jpg": "image/jpeg", ".mpd": "application/dash+xml", ".json": "application/json"}


# The publishing policy README documents ("Publishing behind a CDN"), by file name.
MEDIA_CACHE_CONTROL = "public, max-age=31536000, immutable"
PLAYLIST_CACHE_CONTROL = "public, max-age=60"


def is_media(key):
    return re.search(r"(^|/)(seg_[0-9a-f]{10}_\d{5}\.(m4s|ts)|init_[0-9a-f]{10}\.mp4|"
                     r"sprite_[0-9a-f]{10}_\d{5}\.jpg)$", key) is not None


def boto3_listing(bucket, prefix):
    """{key below PREFIX: {size, type, cache, encoding}} as boto3 sees them."""
    proc = subprocess.run([BOTO3, "-c", BOTO3_LISTING, bucket, prefix], capture_output=True,
                          text=True, timeout=120)
    if proc.returncode != 0:
        raise AssertionError(f"boto3 listing failed (is python3-boto3 installed?):\n{proc.stderr}")
    return json.loads(proc.stdout)


# ---------------------------------------------------------------------------------------------
# The server, one for the whole module


def _port_is_free(port):
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port_block(size):
    """A port P with P..P+size-1 all free on 127.0.0.1."""
    for _ in range(100):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            base = s.getsockname()[1]
        if base + size <= 65535 and all(_port_is_free(base + i) for i in range(size)):
            return base
    raise AssertionError("found no block of free ports for the S3 server")


class S3Server:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="vodctl-s3-server-")
        port = free_port_block(4)  # the proxy and its account, container and object servers
        # Installing the Swift packages on first use takes a few minutes.
        proc = subprocess.run(["bash", SERVER_SCRIPT, "start", self.dir, str(port)],
                              capture_output=True, text=True, timeout=900)
        if proc.returncode != 0:
            raise AssertionError(f"{SERVER_SCRIPT} start failed ({proc.returncode}):\n"
                                 f"{proc.stderr}")
        self.env = {}
        for line in proc.stdout.splitlines():
            name, _, value = line.removeprefix("export ").partition("=")
            self.env[name] = value
        self.endpoint = self.env["AWS_ENDPOINT_URL"]
        self.client = S3Client(self.endpoint, self.env["AWS_ACCESS_KEY_ID"],
                               self.env["AWS_SECRET_ACCESS_KEY"])

    def stop(self):
        subprocess.run(["bash", SERVER_SCRIPT, "stop", self.dir], capture_output=True,
                       timeout=120)
        if KEEP_WORKDIRS:
            print(f"kept {self.dir}")
        else:
            shutil.rmtree(self.dir, ignore_errors=True)


SERVER = None
_SAVED_ENV = {}
_LOCAL_RUNS = None  # Workspace holding the local runs the S3 runs are compared with


def setUpModule():
    global SERVER, _LOCAL_RUNS
    SERVER = S3Server()
    for name in FOREIGN_S3_VARIABLES + list(SERVER.env):
        _SAVED_ENV[name] = os.environ.pop(name, None)
    # vodctl (run through vodtest, which passes os.environ on) talks to this server.
    os.environ.update(SERVER.env)
    _LOCAL_RUNS = Workspace(prefix="vodctl-s3-local-runs-")


def tearDownModule():
    for name, value in _SAVED_ENV.items():
        os.environ.pop(name, None)
        if value is not None:
            os.environ[name] = value
    if _LOCAL_RUNS is not None:
        _LOCAL_RUNS.cleanup()
    if SERVER is not None:
        SERVER.stop()


@contextmanager
def environment(**changes):
    """os.environ with CHANGES (None removes a variable) for the duration."""
    saved = {name: os.environ.get(name) for name in changes}
    try:
        for name, value in changes.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


# ---------------------------------------------------------------------------------------------
# Tests


def noisy_source(path, seconds=5):
    """A source of about 4 MB/s (lossless x264 of noise): big files from little time."""
    run_checked(["ffmpeg", "-v", "error", "-nostdin", "-y",
                 "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25",
                 "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
                 "-t", str(seconds), "-vf", "noise=alls=100:allf=t",
                 "-c:v", "libx264", "-qp", "0", "-preset", "ultrafast", "-g", "50",
                 "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "96k", path])
    return path


class S3Test(VodTestCase):

    def setUp(self):
        super().setUp()
        self.s3 = SERVER.client
        self.bucket = f"vodctl-{uuid.uuid4().hex[:12]}"
        self.s3.create_bucket(self.bucket)
        # vodctl's local copies go here, so that the test can see they are cleaned up.
        self.local_tmp = self.ws.path("local-tmp")
        os.makedirs(self.local_tmp)
        self.enterContext(environment(TMPDIR=self.local_tmp))

    def url(self, key):
        return f"s3://{self.bucket}/{key}"

    def local_run(self, source, *options):
        """The output folder of a local `vodctl run` of SOURCE, made once per source and options."""
        digest = hashlib.sha256("\0".join([source, *options]).encode()).hexdigest()[:10]
        name = f"{os.path.basename(source)}-{digest}"
        output = _LOCAL_RUNS.path(name, "out")
        if not os.path.isdir(output):
            rc, _, err = _LOCAL_RUNS.vodctl("run", source, output, "--tmp",
                                            _LOCAL_RUNS.path(name, "tmp"), *options)
            self.assertEqual(rc, 0, f"local vodctl run failed:\n{err}")
        return output

    def run_on_s3(self, source_key, output_prefix, tmp_prefix, *options):
        rc, out, err = self.vodctl("run", self.url(source_key), self.url(output_prefix),
                                   "--tmp", self.url(tmp_prefix), *options)
        self.assertEqual(rc, 0, f"vodctl run on S3 failed:\n{err}")
        self.assert_no_secrets(out + err)
        self.assertEqual(os.listdir(self.local_tmp), [],
                         "vodctl left local copies behind in TMPDIR")

    def upload_source(self, source, key):
        with open(source, "rb") as f:
            self.s3.put(self.bucket, key, f.read())

    def start_proxy(self, fault_rate):
        """A FaultProxy in front of the server, closed with the test."""
        proxy = FaultProxy(SERVER.endpoint, fault_rate=fault_rate)
        self.addCleanup(proxy.close)
        return proxy

    def assert_no_secrets(self, text):
        self.assertNotIn(SECRET_KEY, text)
        self.assertNotIn(ACCESS_KEY, text)

    def assert_same_as_local(self, source, output_prefix, *options):
        expected = tree_hashes(self.local_run(source, *options))
        self.assertIn("master.m3u8", expected)
        self.assertEqual(self.s3.hashes(self.bucket, output_prefix), expected,
                         "the HLS output on S3 differs from the local run's")

    def test_run_from_s3_to_s3_matches_a_local_run(self):
        source = media("small")
        with open(source, "rb") as f:
            self.s3.put(self.bucket, "src/x.mp4", f.read())
        # What a vodctl killed in the middle of an upload leaves behind: the upload, and the
        # marker it stored first (see test_s3_leftovers.py).
        self.s3.put(self.bucket, "out/.vodctl-uploads/360p/seg_killed.m4s", b"")
        self.s3.start_multipart_upload(self.bucket, "out/360p/seg_killed.m4s")
        self.run_on_s3("src/x.mp4", "out/", "tmp/", *OPTIONS)

        self.assert_same_as_local(source, "out/", *OPTIONS)
        local = self.local_run(source, *OPTIONS)
        expected = {}
        for root, _, files in os.walk(local):
            for name in files:
                path = os.path.join(root, name)
                key = os.path.relpath(path, local).replace(os.sep, "/")
                expected[key] = [os.path.getsize(path), CONTENT_TYPES[os.path.splitext(name)[1]]]
        listing = boto3_listing(self.bucket, "out/")
        self.assertEqual({key: [o["size"], o["type"]] for key, o in listing.items()}, expected,
                         "boto3 sees other objects, sizes or content types than the local run has")
        self.assertEqual(self.s3.list(self.bucket, "tmp/"), {},
                         "the job's intermediate files are removed when it is done")
        self.assertEqual(list(self.s3.list(self.bucket, "src/")), ["src/x.mp4"])
        self.assertEqual(self.s3.multipart_uploads(self.bucket, "out/"), [],
                         "the unfinished upload in the output is aborted")
        self.assertEqual(self.s3.head(self.bucket, "out/master.m3u8")["content-type"],
                         "application/vnd.apple.mpegurl")
        segment = "out/" + os.path.relpath(segment_path(local, "360p", 0), local)
        self.assertEqual(self.s3.head(self.bucket, segment)["content-type"], "video/iso.segment")

        rc, out, err = self.vodctl("status", "--json")
        self.assertEqual(rc, 0, err)
        self.assert_no_secrets(out + err)
        with open(self.ws.state, "rb") as f:
            self.assertNotIn(SECRET_KEY.encode(), f.read(), "the secret is in the state database")

    def test_every_object_carries_the_headers_of_its_kind(self):
        source = media("small")
        self.upload_source(source, "src/x.mp4")
        self.run_on_s3("src/x.mp4", "out/", "tmp/", *OPTIONS, "--dash", "--compress-playlists")
        listing = boto3_listing(self.bucket, "out/")
        kinds = {"media": 0, "compressed": 0, "plain playlist": 0}
        for key, stored in listing.items():
            with self.subTest(key=key):
                self.assertEqual(stored["type"], CONTENT_TYPES[os.path.splitext(key)[1]])
                if is_media(key):
                    kinds["media"] += 1
                    self.assertEqual(stored["cache"], MEDIA_CACHE_CONTROL)
                    self.assertIsNone(stored["encoding"])
                elif key.endswith((".m3u8", ".mpd")):
                    kinds["compressed"] += 1
                    self.assertEqual(stored["cache"], PLAYLIST_CACHE_CONTROL)
                    self.assertEqual(stored["encoding"], "gzip")
                    raw = self.s3.get(self.bucket, "out/" + key)  # the bytes as stored
                    text = gzip.decompress(raw).decode("utf-8")
                    self.assertTrue(text.startswith("#EXTM3U" if key.endswith(".m3u8") else "<?xml"))
                else:  # vodctl.json, thumbnails/thumbnails.vtt
                    kinds["plain playlist"] += 1
                    self.assertIn(key, ["vodctl.json", "thumbnails/thumbnails.vtt"])
                    self.assertEqual(stored["cache"], PLAYLIST_CACHE_CONTROL)
                    self.assertIsNone(stored["encoding"])
        self.assertTrue(all(kinds.values()), f"every kind of object was seen: {kinds}")
        self.assertIn("manifest.mpd", listing)
        self.assertTrue(any(key.endswith(".jpg") for key in listing), "sprite sheets")
        rc, out, err = self.vodctl("verify", self.url("out/"))
        self.assertEqual(rc, 0, out + err)

        # Other values, and none at all for playlists.
        self.run_on_s3("src/x.mp4", "out2/", "tmp2/", *OPTIONS, "--job", "second",
                       "--cache-control-media", "public, max-age=600",
                       "--cache-control-playlists", "")
        for key, stored in boto3_listing(self.bucket, "out2/").items():
            with self.subTest(key=key):
                self.assertEqual(stored["cache"], "public, max-age=600" if is_media(key) else None)
                self.assertIsNone(stored["encoding"])

    def test_another_host_resumes_from_s3_tmp_alone(self):
        source = media("long")
        with open(source, "rb") as f:
            self.s3.put(self.bucket, "src/long.mp4", f.read())
        first = self.ws.popen("run", self.url("src/long.mp4"), self.url("out/"), "--tmp",
                              self.url("tmp/"), "--job", "moving", *OPTIONS, quiet=True)
        deadline = time.monotonic() + 120
        while len(self.s3.list(self.bucket, "tmp/moving/results/")) < 2:
            self.assertIsNone(first.poll(), "run ended before two chunks were done")
            self.assertLess(time.monotonic(), deadline)
            time.sleep(0.1)
        first.kill()
        first.communicate()
        done_before = len(self.s3.list(self.bucket, "tmp/moving/results/"))

        # A new host: an empty state database, nothing but the tmp prefix.
        rc, _, err = self.vodctl("resume", "--job", "moving", "--tmp", self.url("tmp/"),
                                 state=self.ws.path("new-host", "vodctl.db"))
        self.assertEqual(rc, 0, err)
        self.assertIn(f"{done_before} of", err, "the new host should keep the finished chunks")
        self.assert_no_secrets(err)
        self.assert_same_as_local(source, "out/", *OPTIONS)

    def test_keys_with_spaces_and_unicode(self):
        source = media("small")
        source_key = "in put/vid\u00e9o +1=2 100%25 \u20ac.mp4"  # '%25' stays literally that
        output_prefix = "out dir/\u00fcn\u00ef+=~ 50% \u65e5\u672c/"
        with open(source, "rb") as f:
            self.s3.put(self.bucket, source_key, f.read())
        self.run_on_s3(source_key, output_prefix, "tmp dir/\u00e9/", *OPTIONS)

        self.assert_same_as_local(source, output_prefix, *OPTIONS)
        self.assertEqual(self.s3.list(self.bucket, "tmp dir/"), {})

    def test_big_files_travel_in_parts_and_sources_in_ranges(self):
        # One chunk of the whole source, uploaded in 5 MiB parts; the source over 16 MiB,
        # read in place. The endpoint and part size come from flags (the environment names a
        # closed port: the flag must win), through a proxy that records every request.
        source = noisy_source(self.ws.path("noisy.mp4"))
        size = os.path.getsize(source)
        self.assertGreater(size, 17 << 20, "precondition: a source over 16 MiB")
        with open(source, "rb") as f:
            self.s3.put(self.bucket, "src/noisy.mp4", f.read())
        proxy = FaultProxy(SERVER.endpoint, fault_rate=0)
        self.addCleanup(proxy.close)
        options = ["--preset", "ultrafast", "--chunk-duration", "30", "--segment-duration", "2",
                   "--ladder", "240p"]
        with environment(AWS_ENDPOINT_URL=f"http://127.0.0.1:{free_port_block(1)}"):
            self.run_on_s3("src/noisy.mp4", "out/", "tmp/", "--keep-tmp", *options,
                           "--s3-endpoint", proxy.endpoint, "--s3-part-size", "5",
                           "--s3-upload-connections", "3")

        chunks = {k: v for k, v in self.s3.list(self.bucket, "tmp/").items()
                  if "/chunks/" in k}
        self.assertEqual(len(chunks), 1, f"one chunk expected: {chunks}")
        (chunk_key, chunk_size), = chunks.items()
        self.assertGreater(chunk_size, 16 << 20)
        parts = -(-chunk_size // (5 << 20))
        # S3 gives a multipart object the ETag "<hash of the parts' MD5s>-<part count>".
        etag = self.s3.head(self.bucket, chunk_key)["etag"].strip('"')
        self.assertTrue(etag.endswith(f"-{parts}"), f"chunk ETag {etag}: not {parts} parts")
        part_puts = [r for r in proxy.requests
                     if r["method"] == "PUT" and "/chunks/" in r["target"] and
                     "partNumber=" in r["target"]]
        self.assertEqual(len(part_puts), parts)
        most_at_once = max(sum(1 for other in part_puts
                               if other["arrived"] <= r["arrived"] < other["answered"])
                           for r in part_puts)
        self.assertGreater(most_at_once, 1, "the parts went one after another")
        self.assertLessEqual(most_at_once, 3, "more connections than --s3-upload-connections")

        source_gets = [r for r in proxy.requests
                       if r["method"] == "GET" and r["target"].endswith("/src/noisy.mp4")]
        self.assertTrue(source_gets, "the source was never read from S3")
        for get in source_gets:
            self.assertRegex(get["range"] or "", r"^bytes=\d+-\d+$",
                             "the source was fetched without a Range")
            first, last = map(int, get["range"][6:].split("-"))
            self.assertLessEqual(last - first + 1, 4 << 20, f"a range over 4 MiB: {get}")
        self.assert_same_as_local(source, "out/", *options)

    def test_unsigned_file_uploads_store_the_same_output(self):
        # What https endpoints get by default (TLS vouches for the bytes), forced over http:
        # the server takes every object, whole or in parts, with no payload hash to check.
        source = media("small")
        self.upload_source(source, "src/x.mp4")
        proxy = self.start_proxy(fault_rate=0)
        self.run_on_s3("src/x.mp4", "out/", "tmp/", *OPTIONS, "--s3-endpoint", proxy.endpoint,
                       "--s3-payload-signing", "never", "--s3-part-size", "5")
        self.assert_same_as_local(source, "out/", *OPTIONS)
        puts = [r for r in proxy.requests if r["method"] == "PUT"]
        self.assertEqual({r["payload_hash"] for r in puts}, {"UNSIGNED-PAYLOAD"})
        self.assertTrue(any(r["target"].endswith(".m4s") for r in puts), puts)
        self.assertTrue(any(r["target"].endswith("/chunks/00000.nut") for r in puts), puts)
        steering = [r for r in proxy.requests if r["method"] == "POST"]
        self.assertTrue(steering, "no multi-object delete or multipart upload was seen")
        for request in steering:
            self.assertRegex(request["payload_hash"], r"^[0-9a-f]{64}$", request)

    def test_objects_over_100_mb_round_trip_in_bounded_memory(self):
        source = noisy_source(self.ws.path("big.mp4"), seconds=28)
        self.assertGreater(os.path.getsize(source), 100 << 20, "precondition: a 100 MB source")
        with open(source, "rb") as f:
            self.s3.put(self.bucket, "src/big.mp4", f.read())
        options = ["--preset", "ultrafast", "--chunk-duration", "60", "--segment-duration", "2",
                   "--ladder", "240p", "--keep-tmp"]
        argv = vodctl_argv(["run", self.url("src/big.mp4"), self.url("out/"), "--tmp",
                            self.url("tmp/"), *options], state=self.ws.state, quiet=True)
        # Under ASan (scripts/test-sanitize.sh) freed memory waits in a quarantine of up to
        # 256 MiB, to catch uses after free; what is measured here is vodctl's own memory.
        env = vodctl_env()
        env["ASAN_OPTIONS"] = ":".join(filter(None, [env.get("ASAN_OPTIONS"),
                                                     "quarantine_size_mb=0"]))
        # A Python of its own whose only child is vodctl: its children's peak RSS is vodctl's.
        measured = subprocess.run(
            [sys.executable, "-c", "import resource, subprocess, sys\n"
             "rc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode\n"
             "print(rc, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)", *argv],
            capture_output=True, text=True, env=env, timeout=600)
        rc, peak_kib = map(int, measured.stdout.split())
        self.assertEqual(rc, 0, measured.stderr)
        print(f"\nvodctl peak RSS with a {os.path.getsize(source) >> 20} MiB source: "
              f"{peak_kib >> 10} MiB")
        self.assertLess(peak_kib, 200 << 10, "peak RSS over 200 MiB")

        chunks = {k: v for k, v in self.s3.list(self.bucket, "tmp/").items() if "/chunks/" in k}
        (chunk_key, chunk_size), = chunks.items()
        self.assertGreater(chunk_size, 100 << 20, "the chunk object should be over 100 MB")
        self.assertRegex(self.s3.head(self.bucket, chunk_key)["etag"], r"-\d+\"?$",
                         "the chunk was not uploaded in parts")
        self.assert_same_as_local(source, "out/", *options)

    def test_wrong_secret_fails_at_once_with_s3s_error(self):
        # A refusal is EX_NOPERM (77), not a local I/O error (74): the fix is the credentials.
        with environment(AWS_SECRET_ACCESS_KEY="not-the-secret"):
            started = time.monotonic()
            rc, _, err = self.vodctl("run", media("small"), self.url("out/"),
                                     "--tmp", self.url("tmp/"), *OPTIONS, quiet=True)
        self.assertEqual(rc, EX_NOPERM, err)
        line = self.assert_one_error_line(err)
        self.assertIn("SignatureDoesNotMatch", line)
        self.assertIn(f"{SERVER.endpoint}/{self.bucket}/tmp/", line)
        self.assertNotIn("not-the-secret", line)
        self.assert_no_secrets(line)
        self.assertLess(time.monotonic() - started, 30, "a refusal is not retried")

    def test_faults_on_the_way_to_the_server_do_not_change_the_output(self):
        source = media("small")
        self.upload_source(source, "src/x.mp4")
        proxy = self.start_proxy(fault_rate=0.25)
        with environment(AWS_ENDPOINT_URL=proxy.endpoint):
            self.run_on_s3("src/x.mp4", "out/", "tmp/", *OPTIONS)
        self.assert_same_as_local(source, "out/", *OPTIONS)
        print(f"\nrequests through the fault proxy: {proxy.counts}")
        for fault in FAULTS:
            self.assertGreater(proxy.counts[fault], 0, f"no '{fault}' was injected: {proxy.counts}")

    def test_verify_reads_an_output_on_s3(self):
        local = self.local_run(media("small"), *OPTIONS)
        for root, _, files in os.walk(local):
            for name in files:
                path = os.path.join(root, name)
                with open(path, "rb") as f:
                    self.s3.put(self.bucket, "out/" + os.path.relpath(path, local), f.read())
        rc, out, err = self.vodctl("verify", self.url("out/"))
        self.assertEqual(rc, 0, out + err)
        self.assertRegex(out, r": 4 playlists, \d+ segments, 0 violation\(s\)\n$")
        segment = os.path.relpath(segment_path(local, "240p", 1), local)
        self.s3.request("DELETE", f"/{self.bucket}/out/{segment}", expect=(204,))
        rc, out, err = self.vodctl("verify", self.url("out/"))
        self.assertEqual(rc, EX_DATAERR, out + err)
        self.assertIn(f"{segment}: missing (listed in 240p/index.m3u8)\n", out)
        self.assert_one_error_line(err)

    def test_missing_bucket_names_the_bucket(self):
        # EX_NOINPUT (66): the bucket is not there, nothing local failed.
        rc, _, err = self.vodctl("run", media("small"), "s3://no-such-bucket-here/out/",
                                 "--tmp", self.url("tmp/"), *OPTIONS, quiet=True)
        self.assertEqual(rc, EX_NOINPUT, err)
        line = self.assert_one_error_line(err)
        self.assertIn("no-such-bucket-here", line)
        self.assertIn("NoSuchBucket", line)
        self.assert_no_secrets(line)

    def test_a_missing_source_or_source_bucket_exits_66(self):
        for source in [self.url("src/no-such.mp4"), "s3://no-such-bucket-here/src/x.mp4"]:
            with self.subTest(source=source):
                rc, _, err = self.vodctl("run", source, self.url("out/"), "--tmp",
                                         self.url("tmp/"), *OPTIONS, quiet=True)
                self.assertEqual(rc, EX_NOINPUT, err)
                line = self.assert_one_error_line(err)
                self.assertIn(source.rsplit("/", 1)[0], line)
                self.assert_no_secrets(line)

    def test_a_session_token_never_shows(self):
        token = "FwoGZXIvYXdzEXAMPLEsessionTOKEN+/="
        with environment(AWS_SESSION_TOKEN=token):
            rc, out, err = self.vodctl("run", media("small"), self.url("out/"),
                                       "--tmp", self.url("tmp/"), *OPTIONS, verbose=True)
            _, status, status_err = self.vodctl("status", "--json")
        # Whatever the server makes of the token (rc), it must not leak anywhere.
        for text in (out, err, status, status_err):
            self.assertNotIn(token, text, f"the session token leaked (run exited {rc})")
            self.assert_no_secrets(text)
        for path in (self.ws.state, self.ws.state + "-wal"):
            if os.path.exists(path):
                with open(path, "rb") as f:
                    stored = f.read()
                self.assertNotIn(token.encode(), stored, f"the session token is in {path}")
                self.assertNotIn(SECRET_KEY.encode(), stored, f"the secret is in {path}")

    def test_missing_credentials_are_a_usage_error(self):
        with environment(AWS_ACCESS_KEY_ID=None):
            rc, _, err = self.vodctl("run", media("small"), self.url("out/"),
                                     "--tmp", self.url("tmp/"), *OPTIONS, quiet=True)
        self.assertEqual(rc, EX_USAGE, err)
        self.assertIn("needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY",
                      self.assert_one_error_line(err))

    def test_unreachable_endpoint_is_unavailable_after_retries(self):
        closed = f"http://127.0.0.1:{free_port_block(1)}"
        with environment(AWS_ENDPOINT_URL=closed):
            rc, _, err = self.vodctl("run", media("small"), self.url("out/"),
                                     "--tmp", self.url("tmp/"), *OPTIONS, quiet=True)
        self.assertEqual(rc, EX_UNAVAILABLE, err)
        line = self.assert_one_error_line(err)
        self.assertIn(f"endpoint {closed} still failing after", line)
        self.assert_no_secrets(line)


if __name__ == "__main__":
    unittest.main()
