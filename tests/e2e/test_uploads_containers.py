"""The source matrix of issue 16 (see uploads.py), the containers group:
every container of the default --allow-formats, the uploads reported in the issue, and
files cut short.

Each kind is one subTest: made with ffmpeg (cached), run through `vodctl run`, then judged by
`vodctl verify`, HlsChecks.assert_valid_hls and the audio sync rule, or its rejection checked.
"""

import unittest

import uploads
from vodtest import VodTestCase


class ContainersUploadsTest(uploads.UploadChecks, VodTestCase):

    def test_each_kind(self):
        self.run_group(uploads.C)


if __name__ == "__main__":
    unittest.main()
