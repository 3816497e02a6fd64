#!/usr/bin/env python3
"""Keep the <releases> of the AppStream metainfo in step with CHANGELOG.md.

CHANGELOG.md follows Keep a Changelog: one `## [VERSION] - YYYY-MM-DD` section per
release, newest first, plus `## [Unreleased]` (never listed in the metainfo). Each
release becomes `<release version date>` whose description is that section's text.

  releases.py --check            exit 1 when the versions or dates differ
  releases.py --check --strict   exit 1, with a diff, when anything differs (release time)
  releases.py --write            rewrite the metainfo's <releases> block from CHANGELOG.md

Day to day, --check compares versions and dates only, so that a CHANGELOG wording
change does not fail CI; the release workflow checks with --strict.

Options: --changelog PATH (default: CHANGELOG.md at the repository root),
--metainfo PATH (default: the metainfo beside this script).
"""

from __future__ import annotations

import argparse
import difflib
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
METAINFO = HERE / "io.github.convene.Convene.metainfo.xml"
CHANGELOG = REPO / "CHANGELOG.md"
FIX = "packaging/linux/releases.py --write"

RELEASE = re.compile(r"^##\s+\[?v?(?P<version>\d+\.\d+\.\d+[^\]\s]*)\]?\s+[-–—]\s+(?P<date>\d{4}-\d{2}-\d{2})\s*$")
UNRELEASED = re.compile(r"^##\s+\[?Unreleased\]?\s*$", re.IGNORECASE)
LINK_DEFINITION = re.compile(r"^\s*\[[^\]]+\]:\s+\S+")
BLOCK = re.compile(r"(?P<indent>[ \t]*)<releases>.*?</releases>[ \t]*", re.DOTALL)


@dataclass
class Release:
    version: str
    date: str
    blocks: list[tuple[str, list[str]]] = field(default_factory=list)  # ("p", [text]) or ("ul", items)


def inline(text: str) -> str:
    """Markdown inline formatting to plain, XML-escaped text; code spans kept verbatim."""
    pieces = re.split(r"(`[^`]*`)", text)
    for i, piece in enumerate(pieces):
        if piece.startswith("`") and piece.endswith("`") and len(piece) >= 2:
            pieces[i] = piece[1:-1]
            continue
        piece = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", piece)  # [text](url)
        piece = re.sub(r"\[([^\]]+)\]\[[^\]]*\]", r"\1", piece)  # [text][ref]
        pieces[i] = re.sub(r"(\*\*|__)(.+?)\1|(?<![\w*])\*(?=\S)(.+?)(?<=\S)\*(?![\w*])", lambda m: m.group(2) or m.group(3), piece)
    return escape(" ".join("".join(pieces).split()))


def parse_changelog(text: str) -> list[Release]:
    releases: list[Release] = []
    current: Release | None = None
    paragraph: list[str] = []
    items: list[str] = []

    def flush() -> None:
        if current is None:
            paragraph.clear()
            items.clear()
            return
        if paragraph:
            current.blocks.append(("p", [inline(" ".join(paragraph))]))
            paragraph.clear()
        if items:
            current.blocks.append(("ul", [inline(item) for item in items]))
            items.clear()

    for line in text.splitlines():
        if line.startswith("## ") or line.startswith("##\t"):
            flush()
            match = RELEASE.match(line)
            if match:
                current = Release(match["version"], match["date"])
                releases.append(current)
            elif UNRELEASED.match(line):
                current = None
            else:
                raise SystemExit(f"CHANGELOG.md: cannot read the heading {line!r}: want '## [X.Y.Z] - YYYY-MM-DD'")
            continue
        if current is None or LINK_DEFINITION.match(line):
            continue
        stripped = line.strip()
        if stripped.startswith("### "):
            flush()
            current.blocks.append(("p", [inline(stripped[4:]) + ":"]))
        elif re.match(r"^[-*+]\s+", stripped):
            if paragraph:
                flush()
            items.append(re.sub(r"^[-*+]\s+", "", stripped))
        elif not stripped:
            if paragraph:
                flush()
        elif items and line[:1].isspace():
            items[-1] += " " + stripped  # continuation of a list item
        else:
            if items:
                flush()
            paragraph.append(stripped)
    flush()
    return releases


