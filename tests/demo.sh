#!/usr/bin/env bash
# The README's run command: starts a local real CalDAV server (Cyrus, with an
# organizer and an attendee), seeds invitations from the organizer to the
# attendee, and runs Convene as the attendee.
#
#   bash tests/demo.sh            as root, on Debian 12 with the Rust toolchain
#   bash tests/demo.sh --fresh    start over: Cyrus back to its post-install
#                                 state, the demo profile forgotten
#
# The first run (no demo profile yet) starts over by itself, so the attendee
# sees the demo's invitations and not what earlier test runs left in Cyrus;
# later runs keep the server's state and the profile (seeding skips what is
# there).
#
# CONVENE_BIN=PATH uses an already built convene instead of `cargo build`.
# Seeded invitations: tests/demo/invitations/ (see tests/demo/seed.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

export CONVENE_SERVERS_DIR="${CONVENE_SERVERS_DIR:-/var/tmp/convene-servers}"
DIR=$CONVENE_SERVERS_DIR
harness=tests/servers/harness.sh
profile="$DIR/demo-profile"
cyrus=http://127.0.0.1:58008/

fresh=0
case ${1:-} in
--fresh) fresh=1 ;;
"") ;;
*)
    sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac

step() { printf '\n==> %s\n' "$*"; }

step "Installing and starting the local CalDAV servers (tests/servers/harness.sh)"
bash "$harness" install
bash "$harness" start
if ((fresh)) || [[ ! -d $profile ]]; then
    bash "$harness" reset cyrus
    rm -rf "$profile"
fi

if [[ -n ${CONVENE_BIN:-} ]]; then
    bin=$CONVENE_BIN
else
    step "Building Convene"
    cargo build --locked --bin convene
    bin=${CARGO_TARGET_DIR:-target}/debug/convene
fi
# --profile goes last: it is global, so every subcommand takes it there.
convene() { "$bin" "$@" --profile "$profile"; }

# The full report has a line per capability; `convene check-server` shows it.
step "Convene checks the servers as the attendee (summary of convene check-server)"
convene check-server --url "$cyrus" --user attendee \
    --password-command "cat $DIR/passwords/attendee" | grep -E '^(Server|In short)'
convene check-server --url https://127.0.0.1:58443/ --user attendee \
    --ca-file "$DIR/ca/ca.crt" \
    --password-command "cat $DIR/passwords/attendee" | grep -E '^(Server|In short)'

step "The organizer sends invitations (tests/demo/seed.sh)"
bash tests/demo/seed.sh

step "Convene profile $profile with the attendee's account"
if convene account list | cut -f1 | grep -x demo >/dev/null; then
    echo "account demo exists already:"
    convene account list
else
    convene account add --url "$cyrus" --user attendee \
        --password-command "cat $DIR/passwords/attendee" --name demo
fi

step "convene sync"
convene sync

# The window:
step "Invitations waiting for the attendee (convene invitations)"
convene invitations
cat <<EOF

To see the merge dialog: with the window open, let the organizer move an
event you have not answered, then answer it in the window:

  bash tests/demo/reschedule.sh
      the organizer moves "Design review" by a day and two hours

The command-line twin: "$bin reply convene-demo-design-review@example.com
accept --profile $profile" exits 3 and prints what changed; adding --resend
sends the answer for the new version.

To import a calendar file without mailing its attendees: "Import…" in the
window and choose tests/demo/team-calendar.ics, or from a shell:

  $bin --profile $profile open tests/demo/team-calendar.ics
  $bin --profile $profile import tests/demo/team-calendar.ics --calendar Default --scheduling none

The servers keep running; stop them with: bash $harness stop
EOF

if [[ -n ${DISPLAY:-}${WAYLAND_DISPLAY:-} ]]; then
    step "Opening Convene as the attendee"
    exec "$bin" --profile "$profile"
fi
echo
echo "No display here (DISPLAY/WAYLAND_DISPLAY unset), so the window can't open."
echo "On a desktop, run: $bin --profile $profile"
echo "Headless: xvfb-run -s '-screen 0 1280x800x24' $bin --profile $profile"
