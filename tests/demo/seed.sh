#!/usr/bin/env bash
# Seeds the demo: organizer@example.com invites attendee@example.com (and, on
# some, attendee2@example.com) to every tests/demo/invitations/*.ics, PUT into
# the organizer's calendar on the harness's Cyrus; Cyrus's implicit
# scheduling delivers each invitation to the attendees' default calendars.
#
#   bash tests/demo/seed.sh
#
# Idempotent: fixed UIDs, PUT with If-None-Match: * (412 = already there).
# The cancelled invitation is first sent as a normal one (STATUS:CONFIRMED,
# SEQUENCE one lower), then as the file has it, so the attendees' copies
# show the cancellation as a real organizer would cause it.
# The files are written for 2026-11-21; on a later day every date moves by
# whole weeks (ics.py weeks) so the invitations lie ahead (Cyrus sends no
# iTIP for events more than 7 days in the past).
# Needs: harness.sh install + start. Env: CONVENE_SERVERS_DIR, CONVENE_DEMO_URL.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"

files=("$DEMO_HERE"/invitations/*.ics)
ics check "${files[@]}" || die "invalid invitation file(s), see above"
weeks=$(ics weeks)
organizer_cal=$(calendar_url organizer)
echo "Seeding ${#files[@]} invitations from organizer@example.com into $organizer_cal"
((weeks == 0)) || echo "(dates moved $weeks week(s) later than written, to stay in the future)"

uids=()
with_attendee2=()
for f in "${files[@]}"; do
	ics shift "$weeks" "$f" "$work/final.ics"
	IFS=$'\t' read -r uid summary when < <(ics describe "$work/final.ics")
	uids+=("$uid")
	if grep -qi 'mailto:attendee2@example.com' "$f"; then with_attendee2+=("$uid"); fi
	url="$organizer_cal${uid%@*}.ics"
	if [[ $(ics status "$work/final.ics") == CANCELLED ]]; then
		ics precancel "$work/final.ics" "$work/first.ics"
		code=$(put_ics organizer "$url" "$work/first.ics" 'If-None-Match: *')
		case $code in
		201 | 204) state=created ;;
		412) state=exists ;;
		*) die "PUT $url: HTTP $code $(head -c 300 "$work/put.body")" ;;
		esac
		etag=$(get_ics organizer "$url" "$work/server.ics")
		if [[ $(ics status "$work/server.ics") == CANCELLED ]]; then
			state="$state, cancelled"
		else
			code=$(put_ics organizer "$url" "$work/final.ics" "If-Match: $etag")
			[[ $code == 204 || $code == 201 ]] || die "PUT (cancel) $url: HTTP $code $(head -c 300 "$work/put.body")"
			state="$state, then cancelled"
		fi
	else
		code=$(put_ics organizer "$url" "$work/final.ics" 'If-None-Match: *')
		case $code in
		201 | 204) state=created ;;
		412) state=exists ;;
		*) die "PUT $url: HTTP $code $(head -c 300 "$work/put.body")" ;;
		esac
	fi
	printf '  %-24s %-44s %s\n      %s\n' "$state" "$uid" "$when" "$summary"
done

# Cyrus schedules within the PUT; the loop only guards against a slow disk.
check_delivery() {
	local user=$1 have missing i
	shift
	for ((i = 0; i < 20; i++)); do
		have=$(listing "$user" | cut -f2,3)
		missing=()
		for uid in "$@"; do grep -qF "$uid"$'\t' <<<"$have" || missing+=("$uid"); done
		((${#missing[@]} == 0)) && break
		sleep 0.1
	done
	printf '%s has %d of %d invitations' "$user" $(($# - ${#missing[@]})) $#
	if ((${#missing[@]})); then
		printf '; MISSING: %s\n' "${missing[*]}"
		return 1
	fi
	printf ' (%d cancelled)\n' "$(grep -c $'\tCANCELLED$' <<<"$have" || true)"
}
# The attendee's own events of this week and the next, so the week the
# window opens on is a week someone lives in (written by the attendee, not
# invitations: Cyrus schedules nothing for them).
mkdir "$work/week"
ics week "$work/week"
attendee_cal=$(calendar_url attendee)
added=0
for f in "$work"/week/*.ics; do
	url="$attendee_cal$(basename "$f")"
	code=$(put_ics attendee "$url" "$f" 'If-None-Match: *')
	case $code in
	201 | 204) added=$((added + 1)) ;;
	412) ;;
	*) die "PUT $url: HTTP $code $(head -c 300 "$work/put.body")" ;;
	esac
done
echo "attendee's own events of this week and the next: $added added ($(find "$work/week" -name '*.ics' | wc -l) in all)"

check_delivery attendee "${uids[@]}"
check_delivery attendee2 "${with_attendee2[@]}"
