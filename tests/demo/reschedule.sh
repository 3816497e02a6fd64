#!/usr/bin/env bash
# The organizer moves one seeded invitation by a day and two hours (GET their
# copy, new DTSTART/DTEND, SEQUENCE + 1, PUT with If-Match), and Cyrus
# updates the attendees' copies. An answer the attendee prepared on the old
# copy now meets a changed event: Convene's reply gets a 412, re-reads, and
# stops with exit 3, showing what changed (the window shows its merge dialog).
#
#   bash tests/demo/reschedule.sh [UID]   (default: the design review)
#
# Single events only (not a recurring series). Run it again to move it again.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"

uid=${1:-convene-demo-design-review@example.com}
found=$(listing organizer "$uid")
[[ -n $found ]] || die "no event with UID $uid in $(calendar_url organizer) (run tests/demo/seed.sh)"
href=$(head -n 1 <<<"$found" | cut -f1)
url="${DEMO_URL%/}$href"

etag=$(get_ics organizer "$url" "$work/old.ics")
moved=$(ics reschedule "$work/old.ics" "$work/new.ics")
code=$(put_ics organizer "$url" "$work/new.ics" "If-Match: $etag")
[[ $code == 204 || $code == 201 ]] || die "PUT $url: HTTP $code $(head -c 300 "$work/put.body")"
echo "The organizer moved $uid"
echo "  $moved"

copy=$(listing attendee "$uid")
if [[ -n $copy ]]; then
	IFS=$'\t' read -r _ _ status seq start <<<"$copy"
	echo "  attendee's copy now: $start, SEQUENCE $seq${status:+, $status}"
else
	echo "  attendee has no copy of it (not invited?)"
fi
