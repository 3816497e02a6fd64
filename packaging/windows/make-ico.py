#!/usr/bin/env python3
"""Pack PNG images into one Windows .ico file (PNG-compressed entries, Vista and later).

Usage: make-ico.py OUT.ico IN-16.png IN-32.png ...   (square PNGs, 256 px at most)
Called by packaging/linux/make-icons.sh; uses the standard library only.
"""
import struct
import sys


def png_size(data: bytes) -> tuple[int, int]:
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        raise ValueError("not a PNG file")
    return struct.unpack(">II", data[16:24])


def main(out: str, inputs: list[str]) -> None:
    images = []
    for path in inputs:
        with open(path, "rb") as f:
            data = f.read()
        width, height = png_size(data)
        if width != height or width > 256:
            raise SystemExit(f"{path}: {width}x{height}: want a square of 256 px at most")
        images.append((width, data))
    images.sort(key=lambda image: image[0])

    header = struct.pack("<HHH", 0, 1, len(images))
    offset = len(header) + 16 * len(images)
    entries, blobs = [], []
    for width, data in images:
        side = 0 if width == 256 else width  # 0 means 256 in an ICO directory
        entries.append(struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(data), offset))
        blobs.append(data)
        offset += len(data)
    with open(out, "wb") as f:
        f.write(header + b"".join(entries) + b"".join(blobs))


if __name__ == "__main__":
    if len(sys.argv) < 3:
        raise SystemExit(__doc__)
    main(sys.argv[1], sys.argv[2:])
