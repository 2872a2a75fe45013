"""Which unfinished multipart uploads a vodctl job aborts when it is done, on the real server.

A writer killed during a multipart upload leaves its parts stored (and billed) until the
upload is aborted, so a job cleans up its own when it finishes. S3 can only list uploads by a
raw string prefix, and outputs nest: one at a bucket's root holds every other, and the prefix
"film" also matches "film2". A job must abort only what it started itself. The uploads are
made and listed with boto3 (Debian's python3-boto3), a client that shares no code with vodctl.
"""

import json
import subprocess
import unittest
import uuid

import test_s3
from test_s3 import BOTO3, OPTIONS, setUpModule, tearDownModule  # noqa: F401 (the server)
from vodtest import VodTestCase, media

BOTO3_UPLOADS = """
import json, os, sys
import boto3
from botocore.config import Config
s3 = boto3.client("s3", endpoint_url=os.environ["AWS_ENDPOINT_URL"], region_name="us-east-1",
                  config=Config(s3={"addressing_style": "path"}))
action, bucket, *keys = sys.argv[1:]
if action == "start":
    for key in keys:
        s3.create_multipart_upload(Bucket=bucket, Key=key)
elif action == "mark":  # the empty object vodctl stores before it starts an upload
    for key in keys:
        s3.put_object(Bucket=bucket, Key=key, Body=b"")
else:
    keys = []
    for page in s3.get_paginator("list_multipart_uploads").paginate(Bucket=bucket):
        keys += [upload["Key"] for upload in page.get("Uploads", [])]
    print(json.dumps(sorted(keys)))
"""


def boto3_uploads(action, bucket, *keys):
    proc = subprocess.run([BOTO3, "-c", BOTO3_UPLOADS, action, bucket, *keys],
                          capture_output=True, text=True, timeout=120)
    if proc.returncode != 0:
        raise AssertionError(f"boto3 {action} failed (is python3-boto3 installed?):\n"
                             f"{proc.stderr}")
    return json.loads(proc.stdout) if action == "list" else None


class S3LeftoversTest(VodTestCase):

    def setUp(self):
        super().setUp()
        self.s3 = test_s3.SERVER.client
        self.bucket = f"vodctl-{uuid.uuid4().hex[:12]}"
        self.s3.create_bucket(self.bucket)

    def leave_killed_upload(self, output, key):
        """What a vodctl killed while uploading KEY of OUTPUT ("" for the root) leaves."""
        root = f"{output}/" if output else ""
        boto3_uploads("mark", self.bucket, f"{root}.vodctl-uploads/{key}")
        boto3_uploads("start", self.bucket, f"{root}{key}")

    def run_job(self, output, tmp):
        url = f"s3://{self.bucket}/{output}" if output else f"s3://{self.bucket}"
        rc, _, err = self.vodctl("run", f"s3://{self.bucket}/src/x.mp4", url,
                                 "--tmp", f"s3://{self.bucket}/{tmp}", *OPTIONS)
        self.assertEqual(rc, 0, f"vodctl run to {url} failed:\n{err}")

    def test_a_job_aborts_its_own_leftovers_and_nobody_elses(self):
        with open(media("small"), "rb") as f:
            self.s3.put(self.bucket, "src/x.mp4", f.read())
        # Killed vodctl jobs, each with an output of its own...
        self.leave_killed_upload("film", "360p/seg_00000.m4s")
        self.leave_killed_upload("film2", "240p/seg_00001.m4s")
        self.leave_killed_upload("", "master-old.m3u8")
        # ...a job still uploading to an output nested in the root one's, and someone else's
        # uploads vodctl never marked: under the root, and under a key that starts like "film".
        self.leave_killed_upload("nested/film", "360p/seg_00002.m4s")
        boto3_uploads("start", self.bucket, "film2-archive.mp4", "elsewhere/big.mp4")
        self.assertEqual(boto3_uploads("list", self.bucket), sorted([
            "film/360p/seg_00000.m4s", "film2/240p/seg_00001.m4s", "master-old.m3u8",
            "nested/film/360p/seg_00002.m4s", "film2-archive.mp4", "elsewhere/big.mp4"]))

        self.run_job("film", "tmp-film")
        self.assertEqual(boto3_uploads("list", self.bucket), sorted([
            "film2/240p/seg_00001.m4s", "master-old.m3u8", "nested/film/360p/seg_00002.m4s",
            "film2-archive.mp4", "elsewhere/big.mp4"]),
            "s3://b/film aborted other than its own upload")

        self.run_job("film2", "tmp-film2")
        self.assertEqual(boto3_uploads("list", self.bucket), sorted([
            "master-old.m3u8", "nested/film/360p/seg_00002.m4s", "film2-archive.mp4",
            "elsewhere/big.mp4"]),
            "s3://b/film2 aborted other than its own upload")

        self.run_job("", "tmp-root")
        self.assertEqual(boto3_uploads("list", self.bucket), sorted([
            "nested/film/360p/seg_00002.m4s", "film2-archive.mp4", "elsewhere/big.mp4"]),
            "an output at the bucket's root aborted other than its own upload")

        # The markers of what was cleaned went with it; the one still uploading keeps its own.
        markers = sorted(key for key in self.s3.list(self.bucket)
                         if ".vodctl-uploads/" in key)
        self.assertEqual(markers, ["nested/film/.vodctl-uploads/360p/seg_00002.m4s"])


if __name__ == "__main__":
    unittest.main()
