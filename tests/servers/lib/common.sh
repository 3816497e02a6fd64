# shellcheck shell=bash
# shellcheck disable=SC2034 # the settings below are used by the sourcing files
# Shared helpers for the real-server harness. Sourced by harness.sh, never run.
#
# Layout of the state directory ($DIR):
#   venv/                 Python venv for Xandikos + Radicale
#   ca/ca.crt, ca.key     test CA (clients trust ca.crt)
#   certs/server.crt|key  certificate for 127.0.0.1 / localhost, signed by the CA
#   passwords/<user>      one password per user, mode 600, no trailing newline
#   htpasswd              bcrypt lines for Xandikos and Radicale
#   <server>/             per server: log/, run/ (pid files), data/ (live),
#                         pristine/ (snapshot after first provisioning), stamps
#   servers.json          written by `start` for the Rust tests

DIR="${CONVENE_SERVERS_DIR:-/var/tmp/convene-servers}"
USERS=(organizer attendee attendee2)
ALL_SERVERS=(xandikos cyrus davical radicale)
MAIL_DOMAIN="example.com"
HOST="127.0.0.1"

XANDIKOS_PORT=58443
CYRUS_HTTP_PORT=58008
CYRUS_IMAP_PORT=58143
DAVICAL_PORT=58080
DAVICAL_PG_PORT=58432 # unix socket only; the number only names the socket file
RADICALE_PORT=58232

# How long a server may take to answer after being launched.
START_TIMEOUT="${CONVENE_START_TIMEOUT:-60}"

HARNESS_LIB="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VENV="$DIR/venv"

log() { printf '[harness] %s\n' "$*" >&2; }
die() {
	printf '[harness] ERROR: %s\n' "$*" >&2
	exit 1
}

password_of() { cat "$DIR/passwords/$1"; }

