#!/usr/bin/env bash
# The README's test command (the full run): installs and starts everything
# the tests need (the four CalDAV servers included), runs every check, the
# live-server tests too, the benchmarks and packaging checks, stops the
# servers. Plain `cargo test` is the fast loop: it needs no server and lists
# the live tests as ignored; here they run with `--include-ignored`.
set -euo pipefail
cd "$(dirname "$0")/.."

export CONVENE_SERVERS_DIR="${CONVENE_SERVERS_DIR:-/var/tmp/convene-servers}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
# UI tests render on the CPU; the two renderers' output differs.
export ICED_TEST_BACKEND=tiny-skia
harness=tests/servers/harness.sh

step() { printf '\n==> [%dm%02ds] %s\n' $((SECONDS / 60)) $((SECONDS % 60)) "$*"; }

# Server installation is mostly apt and pip waiting on I/O: let it overlap
# with the compile instead of adding to it.
# The builds (tests, benchmarks, the MSI cross-build) take about 8 GB;
# say what there is, so a full disk is the first thing a failed run shows.
step "disk: $(df -h --output=avail . | tail -1 | tr -d ' ') free here"

step "installing test servers (background, log: $CONVENE_SERVERS_DIR/install.log)"
mkdir -p "$CONVENE_SERVERS_DIR"
install_done="$CONVENE_SERVERS_DIR/install.done"
rm -f "$install_done"
(bash "$harness" install >"$CONVENE_SERVERS_DIR/install.log" 2>&1; status=$?; touch "$install_done"; exit $status) &
install_pid=$!

# The release builds for the benchmarks and the MSI are CPU work the checks
# below leave room for (linking, the live tests waiting on servers): build
# them niced from the start, so they take idle time instead of adding to
# the run. Nothing is timed until they are done. They use a target
# directory of their own: cargo locks one directory per build, and the
# checks must not wait. The packaging checks install with apt too, so they
# start once the server installation is through with it.
background_target="$(realpath -m "${CARGO_TARGET_DIR:-target}")/background"
step "building benchmarks, then packaging checks (background, log: $CONVENE_SERVERS_DIR/packaging.log)"
(export CARGO_TARGET_DIR="$background_target"
    nice -n 19 cargo bench --locked --no-run || exit
    while [[ ! -e $install_done ]]; do sleep 5; done
    # The check proves the MSI is built, holds the exe and unpacks to it;
    # nothing here measures that exe's speed, so it is built without LTO,
    # unoptimised, in 16 codegen units: less CPU beside the live tests.
    # build-msi.sh alone builds the released profile as Cargo.toml has it.
    export CARGO_PROFILE_PACKAGING_LTO=false CARGO_PROFILE_PACKAGING_OPT_LEVEL=0 \
        CARGO_PROFILE_PACKAGING_CODEGEN_UNITS=16
    nice -n 19 bash packaging/check.sh) \
    >"$CONVENE_SERVERS_DIR/packaging.log" 2>&1 &
packaging_pid=$!
# A failed check ends the run: the background work ends with it.
servers_started=
cleanup() {
    local job
    for job in $(jobs -p); do
        pkill -TERM -P "$job" 2>/dev/null || true
        kill "$job" 2>/dev/null || true
    done
    if [[ -n $servers_started ]]; then bash "$harness" stop || true; fi
}
trap cleanup EXIT

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy"
cargo clippy --locked --all-targets -- -D warnings

step "building tests"
cargo test --locked --no-run

step "waiting for the server installation"
if ! wait "$install_pid"; then
    tail -n 60 "$CONVENE_SERVERS_DIR/install.log"
    echo "server installation failed" >&2
    exit 1
fi

servers_started=1
# reset, not start: every run begins from the post-install data, whatever
# an earlier run (or a developer's session) left on these servers.
step "starting test servers from their post-install data"
bash "$harness" reset
# The tests write into Cyrus as the demo's users: the demo (tests/demo.sh)
# starts over next time instead of showing their leftovers.
rm -rf "$CONVENE_SERVERS_DIR/demo-profile"

step "cargo test: unit, hermetic and live-server tests"
# One test at a time: Xandikos 0.4.10 (multi-user mode is "experimental")
# answers 423 or 500 and can drop a scheduling delivery when several
# clients write one calendar at once; real users do not write that fast.
tests_status=0
cargo test --locked --no-fail-fast -- --include-ignored --test-threads 1 || tests_status=$?

step "packaging checks (and the benchmark build)"
packaging_status=0
wait "$packaging_pid" || packaging_status=$?
cat "$CONVENE_SERVERS_DIR/packaging.log"
if [[ $tests_status -ne 0 || $packaging_status -ne 0 ]]; then
    echo "failed: cargo test exit $tests_status, benchmark build and packaging exit $packaging_status" >&2
    exit 1
fi

step "benchmarks (print figures; goals are not asserted)"
# The import benchmark writes 1,000 events into Cyrus; CONVENE_BENCH_FULL=1
# makes it the 5,000-event Xandikos run (about 20 minutes more).
export CARGO_TARGET_DIR="$background_target"
cargo bench --locked --bench startup
cargo bench --locked --bench views
cargo bench --locked --bench sync
cargo bench --locked --bench import
