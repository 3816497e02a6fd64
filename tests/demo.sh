#!/usr/bin/env bash
# The README's run command: starts a local real CalDAV server (Cyrus, with
# an organizer and an attendee) and runs Convene against it as the attendee.
set -euo pipefail
cd "$(dirname "$0")/.."

export CONVENE_SERVERS_DIR="${CONVENE_SERVERS_DIR:-/var/tmp/convene-servers}"
harness=tests/servers/harness.sh

bash "$harness" install
bash "$harness" start
cargo build --locked --bin convene
profile="$CONVENE_SERVERS_DIR/demo-profile"
mkdir -p "$profile"

echo
echo "Convene checks the local Cyrus server as the attendee:"
echo
./target/debug/convene --profile "$profile" check-server \
    --url http://127.0.0.1:58008/ --user attendee \
    --password-command "cat $CONVENE_SERVERS_DIR/passwords/attendee"
echo
echo "And the HTTPS Xandikos server, trusting the harness's own CA:"
echo
./target/debug/convene --profile "$profile" check-server \
    --url https://127.0.0.1:58443/ --user attendee \
    --ca-file "$CONVENE_SERVERS_DIR/ca/ca.crt" \
    --password-command "cat $CONVENE_SERVERS_DIR/passwords/attendee"
echo
echo "The servers keep running; stop them with: bash $harness stop"
