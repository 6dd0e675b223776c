#!/bin/sh
# commentd-restart: restart commentd, or finish an upgrade (a new binary
# installed over the old one), without refusing a request.  commentd
# runs as one of two instances of deploy/commentd@.service, commentd@a
# and commentd@b; this starts the one that is not running, which listens
# beside the other on the same port (SO_REUSEPORT) and is started once
# it listens (Type=notify), then stops the old one, which finishes what
# it has in hand and exits (COMMENTD_SHUTDOWN_TIMEOUT_MS).  If the new
# one fails to start (a bad setting, a schema it does not know), the old
# one goes on serving and this exits 1.  The new instance is enabled and
# the old one disabled, so a reboot starts the one that ran last.
#
# Usage: commentd-restart.sh [UNIT]    UNIT defaults to "commentd" (the
# template commentd@.service).  Run as root.  `systemctl restart
# commentd@a` stops, then starts: requests in between are refused.
set -eu

unit=${1:-commentd}
a="$unit@a.service"
b="$unit@b.service"

if systemctl is-active --quiet "$a"; then
	old=$a new=$b
elif systemctl is-active --quiet "$b"; then
	old=$b new=$a
else
	echo "commentd-restart: neither $a nor $b runs; starting $a" >&2
	systemctl start "$a"
	systemctl enable --quiet "$a"
	systemctl disable --quiet "$b"
	exit 0
fi
if systemctl is-active --quiet "$new"; then
	echo "commentd-restart: both $a and $b run (they share the port);" \
	    "stop one first" >&2
	exit 1
fi
# Connections the kernel has queued for the old process are reset when
# it closes its sockets, unless they may move to the new one.
if [ "$(cat /proc/sys/net/ipv4/tcp_migrate_req 2>/dev/null)" = 0 ]; then
	echo "commentd-restart: net.ipv4.tcp_migrate_req is 0: a connection" \
	    "queued for the old process at its stop may be reset (README," \
	    "Restarts and upgrades)" >&2
fi
if ! systemctl start "$new"; then
	echo "commentd-restart: $new did not start; $old still serves" \
	    "(journalctl -u $new)" >&2
	systemctl stop "$new" 2>/dev/null || :
	exit 1
fi
systemctl stop "$old"
systemctl enable --quiet "$new"
systemctl disable --quiet "$old"
echo "commentd-restart: $new serves; $old stopped"
