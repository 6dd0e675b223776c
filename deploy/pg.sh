#!/bin/sh
# A private PostgreSQL 15 cluster in a directory of our own: Unix socket
# only (no TCP port), trust authentication for its one local role, never
# the system cluster.  PostgreSQL refuses to run as root, so as root the
# server runs as the 'postgres' system user.
#
#   pg.sh start DIR [fast]   create (initdb) if needed, start, create the
#                            database; "fast" turns fsync off (tests)
#   pg.sh stop DIR           fast shutdown
#   pg.sh url DIR            print the libpq connection string
set -eu

PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
cmd=${1:?usage: pg.sh start|stop|url DIR}
dir=${2:?usage: pg.sh start|stop|url DIR}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

as_pg() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

sockdir() {
	# Unix socket paths are limited to ~107 bytes.
	if [ -f "$dir/sockdir" ]; then
		cat "$dir/sockdir"
	elif [ ${#dir} -lt 80 ]; then
		echo "$dir/run"
	else
		s=$(mktemp -d /tmp/commentd-pg.XXXXXX)
		echo "$s" > "$dir/sockdir"
		echo "$s"
	fi
}

case "$cmd" in
start)
	sock=$(sockdir)
	mkdir -p "$sock"
	if [ "$(id -u)" -eq 0 ]; then
		chown postgres:postgres "$dir" "$sock"
	fi
	if [ ! -f "$dir/data/PG_VERSION" ]; then
		as_pg "$PGBIN/initdb" -D "$dir/data" -U commentd \
		    --auth=trust -E UTF8 --locale=C.UTF-8 --no-sync \
		    >"$dir/initdb.log" 2>&1 || {
			cat "$dir/initdb.log" >&2; exit 1; }
		{
			echo "listen_addresses = ''"
			echo "unix_socket_directories = '$sock'"
			echo "max_connections = 200"
			echo "shared_buffers = 128MB"
			if [ "${3:-}" = fast ]; then
				echo "fsync = off"
				echo "synchronous_commit = off"
				echo "full_page_writes = off"
			fi
		} | as_pg tee -a "$dir/data/postgresql.conf" >/dev/null
	fi
	if ! as_pg "$PGBIN/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
		as_pg "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" \
		    -w -t 60 start >/dev/null || {
			tail -n 20 "$dir/postgres.log" >&2; exit 1; }
	fi
	if ! "$PGBIN/psql" -h "$sock" -U commentd -d postgres -tAc \
	    "SELECT 1 FROM pg_database WHERE datname = 'commentd'" |
	    grep -q 1; then
		"$PGBIN/createdb" -h "$sock" -U commentd commentd
	fi
	;;
stop)
	if [ -f "$dir/data/PG_VERSION" ] &&
	    as_pg "$PGBIN/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
		as_pg "$PGBIN/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop \
		    >/dev/null
	fi
	;;
url)
	echo "host=$(sockdir) user=commentd dbname=commentd"
	;;
*)
	echo "usage: pg.sh start|stop|url DIR" >&2
	exit 2
	;;
esac
