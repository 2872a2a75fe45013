"""Calls that are not idempotent, retried after the server did them and their answer was lost.

A fault proxy in front of the real server forwards a multipart upload's create and its
completion, then drops the answer: the server made the upload (or the object), vodctl never
heard. Retried, the create makes a second upload, and the completion finds its upload gone
(NoSuchUpload). vodctl must abort the first and recognise the object the second made.
"""

import re
import unittest
import uuid

import test_s3
from fault_proxy import FaultProxy
from test_s3 import noisy_source, setUpModule, tearDownModule  # noqa: F401 (the server)
from vodtest import VodTestCase


class S3LostAnswersTest(VodTestCase):

    def setUp(self):
        super().setUp()
        self.s3 = test_s3.SERVER.client
        self.bucket = f"vodctl-{uuid.uuid4().hex[:12]}"
        self.s3.create_bucket(self.bucket)

    def test_a_lost_create_and_a_lost_completion_leave_no_upload_and_fail_no_step(self):
        source = noisy_source(self.ws.path("noisy.mp4"))
        with open(source, "rb") as f:
            self.s3.put(self.bucket, "src/noisy.mp4", f.read())
        proxy = FaultProxy(test_s3.SERVER.endpoint, fault_rate=0)
        self.addCleanup(proxy.close)
        proxy.drop_answer_once("POST", "?uploads=")
        # Swift answers a completion retried after it completed 200 again; S3 may answer
        # NoSuchUpload, which the proxy answers in its place.
        proxy.drop_answer_once("POST", "?uploadId=", then=(
            "404 Not Found", b"<?xml version='1.0'?><Error><Code>NoSuchUpload</Code>"
                             b"<Message>The specified upload does not exist.</Message></Error>"))
        # One chunk of the whole source, over 16 MiB: it goes up in 5 MiB parts.
        rc, _, err = self.vodctl(
            "run", f"s3://{self.bucket}/src/noisy.mp4", f"s3://{self.bucket}/out",
            "--tmp", f"s3://{self.bucket}/tmp", "--keep-tmp",
            "--preset", "ultrafast", "--chunk-duration", "30", "--segment-duration", "2",
            "--ladder", "240p", "--s3-endpoint", proxy.endpoint, "--s3-part-size", "5")
        self.assertEqual(rc, 0, f"vodctl run failed:\n{err}")
        self.assertEqual(len(proxy.dropped), 2, f"not both answers were dropped: {proxy.dropped}")
        lost_create, lost_completion = proxy.dropped

        def requests(method, path):
            return [r["target"] for r in proxy.requests
                    if r["method"] == method and r["target"].split("?")[0] == path]

        # The create: sent twice, and the upload the lost answer made is aborted.
        created_key = lost_create.split("?")[0]
        # Twice, not more: no step failed and ran again.
        creates = [t for t in requests("POST", created_key) if t.endswith("?uploads=")]
        self.assertEqual(len(creates), 2, creates)
        aborts = [t for t in requests("DELETE", created_key) if "uploadId=" in t]
        self.assertEqual(len(aborts), 1, f"the orphan upload of {created_key} was not aborted")

        # The completion: sent twice to the same upload (the second answered by the proxy),
        # then the object checked by its ETag, not aborted.
        completed_key, upload_id = lost_completion.split("?")
        completions = [t for t in requests("POST", completed_key) if t == lost_completion]
        self.assertEqual(len(completions), 2, completions)
        self.assertIn("found the object complete", err, "the stored object was not checked")
        self.assertIn("made by a create whose answer was lost", err)
        self.assertNotIn(lost_completion, requests("DELETE", completed_key),
                         "the completed upload was aborted")
        creates = [t for t in requests("POST", completed_key) if t.endswith("?uploads=")]
        self.assertEqual(len(creates), 2 if completed_key == created_key else 1,
                         "the object was uploaded again: its step failed and ran again")

        self.assertEqual(self.s3.multipart_uploads(self.bucket), [],
                         "an unfinished multipart upload is left in the bucket")
        key = completed_key.removeprefix(f"/{self.bucket}/")
        parts = re.search(r"-(\d+)$", self.s3.head(self.bucket, key)["etag"].strip('"'))
        self.assertIsNotNone(parts, f"{key} is not a multipart object")


if __name__ == "__main__":
    unittest.main()
