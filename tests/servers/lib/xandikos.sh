# shellcheck shell=bash
# Xandikos 0.4.10: primary scheduling peer (RFC 6638 Schedule-Tag done right).
# HTTPS only: --htpasswd refuses to run without --autocert, and --autocert
# reuses <state-dir>/certs/selfsigned.{crt,key}, where we put a certificate
# signed by our test CA so that reqwest/rustls can verify it.

XANDIKOS_URL="https://$HOST:$XANDIKOS_PORT/"

xandikos_dir() { echo "$DIR/xandikos"; }

xandikos_install() {
	local d
	d=$(xandikos_dir)
	mkdir -p "$d/log" "$d/run" "$d/state/certs" "$d/data"
	# Refresh every time: cheap, and follows a regenerated CA.
	install -m 644 "$DIR/certs/server.crt" "$d/state/certs/selfsigned.crt"
	install -m 600 "$DIR/certs/server.key" "$d/state/certs/selfsigned.key"
	[[ -d $d/pristine ]] && return 0
	log "xandikos: first provisioning"
	xandikos_launch
	xandikos_provision
	# The per-user files (.xandikos, git repos) are written by the requests
	# above; stop before copying so nothing is half-written.
	xandikos_stop
	snapshot_dir "$d/data" "$d/pristine"
}

xandikos_up() { curl -s -o /dev/null --max-time 2 --cacert "$DIR/ca/ca.crt" "$XANDIKOS_URL"; }

xandikos_launch() {
	local d
	d=$(xandikos_dir)
	if pid_alive "$(read_pid "$d/run/xandikos.pid")" && xandikos_up; then
		return 0
	fi
	kill_group "$d/run/xandikos.pid" xandikos
	ensure_port_free xandikos "$XANDIKOS_PORT"
	# --defaults creates calendars/calendar (the scheduling default calendar),
	# contacts/addressbook, inbox and outbox on a principal's first request.
	spawn "$d/run/xandikos.pid" "$d/log/xandikos.log" \
		"$VENV/bin/xandikos" multi-user -d "$d/data" --state-dir "$d/state" \
		-l "$HOST" -p "$XANDIKOS_PORT" --defaults --no-detect-systemd \
		--autocert --htpasswd "$DIR/htpasswd"
	wait_http xandikos "$XANDIKOS_URL" "$d/run/xandikos.pid"
}

# Needed after every start: Xandikos only routes iTIP to principals that have
# made a request since it started and whose calendar-user-address-set holds
# the attendee's address (it is stored, but the lookup table is in memory).
xandikos_provision() {
	local u code
	for u in "${USERS[@]}"; do
		code=$(ucurl "$u" -o /dev/null -w '%{http_code}' -X PROPPATCH \
			-H 'Content-Type: application/xml; charset=utf-8' \
			--data "<?xml version=\"1.0\" encoding=\"utf-8\"?>
<D:propertyupdate xmlns:D=\"DAV:\" xmlns:C=\"urn:ietf:params:xml:ns:caldav\"><D:set><D:prop>
<C:calendar-user-address-set><D:href>mailto:$u@$MAIL_DOMAIN</D:href></C:calendar-user-address-set>
</D:prop></D:set></D:propertyupdate>" "${XANDIKOS_URL}$u/")
		[[ $code == 207 ]] || die "xandikos: PROPPATCH calendar-user-address-set for $u gave HTTP $code"
	done
}

xandikos_start() {
	xandikos_launch
	xandikos_provision
}

# Usage: xandikos_stop [SIGNAL]
xandikos_stop() {
	kill_group "$(xandikos_dir)/run/xandikos.pid" xandikos "${1:-TERM}"
	kill_port "$XANDIKOS_PORT" xandikos
}

xandikos_reset() {
	local d
	d=$(xandikos_dir)
	xandikos_stop KILL
	restore_dir "$d/pristine" "$d/data"
	xandikos_start
}

xandikos_json() {
	cat <<EOF
"xandikos": {"url": "$XANDIKOS_URL", "ca_file": "$DIR/ca/ca.crt", "principal": "/{user}/", "calendar_home": "/{user}/calendars/", "default_calendar": "/{user}/calendars/calendar/", "inbox": "/{user}/inbox/", "scheduling": true}
EOF
}
