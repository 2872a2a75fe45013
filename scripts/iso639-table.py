#!/usr/bin/env python3
"""Regenerates the ISO 639 table in src/pipeline/iso639.cc from Debian's iso-codes.

usage: scripts/iso639-table.py [ISO_639-2.JSON]   (default /usr/share/iso-codes/json/iso_639-2.json,
                                                  from the iso-codes package)

Every ISO 639-2 code, terminology and bibliographic, that has an ISO 639-1 code, with an
English name: the first of several ("Spanish; Castilian"), without a parenthesis, and
"Greek, Modern" turned into "Modern Greek". Rewrites only the rows between the braces of
kLanguages and its size.
"""

import json
import os
import re
import sys

SOURCE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "pipeline",
                      "iso639.cc")


def english_name(name):
    name = re.sub(r"\s*\(.*?\)", "", name.split(";")[0]).strip()
    if ", " in name:
        head, qualifier = name.split(", ", 1)
        name = f"{qualifier} {head}"
    return name


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/iso-codes/json/iso_639-2.json"
    with open(path, encoding="utf-8") as f:
        languages = json.load(f)["639-2"]
    rows = []
    for language in languages:
        if "alpha_2" not in language:
            continue
        for code in [language["alpha_3"], language.get("bibliographic")]:
            if code:
                rows.append((code, language["alpha_2"], english_name(language["name"])))
    rows.sort()
    body = "".join(f'    {{"{a3}", "{a2}", "{name}"}},\n' for a3, a2, name in rows)
    with open(SOURCE, encoding="utf-8") as f:
        text = f.read()
    pattern = re.compile(r"(std::array<Iso639Language, )\d+(> kLanguages = \{\{\n).*?(\}\};)", re.S)
    text, count = pattern.subn(lambda m: f"{m.group(1)}{len(rows)}{m.group(2)}{body}{m.group(3)}",
                               text)
    if count != 1:
        sys.exit(f"{SOURCE}: no kLanguages table to replace")
    with open(SOURCE, "w", encoding="utf-8") as f:
        f.write(text)
    print(f"{SOURCE}: {len(rows)} codes")


if __name__ == "__main__":
    main()
