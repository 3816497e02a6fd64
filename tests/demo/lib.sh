# shellcheck shell=bash
# Shared by seed.sh and reschedule.sh (sourced, never run).
#
# The demo talks to the harness's Cyrus (tests/servers/README.md): plain HTTP
# on 127.0.0.1, users organizer / attendee / attendee2, passwords in
# $DIR/passwords/<user>. Passwords reach curl on stdin (-K -), never on a
# command line that `ps` would show.

DIR="${CONVENE_SERVERS_DIR:-/var/tmp/convene-servers}"
DEMO_URL="${CONVENE_DEMO_URL:-http://127.0.0.1:58008/}"
DEMO_HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# Debian's python3 (the harness installs it); any python3 >= 3.10 will do.
if [[ -x /usr/bin/python3 ]]; then PYTHON=/usr/bin/python3; else PYTHON=python3; fi

die() {
	printf 'demo: %s\n' "$*" >&2
	exit 1
}

ics() { "$PYTHON" "$DEMO_HERE/ics.py" "$@"; }

# The user's default calendar, where Cyrus's implicit scheduling delivers.
calendar_url() { echo "${DEMO_URL%/}/dav/calendars/user/$1/Default/"; }

# dav USER METHOD URL [curl args...]
dav() {
	local user=$1 method=$2 url=$3 pw
	shift 3
	[[ -r $DIR/passwords/$user ]] || die "no password for $user in $DIR/passwords: run tests/servers/harness.sh install"
	pw=$(<"$DIR/passwords/$user")
	pw=${pw//\\/\\\\}
	pw=${pw//\"/\\\"}
	printf 'user = "%s:%s"\n' "$user" "$pw" |
		curl -K - -sS --max-time 20 -X "$method" "$@" "$url"
}

# put_ics USER URL FILE HEADER -> HTTP status on stdout (body to $work/put.body)
put_ics() {
	dav "$1" PUT "$2" -H 'Content-Type: text/calendar; charset=utf-8' -H "$4" \
		--data-binary @"$3" -o "$work/put.body" -w '%{http_code}'
}

# get_ics USER URL OUT -> the ETag on stdout; fails unless 200 with an ETag
get_ics() {
	local code etag
	code=$(dav "$1" GET "$2" -D "$work/get.headers" -o "$3" -w '%{http_code}')
	[[ $code == 200 ]] || die "GET $2 as $1: HTTP $code"
	etag=$(tr -d '\r' <"$work/get.headers" | sed -n 's/^[Ee][Tt][Aa][Gg]: *//p' | tail -n 1)
	[[ -n $etag ]] || die "GET $2 as $1: no ETag"
	printf '%s' "$etag"
}

# listing USER [UID]: href, UID, STATUS, SEQUENCE, start of the events in the
# user's default calendar (see ics.py listing)
listing() {
	local user=$1
	shift
	dav "$user" REPORT "$(calendar_url "$user")" -H 'Depth: 1' \
		-H 'Content-Type: application/xml; charset=utf-8' --data \
		'<?xml version="1.0" encoding="utf-8"?>
<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
<D:prop><D:getetag/><C:calendar-data/></D:prop>
<C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"/></C:comp-filter></C:filter>
</C:calendar-query>' | ics listing "$@"
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