# Print the last lines of every log of a server, to explain a failure.
show_log_tail() {
	local srv=$1 f
	for f in "$DIR/$srv"/log/*; do
		[[ -f $f ]] || continue
		printf -- '----- tail of %s -----\n' "$f" >&2
		tail -n 40 "$f" >&2
	done
}

# True when something accepts TCP connections on 127.0.0.1:$1.
port_open() {
	# bash's /dev/tcp avoids depending on nc; the subshell closes the fd.
	(exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null
}

# PIDs listening on a local TCP port (empty if none).
port_pids() {
	{ ss -Hltnp "sport = :$1" 2>/dev/null || true; } | { grep -o 'pid=[0-9]*' || true; } | cut -d= -f2 | sort -u
}

# Refuse to start when a foreign process holds one of our ports: we would
# otherwise "detect" someone else's server as ours.
ensure_port_free() {
	local srv=$1 port=$2 pids i
	# A server stopped a moment ago (e.g. by the end of a test run) may
	# still be letting go of its socket: give it a few seconds.
	for ((i = 0; i < 60; i++)); do
		pids=$(port_pids "$port")
		[[ -z $pids ]] && return 0
		sleep 0.05
	done
	if [[ -n $pids ]]; then
		die "$srv: port $port is already taken by pid(s) $(echo "$pids" | tr '\n' ' ')($(ps -o comm= -p "$(echo "$pids" | head -n1)" 2>/dev/null || true)); run '$0 stop' or free it"
	fi
}

pid_alive() { [[ -n ${1:-} ]] && kill -0 "$1" 2>/dev/null; }

# True while a process group has a live (non-zombie) member. Zombies do not
# count: PID 1 of some containers reaps orphans only after a second or two.
group_alive() {
	ps -eo pgid=,stat= | awk -v g="$1" '$1 == g && $2 !~ /^Z/ { found = 1 } END { exit !found }'
}

read_pid() { if [[ -f $1 ]]; then cat "$1"; fi; }

# Launch a long-running command detached in its own session, so that stopping
# it can signal the whole process group (PHP workers, Cyrus children, ...).
# fd 9 is the harness lock (see take_lock): a server must not inherit it.
# Usage: spawn PIDFILE LOGFILE CMD...
spawn() {
	local pidfile=$1 logfile=$2
	shift 2
	setsid "$@" </dev/null >>"$logfile" 2>&1 9>&- &
	echo $! >"$pidfile"
}

# Serialise harness runs (parallel test processes may all call reset).
take_lock() {
	mkdir -p "$DIR"
	exec 9>"$DIR/.lock"
	flock -w "${CONVENE_LOCK_TIMEOUT:-300}" 9 || die "another harness run holds $DIR/.lock"
}

# Stop what spawn started: signal the process group, wait, then KILL
# leftovers. SIGNAL defaults to TERM; reset uses KILL because the data is
# thrown away anyway and graceful shutdowns cost seconds (aiohttp: ~1.5 s).
# Usage: kill_group PIDFILE NAME [SIGNAL]
kill_group() {
	local pidfile=$1 name=$2 sig=${3:-TERM} pid i
	pid=$(read_pid "$pidfile")
	if pid_alive "$pid"; then
		kill "-$sig" -- "-$pid" 2>/dev/null || kill "-$sig" "$pid" 2>/dev/null || true
		for ((i = 0; i < 200; i++)); do
			group_alive "$pid" || break
			sleep 0.02
		done
		if group_alive "$pid"; then
			log "$name: still running after 4 s, sending KILL"
			kill -KILL -- "-$pid" 2>/dev/null || true
			sleep 0.1
		fi
	fi
	rm -f "$pidfile"
}

# Last resort for stop: whatever still listens on our port is a leftover of
# ours (e.g. pid file lost after a wiped state dir).
kill_port() {
	local port=$1 name=$2 pid
	for pid in $(port_pids "$port"); do
		log "$name: killing leftover pid $pid on port $port"
		kill -TERM "$pid" 2>/dev/null || true
	done
	for _ in $(seq 50); do
		[[ -z $(port_pids "$port") ]] && return 0
		sleep 0.05
	done
	for pid in $(port_pids "$port"); do kill -KILL "$pid" 2>/dev/null || true; done
	for _ in $(seq 50); do
		[[ -z $(port_pids "$port") ]] && return 0
		sleep 0.05
	done
}

# PIDs bound to a unix socket whose path ends with $1 (empty if none).
unix_socket_pids() {
	{ ss -Hxap 2>/dev/null || true; } | awk -v s="$1" '{ for (i = 1; i <= NF; i++) if (length($i) >= length(s) && substr($i, length($i) - length(s) + 1) == s) { print; next } }' |
		{ grep -o 'pid=[0-9]*' || true; } | cut -d= -f2 | sort -u
}

# Poll until a URL answers with any HTTP status; fail loudly with the log.
# Usage: wait_http NAME URL [PIDFILE]
wait_http() {
	local name=$1 url=$2 pidfile=${3:-} deadline code
	deadline=$((SECONDS + START_TIMEOUT))
	while ((SECONDS < deadline)); do
		code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 \
			--cacert "$DIR/ca/ca.crt" "$url" 2>/dev/null || true)
		if [[ -n $code && $code != 000 ]]; then
			return 0
		fi
		if [[ -n $pidfile ]] && ! pid_alive "$(read_pid "$pidfile")"; then
			show_log_tail "$name"
			die "$name: process exited before answering on $url"
		fi
		sleep 0.05
	done
	show_log_tail "$name"
	die "$name: no answer on $url within ${START_TIMEOUT}s"
}

# Authenticated curl as a user against a server base URL. Extra args follow.
# Usage: ucurl USER [curl args...]
ucurl() {
	local user=$1
	shift
	curl -sS --max-time 20 --cacert "$DIR/ca/ca.crt" \
		-u "$user:$(password_of "$user")" "$@"
}

# MKCALENDAR unless it already exists (PROPFIND says 207). Prints nothing.
# Usage: ensure_calendar SERVER USER URL
ensure_calendar() {
	local srv=$1 user=$2 url=$3 code
	code=$(ucurl "$user" -o /dev/null -w '%{http_code}' -X PROPFIND -H 'Depth: 0' \
		-H 'Content-Type: application/xml; charset=utf-8' \
		--data '<?xml version="1.0"?><propfind xmlns="DAV:"><prop><resourcetype/></prop></propfind>' "$url")
	[[ $code == 207 ]] && return 0
	code=$(ucurl "$user" -o /dev/null -w '%{http_code}' -X MKCALENDAR "$url")
	[[ $code == 201 ]] || die "$srv: MKCALENDAR $url as $user gave HTTP $code"
}

# Snapshot/restore of a data directory. cp -a keeps owners (cyrus, postgres).
snapshot_dir() {
	local src=$1 dst=$2
	rm -rf "$dst.tmp"
	cp -a "$src" "$dst.tmp"
	rm -rf "$dst"
	mv "$dst.tmp" "$dst"
}
restore_dir() {
	local pristine=$1 live=$2 trash
	[[ -d $pristine ]] || die "no pristine snapshot at $pristine: run '$0 install'"
	if [[ -e $live ]]; then
		# Unlinking hundreds of small files (Xandikos keeps a git repository
		# per collection) takes ~0.7 s here: move aside, delete detached.
		trash="$(dirname "$live")/trash.$$.$RANDOM"
		mv "$live" "$trash"
		setsid rm -rf "$trash" </dev/null >/dev/null 2>&1 9>&- &
	fi
	cp -a "$pristine" "$live"
}

# ---------------------------------------------------------------------------
# Machine-wide installation steps shared by all servers.

APT_PACKAGES=(
	# Cyrus: IMAP + CalDAV, SASL tools for saslpasswd2
	cyrus-imapd cyrus-caldav sasl2-bin
	# DAViCal and its private PostgreSQL cluster; php -S serves it
	davical postgresql php-cli php-pgsql php-xml
	# Xandikos, Radicale (venv), certificates, probes
	python3 python3-venv openssl curl iproute2 procps util-linux
	# Desktop integration tests run a private D-Bus session (the one
	# window per profile, notifications, the tray icon); the tray test runs
	# the app's window on a virtual X display and closes it as a window
	# manager would (python3-xlib sends WM_DELETE_WINDOW)
	dbus-daemon xvfb xdotool python3-xlib
)

install_apt() {
	local missing=() p
	for p in "${APT_PACKAGES[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
	done
	if ((${#missing[@]} == 0)); then
		return 0
	fi
	log "apt: installing ${missing[*]}"
	# Maintainer scripts would otherwise start system-wide exim4, postgresql
	# and cyrus services that clash with ours (ports, pid files).
	local created_policy=0
	if [[ ! -e /usr/sbin/policy-rc.d ]]; then
		printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
		chmod 755 /usr/sbin/policy-rc.d
		created_policy=1
	fi
	# Another apt may be running (other CI steps): wait for the lock.
	local rc=0
	export DEBIAN_FRONTEND=noninteractive
	apt-get -q -o DPkg::Lock::Timeout=600 update >/dev/null || rc=$?
	if ((rc == 0)); then
		apt-get -q -y -o DPkg::Lock::Timeout=600 -o Dpkg::Options::=--force-confdef \
			-o Dpkg::Options::=--force-confold --no-install-recommends \
			install "${missing[@]}" </dev/null || rc=$?
	fi
	if ((created_policy)); then rm -f /usr/sbin/policy-rc.d; fi
	((rc == 0)) || die "apt-get failed (rc=$rc)"
}

install_venv() {
	local stamp="$VENV/.convene-stamp" want
	want=$(sha256sum "$HARNESS_LIB/requirements.txt" | cut -c1-16)
	if [[ -f $stamp && $(cat "$stamp") == "$want" ]]; then
		return 0
	fi
	log "venv: installing Xandikos and Radicale into $VENV"
	rm -rf "$VENV"
	# Debian's interpreter, not whatever python3 is first on PATH (pyenv...).
	/usr/bin/python3 -m venv "$VENV"
	"$VENV/bin/pip" install -q --disable-pip-version-check -r "$HARNESS_LIB/requirements.txt"
	"$VENV/bin/pip" check >/dev/null
	echo "$want" >"$stamp"
}

# Sets PASSWORDS_CHANGED=1 when a password was (re)generated: the users
# already provisioned in the servers then have stale passwords.
PASSWORDS_CHANGED=0
install_passwords() {
	local u
	mkdir -p "$DIR/passwords"
	chmod 700 "$DIR/passwords"
	for u in "${USERS[@]}"; do
		if [[ ! -s $DIR/passwords/$u ]]; then
			(
				umask 077
				printf '%s' "$(openssl rand -hex 12)" >"$DIR/passwords/$u"
			)
			PASSWORDS_CHANGED=1
		fi
	done
	# htpasswd with bcrypt at the minimum cost: the servers verify the hash
	# on every request and the default cost (12) costs ~0.25 s per request.
	if [[ ! -s $DIR/htpasswd || -n $(find "$DIR/passwords" -newer "$DIR/htpasswd") ]]; then
		for u in "${USERS[@]}"; do
			"$VENV/bin/python" -c 'import bcrypt,sys
print(sys.argv[1] + ":" + bcrypt.hashpw(open(sys.argv[2],"rb").read(), bcrypt.gensalt(rounds=4)).decode())' \
				"$u" "$DIR/passwords/$u"
		done >"$DIR/htpasswd.tmp"
		chmod 644 "$DIR/htpasswd.tmp"
		mv "$DIR/htpasswd.tmp" "$DIR/htpasswd"
	fi
}

install_certs() {
	mkdir -p "$DIR/ca" "$DIR/certs"
	if [[ ! -s $DIR/ca/ca.crt ]]; then
		log "certs: creating test CA"
		openssl req -x509 -new -nodes -newkey rsa:2048 -sha256 -days 3650 \
			-subj "/CN=Convene test CA" \
			-addext "basicConstraints=critical,CA:TRUE" \
			-addext "keyUsage=critical,keyCertSign,cRLSign" \
			-keyout "$DIR/ca/ca.key" -out "$DIR/ca/ca.crt" 2>/dev/null
		chmod 600 "$DIR/ca/ca.key"
		rm -f "$DIR/certs/server.crt"
	fi
	if [[ ! -s $DIR/certs/server.crt ]]; then
		log "certs: creating server certificate for 127.0.0.1"
		openssl req -new -nodes -newkey rsa:2048 -sha256 -subj "/CN=127.0.0.1" \
			-keyout "$DIR/certs/server.key" -out "$DIR/certs/server.csr" 2>/dev/null
		# rustls/webpki want a v3 end-entity cert with SAN and serverAuth;
		# Xandikos regenerates its cert when < 30 days remain, so be generous.
		printf '%s\n' "basicConstraints=critical,CA:FALSE" \
			"keyUsage=critical,digitalSignature,keyEncipherment" \
			"extendedKeyUsage=serverAuth" \
			"subjectAltName=IP:127.0.0.1,DNS:localhost" >"$DIR/certs/server.ext"
		openssl x509 -req -in "$DIR/certs/server.csr" -CA "$DIR/ca/ca.crt" \
			-CAkey "$DIR/ca/ca.key" -CAcreateserial -days 3000 -sha256 \
			-extfile "$DIR/certs/server.ext" -out "$DIR/certs/server.crt" 2>/dev/null
		chmod 600 "$DIR/certs/server.key"
		rm -f "$DIR/certs/server.csr"
	fi
}