def render(releases: list[Release], indent: str) -> str:
    step = "  "
    lines = [f"{indent}<releases>"]
    for release in releases:
        opening = f'{indent}{step}<release version="{release.version}" date="{release.date}"'
        if not release.blocks:
            lines.append(opening + "/>")
            continue
        lines.append(opening + ">")
        lines.append(f"{indent}{step * 2}<description>")
        for kind, texts in release.blocks:
            if kind == "p":
                lines.append(f"{indent}{step * 3}<p>{texts[0]}</p>")
            else:
                lines.append(f"{indent}{step * 3}<ul>")
                lines.extend(f"{indent}{step * 4}<li>{text}</li>" for text in texts)
                lines.append(f"{indent}{step * 3}</ul>")
        lines.append(f"{indent}{step * 2}</description>")
        lines.append(f"{indent}{step}</release>")
    lines.append(f"{indent}</releases>")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--check", action="store_true")
    mode.add_argument("--write", action="store_true")
    parser.add_argument("--strict", action="store_true", help="with --check: compare the descriptions too")
    parser.add_argument("--changelog", type=Path, default=CHANGELOG)
    parser.add_argument("--metainfo", type=Path, default=METAINFO)
    args = parser.parse_args()

    if not args.changelog.is_file():
        print(f"releases.py: {args.changelog} not found: the metainfo's releases come from it", file=sys.stderr)
        return 1
    releases = parse_changelog(args.changelog.read_text(encoding="utf-8"))
    if not releases:
        print(f"releases.py: {args.changelog} has no released version ('## [X.Y.Z] - YYYY-MM-DD')", file=sys.stderr)
        return 1

    metainfo = args.metainfo.read_text(encoding="utf-8")
    match = BLOCK.search(metainfo)
    if match is None:
        print(f"releases.py: {args.metainfo} has no <releases> block", file=sys.stderr)
        return 1
    wanted = render(releases, match["indent"])
    current = match.group(0)

    if args.write:
        if current != wanted:
            args.metainfo.write_text(metainfo[: match.start()] + wanted + metainfo[match.end() :], encoding="utf-8")
            print(f"releases.py: wrote {len(releases)} release(s) into {args.metainfo.name}")
        else:
            print("releases.py: already up to date")
        return 0

    listed_now = re.findall(r'<release\s+version="([^"]+)"\s+date="([^"]+)"', current)
    listed_wanted = [(r.version, r.date) for r in releases]
    listed = ", ".join(f"{version} ({date})" for version, date in listed_wanted)
    if listed_now != listed_wanted:
        print("releases.py: the metainfo's releases differ from CHANGELOG.md's released versions", file=sys.stderr)
        print(f"  CHANGELOG.md: {listed_wanted}", file=sys.stderr)
        print(f"  metainfo:     {listed_now}", file=sys.stderr)
        print(f"  fix: {FIX}", file=sys.stderr)
        return 1
    if current != wanted:
        if args.strict:
            print("releases.py: the metainfo's release notes differ from CHANGELOG.md", file=sys.stderr)
            diff = difflib.unified_diff(current.splitlines(), wanted.splitlines(), "metainfo", "from CHANGELOG.md", lineterm="")
            sys.stderr.write("\n".join(diff) + "\n")
            print(f"  fix: {FIX}", file=sys.stderr)
            return 1
        print(f"releases.py: metainfo releases match CHANGELOG.md: {listed} (notes differ: {FIX} before releasing)")
        return 0
    print(f"releases.py: metainfo releases and notes match CHANGELOG.md: {listed}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
