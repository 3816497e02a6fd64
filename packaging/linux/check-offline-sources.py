#!/usr/bin/env python3
"""Rehearse the Flatpak build's offline cargo step without Flatpak.

flatpak-builder unpacks every source of cargo-sources.json under /run/build/convene
and then runs `cargo --offline fetch` with CARGO_HOME pointing there. This script does
the same in a temporary directory, taking each .crate from the local cargo cache
(fill it first with `cargo fetch --locked`) after checking its sha256, and then runs
`cargo --offline fetch --locked` against the real Cargo.toml and Cargo.lock. It fails
when a crate is missing from cargo-sources.json, a checksum differs, or cargo would
need the network.

Usage: check-offline-sources.py [--keep]   (--keep leaves the temporary tree behind)
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
SOURCES = HERE / "cargo-sources.json"
CRATE_URL = re.compile(r"^https://static\.crates\.io/crates/(?P<name>[^/]+)/(?P<file>[^/]+\.crate)$")


def cargo_home() -> Path:
    return Path(os.environ.get("CARGO_HOME", Path.home() / ".cargo"))


def find_crate(file_name: str) -> Path | None:
    for registry in sorted((cargo_home() / "registry" / "cache").glob("*")):
        candidate = registry / file_name
        if candidate.is_file():
            return candidate
    return None


def unpack(archive: Path, dest: Path) -> None:
    """Unpack like flatpak-builder's archive source: strip the top directory."""
    dest.mkdir(parents=True, exist_ok=True)
    with tarfile.open(archive, "r:gz") as tar:
        for member in tar.getmembers():
            parts = Path(member.name).parts
            if len(parts) < 2 or member.issym() or member.islnk() or ".." in parts:
                continue
            member.name = str(Path(*parts[1:]))
            tar.extract(member, dest, filter="data")


def main() -> int:
    keep = "--keep" in sys.argv[1:]
    sources = json.loads(SOURCES.read_text(encoding="utf-8"))
    if any(source.get("type") == "git" for source in sources):
        print("SKIPPED: offline cargo rehearsal: cargo-sources.json has git sources, which this check cannot replay")
        return 0

    build = Path(tempfile.mkdtemp(prefix="convene-flatpak-sources-"))
    try:
        crates = 0
        for source in sources:
            kind = source.get("type")
            if kind == "archive":
                match = CRATE_URL.match(source["url"])
                if not match:
                    print(f"check-offline-sources: unexpected archive URL {source['url']}", file=sys.stderr)
                    return 1
                crate = find_crate(match["file"])
                if crate is None:
                    print(f"check-offline-sources: {match['file']} is not in the cargo cache; run `cargo fetch --locked` first", file=sys.stderr)
                    return 1
                digest = hashlib.sha256(crate.read_bytes()).hexdigest()
                if digest != source["sha256"]:
                    print(f"check-offline-sources: {match['file']}: sha256 {digest} != {source['sha256']} in cargo-sources.json", file=sys.stderr)
                    return 1
                unpack(crate, build / source["dest"])
                crates += 1
            elif kind == "inline":
                dest = build / source.get("dest", ".") / source["dest-filename"]
                dest.parent.mkdir(parents=True, exist_ok=True)
                dest.write_text(source["contents"], encoding="utf-8")
            else:
                print(f"check-offline-sources: unexpected source type {kind!r}", file=sys.stderr)
                return 1

        env = dict(os.environ, CARGO_HOME=str(build / "cargo"), CARGO_NET_OFFLINE="true")
        env.pop("CARGO_TARGET_DIR", None)
        command = ["cargo", "--offline", "fetch", "--locked", "--manifest-path", str(REPO / "Cargo.toml")]
        result = subprocess.run(command, env=env, capture_output=True, text=True)
        if result.returncode != 0:
            sys.stderr.write(result.stderr)
            print("check-offline-sources: `cargo --offline fetch` failed with only cargo-sources.json's crates", file=sys.stderr)
            return 1
        print(f"check-offline-sources: {crates} crates unpacked, sha256 verified, `cargo --offline fetch --locked` resolves everything")
        return 0
    finally:
        if keep:
            print(f"check-offline-sources: kept {build}")
        else:
            shutil.rmtree(build, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
