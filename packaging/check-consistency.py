#!/usr/bin/env python3
"""Cross-file checks of the packaging that no single validator makes.

  check-consistency.py ids            one app id and one binary name everywhere
  check-consistency.py icons          icon sizes, the symbolic icon, the copies in assets/
  check-consistency.py flatpak FILE   finish-args and build of `flatpak-builder --show-manifest` output

Prints what it checked; exits 1 with one line per problem otherwise.
"""

from __future__ import annotations

import configparser
import hashlib
import json
import re
import struct
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

APP_ID = "io.github.convene.Convene"
BINARY = "convene"
PACKAGING = Path(__file__).resolve().parent
REPO = PACKAGING.parent
LINUX = PACKAGING / "linux"
WINDOWS = PACKAGING / "windows"
HICOLOR = LINUX / "icons" / "hicolor"
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)

# Exactly what the app needs; anything wider fails the check.
FINISH_ARGS = {
    "--socket=wayland",
    "--socket=fallback-x11",
    "--share=ipc",
    "--device=dri",
    "--share=network",
    "--talk-name=org.freedesktop.Notifications",
    "--talk-name=org.kde.StatusNotifierWatcher",
    "--filesystem=xdg-config/autostart:create",
    "--talk-name=org.freedesktop.secrets",
}

problems: list[str] = []


def expect(condition: bool, problem: str) -> None:
    if not condition:
        problems.append(problem)


def check_ids() -> str:
    desktop_path = LINUX / f"{APP_ID}.desktop"
    desktop = configparser.ConfigParser(interpolation=None, strict=True)
    desktop.optionxform = str  # keys are case-sensitive
    desktop.read(desktop_path, encoding="utf-8")
    entry = desktop["Desktop Entry"]
    expect(entry.get("Icon") == APP_ID, f"{desktop_path.name}: Icon={entry.get('Icon')}, want {APP_ID}")
    expect(entry.get("StartupWMClass") == APP_ID, f"{desktop_path.name}: StartupWMClass={entry.get('StartupWMClass')}, want {APP_ID}")
    expect(entry.get("Exec", "").split()[:1] == [BINARY], f"{desktop_path.name}: Exec={entry.get('Exec')}, want '{BINARY} ...'")
    expect("%F" in entry.get("Exec", "") or "%f" in entry.get("Exec", ""), f"{desktop_path.name}: Exec takes no file (%F)")
    expect("text/calendar" in entry.get("MimeType", "").split(";"), f"{desktop_path.name}: MimeType lacks text/calendar")
    expect({"Office", "Calendar"} <= set(entry.get("Categories", "").split(";")), f"{desktop_path.name}: Categories lack Office;Calendar;")

    metainfo_path = LINUX / f"{APP_ID}.metainfo.xml"
    root = ET.parse(metainfo_path).getroot()
    expect(root.findtext("id") == APP_ID, f"{metainfo_path.name}: <id> is {root.findtext('id')}")
    expect(root.findtext("launchable") == f"{APP_ID}.desktop", f"{metainfo_path.name}: <launchable> is {root.findtext('launchable')}")
    expect(root.findtext("provides/binary") == BINARY, f"{metainfo_path.name}: <provides><binary> is {root.findtext('provides/binary')}")
    expect(root.find("content_rating") is not None, f"{metainfo_path.name}: no <content_rating>")
    expect(root.find("developer/name") is not None, f"{metainfo_path.name}: no <developer><name>")
    expect(len(root.findall("screenshots/screenshot")) >= 1, f"{metainfo_path.name}: no screenshot")
    expect(len(root.findall("releases/release")) >= 1, f"{metainfo_path.name}: no release")

    manifest = (LINUX / f"{APP_ID}.yml").read_text(encoding="utf-8")
    expect(re.search(rf"^id: {re.escape(APP_ID)}$", manifest, re.M) is not None, f"{APP_ID}.yml: id is not {APP_ID}")
    expect(re.search(rf"^command: {BINARY}$", manifest, re.M) is not None, f"{APP_ID}.yml: command is not {BINARY}")

    for path in (HICOLOR / "scalable" / "apps" / f"{APP_ID}.svg", HICOLOR / "symbolic" / "apps" / f"{APP_ID}-symbolic.svg"):
        expect(path.is_file(), f"missing {path.relative_to(REPO)}")

    wxs = (WINDOWS / "convene.wxs").read_text(encoding="utf-8")
    aumid = (WINDOWS / "aumid.idt").read_text(encoding="utf-8")
    expect(f"\tSystem.AppUserModel.ID\t{APP_ID}" in aumid, f"aumid.idt: the shortcut's System.AppUserModel.ID is not {APP_ID}")
    shortcut = re.search(r'<Shortcut Id="([^"]+)"', wxs)
    expect(shortcut is not None and f"\t{shortcut.group(1)}\t" in aumid, "aumid.idt does not name convene.wxs's shortcut")
    expect(f'Value="{APP_ID}"' in wxs, f"convene.wxs: the .ics ProgID has no AppUserModelID {APP_ID}")
    expect('Name="convene.exe"' in wxs, "convene.wxs: no convene.exe")
    return f"app id {APP_ID} and binary '{BINARY}' agree across .desktop, metainfo, Flatpak manifest, icons, WiX"


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()[:24]
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError(f"{path}: not a PNG")
    return struct.unpack(">II", data[16:24])


