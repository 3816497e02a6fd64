#!/usr/bin/env bash
# Smoke test of running servers, driven by $DIR/servers.json (so it also
# checks that file). For each server:
#   1. OPTIONS on the calendar home answers with a DAV header
#   2. PROPFIND current-user-principal finds the principal servers.json names
#   3. with --clean: the attendee's default calendar is empty (as right after
#      install or reset)
#   4. organizer PUTs a 2030 event inviting attendee@example.com: the attendee's
#      copy shows up in default_calendar where "scheduling" is true, and does
#      not where it is false
# Usage: smoke.sh [--clean] [SERVER...]   (default: all in servers.json)
# Leaves its event behind: run `harness.sh reset` for a clean state again.
set -euo pipefail

DIR="${CONVENE_SERVERS_DIR:-/var/tmp/convene-servers}"
JSON="$DIR/servers.json"
[[ -f $JSON ]] || {
	echo "no $JSON: run harness.sh start" >&2
	exit 1
}

passed=0
failed=0
ok() {
	printf '  ok    %s\n' "$*"
	passed=$((passed + 1))
}
bad() {
	printf '  FAIL  %s\n' "$*"
	failed=$((failed + 1))
}

# field SERVER KEY -> value from servers.json ("null" for JSON null)
field() {
	/usr/bin/python3 -c 'import json,sys
v=json.load(open(sys.argv[1]))[sys.argv[2]][sys.argv[3]]
print("null" if v is None else str(v).lower() if isinstance(v,bool) else v)' "$JSON" "$1" "$2"
}

# dav SERVER USER METHOD PATH [curl args...] -> body on stdout
dav() {
	local srv=$1 user=$2 method=$3 path=$4 url ca
	shift 4
	url=$(field "$srv" url)
	ca=$(field "$srv" ca_file)
	local args=(-sS --max-time 20 -u "$user:$(cat "$DIR/passwords/$user")" -X "$method")
	[[ $ca != null ]] && args+=(--cacert "$ca")
	curl "${args[@]}" "$@" "${url%/}$path"
}

upath() { local p; p=$(field "$1" "$2"); echo "${p//\{user\}/$3}"; }

XML='Content-Type: application/xml; charset=utf-8'
QUERY='<?xml version="1.0" encoding="utf-8"?>
<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
<D:prop><D:getetag/><C:calendar-data/></D:prop>
<C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"/></C:comp-filter></C:filter>
</C:calendar-query>'

check_server() {
	local srv=$1 home principal cal_o cal_a body dav_hdr uid code found i stamp
	echo "== $srv"
	home=$(upath "$srv" calendar_home organizer)
	principal=$(upath "$srv" principal organizer)
	cal_o=$(upath "$srv" default_calendar organizer)
	cal_a=$(upath "$srv" default_calendar attendee)

	dav_hdr=$(dav "$srv" organizer OPTIONS "$home" -D - -o /dev/null | tr -d '\r' | grep -i '^DAV:' | paste -sd' ' || true)
	if [[ -n $dav_hdr ]]; then ok "OPTIONS $home -> $dav_hdr"; else bad "OPTIONS $home: no DAV header"; fi

	body=$(dav "$srv" organizer PROPFIND / -H 'Depth: 0' -H "$XML" \
		--data '<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:prop><D:current-user-principal/></D:prop></D:propfind>')
	if grep -q "$principal" <<<"$body"; then ok "current-user-principal = $principal"; else bad "current-user-principal: expected $principal in: $body"; fi

	if ((clean)); then
		body=$(dav "$srv" attendee REPORT "$cal_a" -H 'Depth: 1' -H "$XML" --data "$QUERY")
		if grep -q 'BEGIN:VEVENT' <<<"$body"; then bad "attendee calendar $cal_a is not empty"; else ok "attendee calendar $cal_a starts empty"; fi
	fi

	stamp=$(date +%s%N)
	uid="smoke-$srv-$stamp@example.com"
	code=$(printf '%s\r\n' \
		'BEGIN:VCALENDAR' 'VERSION:2.0' 'PRODID:-//Convene//smoke//EN' 'BEGIN:VEVENT' \
		"UID:$uid" 'DTSTAMP:20300101T000000Z' 'DTSTART:20300115T100000Z' 'DTEND:20300115T110000Z' \
		'SUMMARY:Harness smoke' 'ORGANIZER;CN=Organizer:mailto:organizer@example.com' \
		'ATTENDEE;PARTSTAT=ACCEPTED;ROLE=CHAIR:mailto:organizer@example.com' \
		'ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:attendee@example.com' \
		'END:VEVENT' 'END:VCALENDAR' |
		dav "$srv" organizer PUT "${cal_o}smoke-$stamp.ics" -H 'Content-Type: text/calendar; charset=utf-8' \
			-H 'If-None-Match: *' --data-binary @- -o /dev/null -w '%{http_code}')
	if [[ $code == 201 || $code == 204 ]]; then ok "organizer PUT ${cal_o}smoke-$stamp.ics -> $code"; else bad "organizer PUT -> HTTP $code"; fi

	found=0
	for ((i = 0; i < 20; i++)); do
		body=$(dav "$srv" attendee REPORT "$cal_a" -H 'Depth: 1' -H "$XML" --data "$QUERY")
		if grep -q "$uid" <<<"$body"; then
			found=1
			break
		fi
		[[ $(field "$srv" scheduling) == true ]] || break
		sleep 0.1
	done
	if [[ $(field "$srv" scheduling) == true ]]; then
		if ((found)); then ok "attendee copy delivered to $cal_a"; else bad "no attendee copy in $cal_a"; fi
	else
		if ((found)); then bad "unexpected attendee copy in $cal_a"; else ok "no implicit scheduling (as expected)"; fi
	fi
}

clean=0
if [[ ${1:-} == --clean ]]; then
	clean=1
	shift
fi
servers=("$@")
if ((${#servers[@]} == 0)); then
	mapfile -t servers < <(/usr/bin/python3 -c 'import json,sys
print("\n".join(k for k,v in json.load(open(sys.argv[1])).items() if isinstance(v,dict)))' "$JSON")
fi
for s in "${servers[@]}"; do check_server "$s"; done
echo "$passed passed, $failed failed"
((failed == 0))
