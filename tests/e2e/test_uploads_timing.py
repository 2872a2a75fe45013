"""The source matrix of issue 16 (see uploads.py), the timing group:
audio longer, shorter, late or with a hole, negative starts,
edit lists, open GOPs, NTSC and variable rates, a video gap, and mid-stream changes of picture
size and of audio format.

Each kind is one subTest: made with ffmpeg (cached), run through `vodctl run`, then judged by
`vodctl verify`, HlsChecks.assert_valid_hls and the audio sync rule, or its rejection checked.
"""

import unittest

import uploads
from vodtest import VodTestCase


class TimingUploadsTest(uploads.UploadChecks, VodTestCase):

    def test_each_kind(self):
        self.run_group(uploads.T)


if __name__ == "__main__":
    unittest.main()
