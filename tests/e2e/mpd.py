"""A reader of the DASH MPDs vodctl writes, for the end-to-end tests (standard library only).

parse_mpd(path) -> {"duration": seconds, "min_buffer_time": seconds, "sets": [AdaptationSet]},
each set a dict of its attributes plus "representations": [dict of attributes plus
"timescale", "pto", "init", "media" and "segments": [(t, d), ...] expanded from the
SegmentTimeline, with "path" of each segment file]."""

import os
import re
import xml.etree.ElementTree as ET
from fractions import Fraction

NS = {"d": "urn:mpeg:dash:schema:mpd:2011"}


def parse_duration(text):
    """xs:duration of the form vodctl writes, PT<seconds>S."""
    m = re.fullmatch(r"PT(\d+(?:\.\d+)?)S", text)
    if not m:
        raise AssertionError(f"unexpected xs:duration {text!r}")
    return Fraction(m.group(1))


def expand_timeline(timeline):
    """[(t, d)] of every segment; S@t may be left out when segments follow each other."""
    segments, t = [], None
    for s in timeline.findall("d:S", NS):
        if "t" in s.attrib:
            t = int(s.attrib["t"])
        if t is None:
            raise AssertionError("the first S has no @t")
        d = int(s.attrib["d"])
        for _ in range(int(s.attrib.get("r", "0")) + 1):
            segments.append((t, d))
            t += d
    return segments


def template_path(folder, template, rep_id, number=None):
    name = template.replace("$RepresentationID$", rep_id)
    if number is not None:
        name = re.sub(r"\$Number%0(\d+)d\$", lambda m: f"{number:0{int(m.group(1))}d}", name)
        name = name.replace("$Number$", str(number))
    return os.path.join(folder, name)


def parse_mpd(path):
    folder = os.path.dirname(path)
    root = ET.parse(path).getroot()
    if root.tag != f"{{{NS['d']}}}MPD":
        raise AssertionError(f"{path}: root element {root.tag}")
    periods = root.findall("d:Period", NS)
    if len(periods) != 1:
        raise AssertionError(f"{path}: {len(periods)} periods, expected one")
    mpd = {"attrs": dict(root.attrib),
           "duration": parse_duration(root.attrib["mediaPresentationDuration"]),
           "min_buffer_time": parse_duration(root.attrib["minBufferTime"]), "sets": []}
    for adaptation in periods[0].findall("d:AdaptationSet", NS):
        aset = dict(adaptation.attrib)
        aset["representations"] = []
        for r in adaptation.findall("d:Representation", NS):
            rep = dict(r.attrib)
            template = r.find("d:SegmentTemplate", NS)
            if template is None:
                template = adaptation.find("d:SegmentTemplate", NS)
            rep["timescale"] = int(template.attrib["timescale"])
            rep["pto"] = int(template.attrib.get("presentationTimeOffset", "0"))
            start = int(template.attrib.get("startNumber", "1"))
            rep["init"] = template_path(folder, template.attrib["initialization"], rep["id"])
            rep["segments"] = [
                {"t": t, "d": d,
                 "path": template_path(folder, template.attrib["media"], rep["id"], start + n)}
                for n, (t, d) in enumerate(expand_timeline(template.find("d:SegmentTimeline", NS)))]
            channels = r.find("d:AudioChannelConfiguration", NS)
            if channels is not None:
                rep["channels"] = channels.attrib["value"]
            aset["representations"].append(rep)
        mpd["sets"].append(aset)
    return mpd
