#!/bin/sh
# Installs the Debian 12 packages commentd needs, by what for:
#
#   install-deps.sh [--build] [--runtime] [--db] [--test] [PACKAGE ...]
#
#   --build    compile bin/commentd and bin/commentctl: gcc, make,
#              pkg-config and the -dev packages of the libraries
#   --runtime  run them: the shared libraries only, and PostgreSQL's
#              client (psql, pg_dump) for the operator
#   --db       PostgreSQL 15's server on this host, with the cluster
#              Debian creates (postgresql@15-main, port 5432)
#   --test     `make test`, `make run` and `make fuzz`: cmocka, zlib,
#              PostgreSQL's server for private clusters (the package
#              then creates no system cluster), Chromium, Node.js, npm
#              and an Arabic font (browser tests), nginx (its service
#              kept stopped), curl and openssl (the deploy test),
#              systemd and strace (the unit's checks), clang and its
#              sanitizer and libFuzzer runtimes
#   PACKAGE    any other Debian package, added as it is
#
# With no option it installs --build --runtime --test, what `make run`
# and `make test` call it for (`.ci/run` adds clang).  A production host
# that runs a binary built elsewhere needs only --runtime (and --db if
# the database is on it); one that builds it too, --build --runtime.
# As root it runs apt-get; as anyone else it prints the command and
# fails.
set -eu

build=false runtime=false db=false test=false extra=""
for a in "$@"; do
	case "$a" in
	--build)	build=true ;;
	--runtime)	runtime=true ;;
	--db)		db=true ;;
	--test)		test=true ;;
	-*)		echo "install-deps.sh: unknown option $a" >&2; exit 2 ;;
	*)		extra="$extra $a" ;;
	esac
done
if ! $build && ! $runtime && ! $db && ! $test; then
	build=true runtime=true test=true
fi

PKGS="$extra"
$build && PKGS="$PKGS gcc make pkg-config libevent-dev libpq-dev
libjansson-dev libsodium-dev libutf8proc-dev libcurl4-openssl-dev"
$runtime && PKGS="$PKGS libevent-2.1-7 libpq5 libjansson4 libsodium23
libutf8proc2 libcurl4 postgresql-client-15"
$db && PKGS="$PKGS postgresql-15 postgresql-client-15"
if $test; then
	PKGS="$PKGS gcc make pkg-config libcmocka-dev zlib1g-dev postgresql-15
postgresql-client-15 clang curl openssl"
	# The browser tests drive Debian's Chromium from Node.js with
	# playwright-core; Arabic pages need an Arabic font to lay out for
	# real.
	PKGS="$PKGS chromium fonts-noto-core"
	command -v node >/dev/null 2>&1 || PKGS="$PKGS nodejs"
	command -v npm >/dev/null 2>&1 || PKGS="$PKGS npm"
	# Debian 12's smallest nginx with proxy_cache, ssl and realip.
	command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] ||
	    PKGS="$PKGS nginx-light"
	# test_restart: systemd-analyze checks the unit, strace the system
	# calls its filter must allow.
	PKGS="$PKGS systemd strace"
fi

# clang's sanitizer and libFuzzer runtimes (make fuzz) are only
# recommended by clang-14, and --no-install-recommends leaves them out.
for p in $PKGS; do
	[ "$p" = clang ] && PKGS="$PKGS libclang-rt-14-dev" && break
done

installed() {
	dpkg-query -W -f='${Status}\n' "$1" 2>/dev/null |
	    grep -q '^install ok installed$'
}

missing=""
for p in $PKGS; do
	case " $missing " in *" $p "*) continue ;; esac
	installed "$p" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "commentd needs these Debian packages:$missing" >&2
	echo "install them with:" >&2
	echo "  sudo apt-get update && sudo apt-get install -y$missing" >&2
	exit 1
fi

echo "installing:$missing" >&2
# Tests run private clusters: unless this host is to have the database
# (--db), don't let the package create and start a system-wide one on
# port 5432.
if $test && ! $db && ! installed postgresql-common; then
	mkdir -p /etc/postgresql-common
	echo "create_main_cluster = false" \
	    >> /etc/postgresql-common/createcluster.conf
fi
# The tests start nginx with their own configuration: while apt-get
# runs, a policy-rc.d (if there is none) keeps the package scripts from
# starting the system's nginx on port 80, and only nginx.
case "$missing" in
*nginx*)
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		printf '#!/bin/sh\ncase "$1" in nginx) exit 101 ;; esac\n' \
		    > /usr/sbin/policy-rc.d
		chmod 0755 /usr/sbin/policy-rc.d
		trap 'rm -f /usr/sbin/policy-rc.d' EXIT
	fi
	;;
esac
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >&2
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing >&2
