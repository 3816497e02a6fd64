#!/usr/bin/env bash
# Regenerates every raster icon from the two SVG masters:
#   icons/hicolor/scalable/apps/io.github.convene.Convene.svg           (full colour)
#   icons/hicolor/symbolic/apps/io.github.convene.Convene-symbolic.svg  (monochrome)
# into icons/hicolor/NxN/apps/ (16..512 px), assets/icon.svg + assets/icon-256.png
# (the window icon) and packaging/windows/convene.ico (the MSI's icon).
# Needs rsvg-convert (Debian: librsvg2-bin) and python3. Commit what it writes.
set -euo pipefail

APP_ID=io.github.convene.Convene
SIZES=(16 24 32 48 64 128 256 512)
ICO_SIZES=(16 24 32 48 64 256)

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
hicolor="$here/icons/hicolor"
master="$hicolor/scalable/apps/$APP_ID.svg"
symbolic="$hicolor/symbolic/apps/$APP_ID-symbolic.svg"

if ! command -v rsvg-convert >/dev/null; then
  echo "make-icons.sh: rsvg-convert not found; install it with: apt-get install librsvg2-bin" >&2
  exit 1
fi
for svg in "$master" "$symbolic"; do
  [[ -f $svg ]] || { echo "make-icons.sh: missing $svg" >&2; exit 1; }
done

for size in "${SIZES[@]}"; do
  dir="$hicolor/${size}x${size}/apps"
  mkdir -p "$dir"
  rsvg-convert --width "$size" --height "$size" --keep-aspect-ratio \
    --output "$dir/$APP_ID.png" "$master"
done

mkdir -p "$repo/assets"
cp "$master" "$repo/assets/icon.svg"
cp "$hicolor/256x256/apps/$APP_ID.png" "$repo/assets/icon-256.png"

ico_inputs=()
for size in "${ICO_SIZES[@]}"; do
  ico_inputs+=("$hicolor/${size}x${size}/apps/$APP_ID.png")
done
python3 "$repo/packaging/windows/make-ico.py" "$repo/packaging/windows/convene.ico" "${ico_inputs[@]}"

# Lets packaging/check.sh notice an SVG edited without running this script (comparing
# PNGs would depend on the librsvg version).
(cd "$here/icons/hicolor" && sha256sum "scalable/apps/$APP_ID.svg" "symbolic/apps/$APP_ID-symbolic.svg") \
  >"$here/icons/generated-from.sha256"

echo "make-icons.sh: wrote ${#SIZES[@]} PNG sizes, assets/icon.svg, assets/icon-256.png, packaging/windows/convene.ico"
