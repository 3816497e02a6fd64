#!/usr/bin/env bash
# Capture golden responses from the running servers into tests/fixtures/.
#
#   tests/servers/harness.sh start && tests/servers/capture-fixtures.sh [SERVER...]
#
# Resets each server first, so the captures start from the pristine state,
# then has organizer invite attendee (implicit scheduling delivers the copy;
# on Radicale, which does not schedule, attendee stores the same invitation
# itself). Every capture is made as attendee. For each fixture NAME:
#   NAME.headers   status line + response headers as received (CRLF kept);
#                  request headers (Authorization) are never recorded
#   NAME.xml/.ics  the raw response body, byte for byte
# The request bodies sent are in tests/fixtures/requests/.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
FIX="$(cd "$HERE/.." && pwd)/fixtures"
DIR="${CONVENE_SERVERS_DIR:-/var/tmp/convene-servers}"
JSON="$DIR/servers.json"
[[ -f $JSON ]] || {
	echo "no $JSON: run harness.sh start" >&2
	exit 1
}

field() {
	/usr/bin/python3 -c 'import json,sys
v=json.load(open(sys.argv[1]))[sys.argv[2]][sys.argv[3]]
print("null" if v is None else str(v).lower() if isinstance(v,bool) else v)' "$JSON" "$1" "$2"
}
upath() { local p; p=$(field "$1" "$2"); echo "${p//\{user\}/$3}"; }

XML='Content-Type: application/xml; charset=utf-8'
REQ="$FIX/requests"
mkdir -p "$REQ"

# Request bodies, written once so that the Rust tests can replay them.
cat >"$REQ/propfind-current-user-principal.xml" <<'EOF'
<?xml version="1.0" encoding="utf-8"?>
<D:propfind xmlns:D="DAV:"><D:prop><D:current-user-principal/></D:prop></D:propfind>
EOF
cat >"$REQ/propfind-principal.xml" <<'EOF'
<?xml version="1.0" encoding="utf-8"?>
<D:propfind xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:prop>
    <C:calendar-home-set/>
    <C:calendar-user-address-set/>
    <C:schedule-inbox-URL/>
    <C:schedule-outbox-URL/>
    <D:displayname/>
  </D:prop>
</D:propfind>
EOF
cat >"$REQ/propfind-home.xml" <<'EOF'
<?xml version="1.0" encoding="utf-8"?>
<D:propfind xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav" xmlns:A="http://apple.com/ns/ical/" xmlns:CS="http://calendarserver.org/ns/">
  <D:prop>
    <D:resourcetype/>
    <D:displayname/>
    <A:calendar-color/>
    <C:supported-calendar-component-set/>
    <CS:getctag/>
    <D:sync-token/>
  </D:prop>
</D:propfind>
EOF
cat >"$REQ/report-sync-initial.xml" <<'EOF'
<?xml version="1.0" encoding="utf-8"?>
<D:sync-collection xmlns:D="DAV:">
  <D:sync-token/>
  <D:sync-level>1</D:sync-level>
  <D:prop><D:getetag/></D:prop>
</D:sync-collection>
EOF
cat >"$REQ/report-sync-bogus.xml" <<'EOF'
<?xml version="1.0" encoding="utf-8"?>
<D:sync-collection xmlns:D="DAV:">
  <D:sync-token>http://example.com/bogus</D:sync-token>
  <D:sync-level>1</D:sync-level>
  <D:prop><D:getetag/></D:prop>
</D:sync-collection>
EOF
cat >"$REQ/report-calendar-query-uid.xml" <<'EOF'
<?xml version="1.0" encoding="utf-8"?>
<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:prop><D:getetag/></D:prop>
  <C:filter>
    <C:comp-filter name="VCALENDAR">
      <C:comp-filter name="VEVENT">
        <C:prop-filter name="UID"><C:text-match collation="i;octet">fixture-invite@example.com</C:text-match></C:prop-filter>
      </C:comp-filter>
    </C:comp-filter>
  </C:filter>
</C:calendar-query>
EOF
# multiget is written per server (it names the attendee copy's href).
printf '%s\r\n' 'BEGIN:VCALENDAR' 'VERSION:2.0' 'PRODID:-//Convene//fixtures//EN' \
	'BEGIN:VEVENT' 'UID:fixture-invite@example.com' 'DTSTAMP:20300101T090000Z' \
	'DTSTART:20300115T100000Z' 'DTEND:20300115T110000Z' 'SUMMARY:Fixture meeting' \
	'ORGANIZER;CN=Organizer:mailto:organizer@example.com' \
	'ATTENDEE;CN=Organizer;PARTSTAT=ACCEPTED;ROLE=CHAIR:mailto:organizer@example.com' \
	'ATTENDEE;CN=Attendee;PARTSTAT=NEEDS-ACTION;ROLE=REQ-PARTICIPANT;RSVP=TRUE:mailto:attendee@example.com' \
	'END:VEVENT' 'END:VCALENDAR' >"$REQ/invite.ics"

