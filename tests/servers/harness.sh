#!/usr/bin/env bash
# Real CalDAV servers for Convene's integration tests.
#
#   harness.sh install            packages, venv, CA, users, first snapshot (idempotent)
#   harness.sh start              start all four, provision, write servers.json
#   harness.sh stop               stop all four, no process left behind
#   harness.sh reset [SERVER...]  back to the post-install snapshot (default: all)
#   harness.sh status             which servers answer
#   harness.sh store-path USER    Xandikos's git working tree for USER's calendar
#                                 (bulk loading for benchmarks: one commit, not
#                                 one per PUT; Xandikos serves it at once)
#
# Servers: xandikos (https :58443), cyrus (http :58008, imap :58143),
# davical (http :58080), radicale (http :58232), all on 127.0.0.1 only.
# State: ${CONVENE_SERVERS_DIR:-/var/tmp/convene-servers}. Must run as root
# (apt, and the servers drop to the cyrus/postgres users).
# See tests/servers/README.md for what each server is for.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib/common.sh
source "$HERE/lib/common.sh"
# shellcheck source=lib/xandikos.sh
source "$HERE/lib/xandikos.sh"
# shellcheck source=lib/cyrus.sh
source "$HERE/lib/cyrus.sh"
# shellcheck source=lib/davical.sh
source "$HERE/lib/davical.sh"
# shellcheck source=lib/radicale.sh
source "$HERE/lib/radicale.sh"

usage() {
	sed -n '2,14p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
	exit 2
}

check_root() {
	[[ $(id -u) == 0 ]] || die "must run as root (apt-get, and Cyrus/PostgreSQL run as their own users)"
}

# Cyrus and PostgreSQL run as unprivileged users: they must reach $DIR.
check_dir_reachable() {
	local u
	for u in cyrus postgres; do
		id "$u" >/dev/null 2>&1 || continue
		setpriv --reuid="$u" --regid=nogroup --clear-groups -- test -x "$DIR" ||
			die "$DIR is not reachable by user $u: choose a CONVENE_SERVERS_DIR outside private directories (e.g. under /var/tmp)"
	done
}

# Servers named on the command line, or all of them; reject unknown names.
pick_servers() {
	local s
	if (($# == 0)); then
		printf '%s\n' "${ALL_SERVERS[@]}"
		return
	fi
	for s in "$@"; do
		case " ${ALL_SERVERS[*]} " in
		*" $s "*) echo "$s" ;;
		*) die "unknown server '$s' (known: ${ALL_SERVERS[*]})" ;;
		esac
	done
}

# Run "<server>_<action>" for each server at once (they share nothing but
# the machine), wait for all, fail if any failed. Usage: each ACTION SERVER...
each() {
	local action=$1 s failed=() pids=() i=0
	shift
	for s in "$@"; do
		"${s}_$action" &
		pids+=($!)
	done
	for s in "$@"; do
		wait "${pids[$i]}" || failed+=("$s")
		i=$((i + 1))
	done
	((${#failed[@]} == 0)) || die "$action failed for: ${failed[*]}"
}

write_servers_json() {
	local tmp="$DIR/servers.json.tmp" s first=1
	{
		echo "{"
		for s in "${ALL_SERVERS[@]}"; do
			((first)) || echo ","
			first=0
			printf ' %s' "$("${s}_json")"
		done
		echo ","
		printf ' "users": [%s], "password_dir": "%s"\n' \
			"$(printf '"%s",' "${USERS[@]}" | sed 's/,$//')" "$DIR/passwords"
		echo "}"
	} >"$tmp"
	mv "$tmp" "$DIR/servers.json"
}

cmd_install() {
	check_root
	mkdir -p "$DIR"
	chmod 755 "$DIR"
	install_apt # creates the cyrus and postgres users
	check_dir_reachable
	install_venv
	install_passwords
	install_certs
	local s
	# Leftovers of an interrupted background delete (see restore_dir).
	rm -rf "$DIR"/*/trash.*
	if ((PASSWORDS_CHANGED)) && [[ -d $DIR/xandikos || -d $DIR/cyrus || -d $DIR/davical || -d $DIR/radicale ]]; then
		log "passwords were regenerated: provisioning every server again"
		cmd_stop
		for s in "${ALL_SERVERS[@]}"; do rm -rf "${DIR:?}/$s"; done
	fi
	for s in "${ALL_SERVERS[@]}"; do
		"${s}_install"
	done
	log "install done ($DIR)"
}

cmd_start() {
	check_root
	[[ -f $DIR/venv/.convene-stamp && -d $DIR/xandikos/pristine ]] ||
		die "not installed in $DIR: run '$0 install' first"
	each start "${ALL_SERVERS[@]}"
	write_servers_json
	log "all servers up; $DIR/servers.json written"
}

cmd_stop() {
	each stop "${ALL_SERVERS[@]}"
	log "all servers stopped"
}

cmd_reset() {
	check_root
	local servers
	pick_servers "$@" >/dev/null # dies here on an unknown name
	mapfile -t servers < <(pick_servers "$@")
	each reset "${servers[@]}"
	write_servers_json
	log "reset done: $(pick_servers "$@" | tr '\n' ' ')"
}

cmd_status() {
	local s rc=0
	for s in "${ALL_SERVERS[@]}"; do
		if "${s}_up" 2>/dev/null; then
			printf '%-9s up\n' "$s"
		else
			printf '%-9s down\n' "$s"
			rc=1
		fi
	done
	return $rc
}

main() {
	(($# >= 1)) || usage
	local cmd=$1
	shift
	case $cmd in
	install | start | stop | reset) take_lock ;;
	esac
	case $cmd in
	install) cmd_install ;;
	start) cmd_start ;;
	stop) cmd_stop ;;
	reset) cmd_reset "$@" ;;
	status) cmd_status ;;
	store-path) echo "$(xandikos_dir)/data/${1:?user}/calendars/calendar" ;;
	-h | --help | help) usage ;;
	*) usage ;;
	esac
}

main "$@"
