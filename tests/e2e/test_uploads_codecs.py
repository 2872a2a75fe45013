"""The source matrix of issue 16 (see uploads.py), the codecs group:
every allowed video and audio codec, and 4:2:2, 4:4:4,
10-bit and 12-bit pictures.

Each kind is one subTest: made with ffmpeg (cached), run through `vodctl run`, then judged by
`vodctl verify`, HlsChecks.assert_valid_hls and the audio sync rule, or its rejection checked.
"""

import unittest

import uploads
from vodtest import VodTestCase


class CodecsUploadsTest(uploads.UploadChecks, VodTestCase):

    def test_each_kind(self):
        self.run_group(uploads.K)


if __name__ == "__main__":
    unittest.main()