def svg_colours(path: Path) -> set[str]:
    text = path.read_text(encoding="utf-8")
    ET.fromstring(text)  # well-formed
    colours = set(re.findall(r'(?:fill|stroke|stop-color)\s*[=:]\s*"?\s*(#[0-9a-fA-F]{3,8}|rgb\([^)]*\)|[a-z]+)', text))
    return {colour.lower() for colour in colours} - {"none", "currentcolor", "evenodd", "nonzero"}


def check_icons() -> str:
    master = HICOLOR / "scalable" / "apps" / f"{APP_ID}.svg"
    symbolic = HICOLOR / "symbolic" / "apps" / f"{APP_ID}-symbolic.svg"
    for size in PNG_SIZES:
        path = HICOLOR / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
        if not path.is_file():
            problems.append(f"missing {path.relative_to(REPO)}: run packaging/linux/make-icons.sh")
            continue
        expect(png_size(path) == (size, size), f"{path.relative_to(REPO)} is {png_size(path)}, want {size}x{size}")
    expect(len(svg_colours(master)) >= 2, f"{master.name}: expected a full-colour icon")
    colours = svg_colours(symbolic)
    expect(len(colours) <= 1, f"{symbolic.name} is not monochrome: {sorted(colours)}")
    copies = {
        REPO / "assets" / "icon.svg": master,
        REPO / "assets" / "icon-256.png": HICOLOR / "256x256" / "apps" / f"{APP_ID}.png",
    }
    for copy, source in copies.items():
        expect(copy.is_file() and copy.read_bytes() == source.read_bytes(),
               f"{copy.relative_to(REPO)} differs from {source.relative_to(REPO)}: run packaging/linux/make-icons.sh")
    stamp = HICOLOR.parent / "generated-from.sha256"
    if not stamp.is_file():
        problems.append(f"missing {stamp.relative_to(REPO)}: run packaging/linux/make-icons.sh")
    else:
        for line in stamp.read_text(encoding="utf-8").splitlines():
            digest, name = line.split(maxsplit=1)
            svg = HICOLOR / name.lstrip("*")
            expect(svg.is_file() and hashlib.sha256(svg.read_bytes()).hexdigest() == digest,
                   f"{svg.relative_to(REPO)} changed since the PNGs were made: run packaging/linux/make-icons.sh")
    ico = WINDOWS / "convene.ico"
    expect(ico.is_file() and ico.read_bytes()[:4] == b"\0\0\1\0", f"{ico.relative_to(REPO)} missing or not an .ico")
    return f"{len(PNG_SIZES)} PNG sizes 16..512, scalable + monochrome symbolic SVG, assets/ copies, convene.ico"


def check_flatpak(show_manifest_json: Path) -> str:
    manifest = json.loads(show_manifest_json.read_text(encoding="utf-8"))
    expect(manifest.get("id") == APP_ID, f"manifest id {manifest.get('id')}")
    expect(manifest.get("runtime") == "org.freedesktop.Platform", f"runtime {manifest.get('runtime')}")
    expect(manifest.get("sdk") == "org.freedesktop.Sdk", f"sdk {manifest.get('sdk')}")
    expect("org.freedesktop.Sdk.Extension.rust-stable" in manifest.get("sdk-extensions", []), "no rust-stable SDK extension")
    args = set(manifest.get("finish-args", []))
    expect(args <= FINISH_ARGS, f"finish-args wider than needed: {sorted(args - FINISH_ARGS)}")
    expect(FINISH_ARGS <= args, f"finish-args missing: {sorted(FINISH_ARGS - args)}")
    module = manifest["modules"][-1]
    commands = " ; ".join(module.get("build-commands", []))
    expect("--offline" in commands and "--locked" in commands, "the cargo build is not --offline --locked")
    env = {**manifest.get("build-options", {}).get("env", {}), **module.get("build-options", {}).get("env", {})}
    expect(env.get("CARGO_HOME", "").endswith("/cargo"), "CARGO_HOME does not point at the vendored cargo/ tree")
    archives = [s for s in module.get("sources", []) if s.get("type") == "archive"]
    expect(len(archives) > 0, "cargo-sources.json was not included in the module's sources")
    return f"runtime {manifest.get('runtime')}//{manifest.get('runtime-version')}, rust-stable, {len(args)} finish-args, {len(archives)} vendored crates"


def main() -> int:
    if len(sys.argv) < 2 or sys.argv[1] not in {"ids", "icons", "flatpak"}:
        print(__doc__, file=sys.stderr)
        return 2
    what = sys.argv[1]
    if what == "flatpak":
        summary = check_flatpak(Path(sys.argv[2]))
    elif what == "icons":
        summary = check_icons()
    else:
        summary = check_ids()
    for problem in problems:
        print(f"check-consistency {what}: {problem}", file=sys.stderr)
    if problems:
        return 1
    print(summary)
    return 0


if __name__ == "__main__":
    sys.exit(main())
