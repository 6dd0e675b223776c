#!/bin/sh
# Installs what `make bench` needs on top of deploy/install-deps.sh: wrk,
# nginx (nginx-light, else nginx), curl, and pgbench (postgresql-contrib
# when /usr/lib/postgresql/15/bin/pgbench is missing).  As root it runs
# apt-get; as anyone else it prints the command and fails.
#
# Installing nginx must not start the system's nginx on port 80: the
# bench runs its own nginx with its own configuration, so while apt-get
# runs, a policy-rc.d (if there is none) tells the package scripts not
# to start any service.
set -eu

PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}

installed() {
	dpkg-query -W -f='${Status}\n' "$1" 2>/dev/null |
	    grep -q '^install ok installed$'
}

missing=""
command -v wrk >/dev/null 2>&1 || missing="$missing wrk"
command -v curl >/dev/null 2>&1 || missing="$missing curl"
if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
	# Debian 12 has nginx-light; later releases only nginx.
	if apt-cache show nginx-light >/dev/null 2>&1; then
		missing="$missing nginx-light"
	else
		missing="$missing nginx"
	fi
fi
[ -x "$PGBIN/pgbench" ] || missing="$missing postgresql-contrib"
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "make bench needs these Debian packages:$missing" >&2
	echo "install them with:" >&2
	echo "  sudo apt-get update && sudo apt-get install -y$missing" >&2
	exit 1
fi

echo "installing:$missing" >&2
# No system-wide PostgreSQL cluster either (see deploy/install-deps.sh).
if ! installed postgresql-common; then
	mkdir -p /etc/postgresql-common
	echo "create_main_cluster = false" \
	    >> /etc/postgresql-common/createcluster.conf
fi
policy=""
if [ ! -e /usr/sbin/policy-rc.d ]; then
	policy=/usr/sbin/policy-rc.d
	printf '#!/bin/sh\n# make bench: start no service while installing\nexit 101\n' \
	    > "$policy"
	chmod 755 "$policy"
	trap 'rm -f "$policy"' EXIT
	trap 'exit 130' INT TERM
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >&2
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing >&2
