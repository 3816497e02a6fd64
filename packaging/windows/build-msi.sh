#!/usr/bin/env bash
# Cross-builds convene.exe for x86_64-pc-windows-gnu and packs it into a per-user MSI
# with wixl, on Debian or Ubuntu.
#
# Usage: packaging/windows/build-msi.sh [--no-install]
#   --no-install   don't install missing tools (rustup target, apt packages): fail instead
# Environment: CARGO_TARGET_DIR (default: <repo>/target); MSI_OUT_DIR (default:
#   $CARGO_TARGET_DIR/msi). The MSI is convene-VERSION-x86_64.msi; its path is the
#   last line printed on stdout. Everything else goes to stderr.
#
# Installs, when missing: the rustup target x86_64-pc-windows-gnu and the apt packages
# gcc-mingw-w64-x86-64 (linker), wixl (MSI builder), msitools (msibuild, msiinfo).
set -euo pipefail
# shellcheck source=packaging/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../common.sh"

install=1
for arg in "$@"; do
  case $arg in
    --no-install) install= ;;
    -h | --help) sed -n '2,14p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) log "build-msi.sh: unknown argument $arg"; exit 2 ;;
  esac
done

windows_dir=$PACKAGING_DIR/windows
target_dir=${CARGO_TARGET_DIR:-$REPO_DIR/target}
out_dir=${MSI_OUT_DIR:-$target_dir/msi}

# --- tools -------------------------------------------------------------------
if ! rustup target list --installed | grep -qx "$WINDOWS_TARGET"; then
  [[ -n $install ]] || { log "build-msi.sh: rustup target $WINDOWS_TARGET is not installed"; exit 1; }
  rustup target add "$WINDOWS_TARGET" >&2
fi
if [[ -n $install ]]; then
  apt_install gcc-mingw-w64-x86-64 wixl msitools
fi
for tool in x86_64-w64-mingw32-gcc wixl msibuild msiinfo; do
  command -v "$tool" >/dev/null || { log "build-msi.sh: $tool not found"; exit 1; }
done

# --- version: Cargo.toml is the one place ------------------------------------
version=$(cargo_version)
# An MSI ProductVersion is numeric major.minor.build: drop any -pre or +build suffix.
msi_version=${version%%[-+]*}
[[ $msi_version =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || { log "build-msi.sh: cannot make an MSI version of $version"; exit 1; }
[[ $msi_version == "$version" ]] || log "build-msi.sh: MSI version $msi_version for $version"

# --- convene.exe -------------------------------------------------------------
log "build-msi.sh: cargo build --profile packaging --target $WINDOWS_TARGET --locked"
cargo build --manifest-path "$REPO_DIR/Cargo.toml" --bin convene \
  --profile packaging --target "$WINDOWS_TARGET" --locked >&2
exe=$target_dir/$WINDOWS_TARGET/packaging/convene.exe
[[ -f $exe ]] || { log "build-msi.sh: $exe was not built"; exit 1; }

# --- the MSI -----------------------------------------------------------------
# wixl looks up <File Source> relative to the working directory: stage the files.
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
cp "$exe" "$stage/convene.exe"
cp "$windows_dir/convene.ico" "$windows_dir/License.rtf" "$stage/"

mkdir -p "$out_dir"
out_dir=$(cd "$out_dir" && pwd)  # absolute: wixl runs in the staging directory
msi=$out_dir/convene-$version-x86_64.msi
rm -f "$msi"
(cd "$stage" && wixl --arch x64 --define "Version=$msi_version" --output "$msi" "$windows_dir/convene.wxs") >&2

# Two things wixl cannot express, added with msibuild:
# 1. the shortcut's System.AppUserModel.ID (MsiShortcutProperty table);
msibuild "$msi" -i "$windows_dir/aumid.idt"
# 2. a major upgrade that includes this very version, so a rebuild replaces it.
msiinfo export "$msi" Upgrade | python3 -c '
import sys
rows = sys.stdin.read().replace("\r\n", "\n").rstrip("\n").split("\n")
for i, row in enumerate(rows):
    cells = row.split("\t")
    if i >= 3 and cells[-1] == "WIX_UPGRADE_DETECTED":
        cells[4] = str(int(cells[4]) | 512)  # msidbUpgradeAttributesVersionMaxInclusive
    rows[i] = "\t".join(cells)
sys.stdout.write("\r\n".join(rows) + "\r\n")
' >"$stage/Upgrade.idt"
msibuild "$msi" -i "$stage/Upgrade.idt"

log "build-msi.sh: built $msi ($(du -h "$msi" | cut -f1)) from $exe"
printf '%s\n' "$msi"
