#!/bin/sh
# Installs the Debian 12 packages commentd needs to build, run and test.
# As root it runs apt-get; as anyone else it prints the command and fails.
# Extra packages can be named as arguments (CI adds clang).
set -eu

PKGS="gcc make pkg-config libevent-dev libpq-dev libjansson-dev
libsodium-dev libutf8proc-dev libcmocka-dev libcurl4-openssl-dev zlib1g-dev
postgresql-15 postgresql-client-15 $*"

# clang's sanitizer and libFuzzer runtimes (make fuzz) are only
# recommended by clang-14, and --no-install-recommends leaves them out.
case " $* " in
*" clang "*)	PKGS="$PKGS libclang-rt-14-dev" ;;
esac

# The browser tests (make test) drive Debian's Chromium from Node.js with
# playwright-core; Arabic pages need an Arabic font to lay out for real.
PKGS="$PKGS chromium fonts-noto-core"
command -v node >/dev/null 2>&1 || PKGS="$PKGS nodejs"
command -v npm >/dev/null 2>&1 || PKGS="$PKGS npm"

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
	    grep -q '^install ok installed$'; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "commentd needs these Debian packages:$missing" >&2
	echo "install them with:" >&2
	echo "  sudo apt-get update && sudo apt-get install -y$missing" >&2
	exit 1
fi

echo "installing:$missing" >&2
# commentd runs its own private clusters; don't let the package create
# and start a system-wide one on port 5432.
if ! dpkg-query -W -f='${Status}\n' postgresql-common 2>/dev/null |
    grep -q '^install ok installed$'; then
	mkdir -p /etc/postgresql-common
	echo "create_main_cluster = false" \
	    >> /etc/postgresql-common/createcluster.conf
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >&2
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing >&2