# req SERVER USER METHOD PATH OUTBASE BODYEXT [curl args...]
# Writes OUTBASE.headers and (when BODYEXT is not empty) OUTBASE.BODYEXT.
req() {
	local srv=$1 user=$2 method=$3 path=$4 out=$5 ext=$6 url ca
	shift 6
	url=$(field "$srv" url)
	ca=$(field "$srv" ca_file)
	# Expect: (empty) stops curl's 100-continue, whose interim status line
	# would otherwise open the .headers file.
	local args=(-sS --max-time 20 -H 'Expect:' -u "$user:$(cat "$DIR/passwords/$user")" -X "$method" -D "$out.headers")
	[[ $ca != null ]] && args+=(--cacert "$ca")
	if [[ -n $ext ]]; then args+=(-o "$out.$ext"); else args+=(-o /dev/null); fi
	curl "${args[@]}" "$@" "${url%/}$path"
	printf '  %-32s %s\n' "$(basename "$out")" "$(head -n1 "$out.headers" | tr -d '\r')"
}

capture() {
	local srv=$1 out home principal cal_o cal_a href
	out="$FIX/$srv"
	echo "== $srv"
	"$HERE/harness.sh" reset "$srv" >/dev/null 2>&1
	rm -rf "$out"
	mkdir -p "$out"
	home=$(upath "$srv" calendar_home attendee)
	principal=$(upath "$srv" principal attendee)
	cal_o=$(upath "$srv" default_calendar organizer)
	cal_a=$(upath "$srv" default_calendar attendee)

	# The invitation: organizer's PUT (scheduling servers deliver the copy).
	if [[ $(field "$srv" scheduling) == true ]]; then
		req "$srv" organizer PUT "${cal_o}fixture-invite.ics" "$out/put-organizer-invite" "" \
			-H 'Content-Type: text/calendar; charset=utf-8' -H 'If-None-Match: *' --data-binary @"$REQ/invite.ics"
	else
		req "$srv" attendee PUT "${cal_a}fixture-invite.ics" "$out/put-attendee-invite" "" \
			-H 'Content-Type: text/calendar; charset=utf-8' -H 'If-None-Match: *' --data-binary @"$REQ/invite.ics"
	fi
	sleep 0.3 # Cyrus and DAViCal deliver synchronously; Xandikos within the request too

	req "$srv" attendee OPTIONS "$home" "$out/options-home" ""
	# No credentials: the 401 and its WWW-Authenticate realm.
	local ca tls=()
	ca=$(field "$srv" ca_file)
	[[ $ca == null ]] || tls=(--cacert "$ca")
	curl -sS --max-time 20 "${tls[@]}" -X PROPFIND -H 'Depth: 0' -H "$XML" \
		--data-binary @"$REQ/propfind-current-user-principal.xml" \
		-D "$out/propfind-unauthenticated.headers" -o "$out/propfind-unauthenticated.body" \
		"$(field "$srv" url)"
	printf '  %-32s %s\n' propfind-unauthenticated "$(head -n1 "$out/propfind-unauthenticated.headers" | tr -d '\r')"
	req "$srv" attendee PROPFIND / "$out/propfind-current-user-principal" xml \
		-H 'Depth: 0' -H "$XML" --data-binary @"$REQ/propfind-current-user-principal.xml"
	req "$srv" attendee PROPFIND "$principal" "$out/propfind-principal" xml \
		-H 'Depth: 0' -H "$XML" --data-binary @"$REQ/propfind-principal.xml"
	req "$srv" attendee PROPFIND "$home" "$out/propfind-home-depth1" xml \
		-H 'Depth: 1' -H "$XML" --data-binary @"$REQ/propfind-home.xml"

	# Find the attendee's copy by UID: its name is the server's choice.
	req "$srv" attendee REPORT "$cal_a" "$out/report-calendar-query-uid" xml \
		-H 'Depth: 1' -H "$XML" --data-binary @"$REQ/report-calendar-query-uid.xml"
	# Hrefs may be absolute URLs (reduced to the path here).
	href=$(/usr/bin/python3 -c 'import sys,urllib.parse,xml.etree.ElementTree as E
t=E.parse(sys.argv[1])
h=[e.text.strip() for e in t.iter("{DAV:}href") if e.text and e.text.strip().endswith(".ics")]
print(urllib.parse.urlparse(h[0]).path if h else "")' "$out/report-calendar-query-uid.xml")
	[[ -n $href ]] || {
		echo "  $srv: attendee copy not found in $cal_a" >&2
		return 1
	}
	echo "  attendee copy: $href"
	cat >"$REQ/report-multiget-$srv.xml" <<EOF
<?xml version="1.0" encoding="utf-8"?>
<C:calendar-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:prop>
    <D:getetag/>
    <C:schedule-tag/>
    <C:calendar-data/>
  </D:prop>
  <D:href>$href</D:href>
</C:calendar-multiget>
EOF
	req "$srv" attendee REPORT "$cal_a" "$out/report-multiget" xml \
		-H 'Depth: 1' -H "$XML" --data-binary @"$REQ/report-multiget-$srv.xml"
	req "$srv" attendee REPORT "$cal_a" "$out/report-sync-initial" xml \
		-H 'Depth: 0' -H "$XML" --data-binary @"$REQ/report-sync-initial.xml"
	req "$srv" attendee REPORT "$cal_a" "$out/report-sync-bogus" xml \
		-H 'Depth: 0' -H "$XML" --data-binary @"$REQ/report-sync-bogus.xml"
	req "$srv" attendee GET "$href" "$out/get-attendee-copy" ics
}

servers=("$@")
((${#servers[@]})) || servers=(xandikos cyrus davical radicale)
for s in "${servers[@]}"; do capture "$s"; done
# Leave the servers clean for whoever runs next.
"$HERE/harness.sh" reset "${servers[@]}" >/dev/null 2>&1
echo "fixtures written to $FIX"
