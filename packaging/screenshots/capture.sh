#!/usr/bin/env bash
# Captures Convene's window under a virtual X display into packaging/screenshots/NAME.png,
# and prints the window's WM_CLASS (it must be the app id, for StartupWMClass).
#
# Usage: packaging/screenshots/capture.sh NAME [-- CONVENE-ARGS...]
# Environment: CONVENE_BIN (default: target/release/convene), SIZE (default 1280x800),
#   WAIT (seconds to let the window settle before the shot; default 5).
# Needs (apt): xvfb xdotool x11-utils imagemagick, and the app's run-time libraries
#   (libx11-6 libxcursor1 libxrandr2 libxi6 libxkbcommon-x11-0 fontconfig fonts-dejavu-core).
# Renders with tiny-skia, so no GPU is needed.
set -euo pipefail
# shellcheck source=packaging/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../common.sh"

name=${1:?usage: capture.sh NAME [-- CONVENE-ARGS...]}
shift
[[ ${1:-} == -- ]] && shift
binary=${CONVENE_BIN:-$REPO_DIR/target/release/convene}
size=${SIZE:-1280x800}
out=$PACKAGING_DIR/screenshots/$name.png
[[ -x $binary ]] || { log "capture.sh: $binary not found: cargo build --release first, or set CONVENE_BIN"; exit 1; }
for tool in Xvfb xdotool xprop import; do
  command -v "$tool" >/dev/null || { log "capture.sh: $tool not found: apt-get install xvfb xdotool x11-utils imagemagick"; exit 1; }
done

display=:$((90 + RANDOM % 100))
Xvfb "$display" -screen 0 "${size}x24" -nolisten tcp &
xvfb=$!
app=
trap 'kill $app $xvfb 2>/dev/null || true' EXIT
sleep 1
DISPLAY=$display ICED_BACKEND=tiny-skia "$binary" "$@" &
app=$!

window=
for _ in $(seq 60); do
  window=$(DISPLAY=$display xdotool search --classname "$APP_ID" 2>/dev/null | head -n 1) && [[ -n $window ]] && break
  kill -0 "$app" 2>/dev/null || { log "capture.sh: convene exited before opening a window"; exit 1; }
  sleep 0.5
done
[[ -n $window ]] || { log "capture.sh: no window with WM_CLASS $APP_ID appeared"; exit 1; }
DISPLAY=$display xprop -id "$window" WM_CLASS
sleep "${WAIT:-5}"
DISPLAY=$display import -window "$window" "$out"
log "capture.sh: wrote $out"
