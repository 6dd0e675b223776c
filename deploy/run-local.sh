#!/bin/sh
# `make run`: a private PostgreSQL under var/pg, then commentd serving
# on COMMENTD_LISTEN (default 127.0.0.1:8080).  Ctrl-C stops commentd;
# `make db-stop` stops the database.
set -eu
bin=${1:?usage: run-local.sh BIN}
here=$(cd "$(dirname "$0")/.." && pwd)

"$here/deploy/pg.sh" start "$here/var/pg"
COMMENTD_DATABASE_URL=${COMMENTD_DATABASE_URL:-$("$here/deploy/pg.sh" url "$here/var/pg")}
export COMMENTD_DATABASE_URL
# Plain HTTP on this machine: a Secure (__Host-) cookie would never be
# sent back, so the session cookie is not Secure here unless asked.
COMMENTD_COOKIE_SECURE=${COMMENTD_COOKIE_SECURE:-false}
export COMMENTD_COOKIE_SECURE
echo "database: $COMMENTD_DATABASE_URL" >&2
# The first start makes an admin account and prints its password once.
"$bin" moderator bootstrap
url=http://${COMMENTD_LISTEN:-127.0.0.1:8080}
cat >&2 <<EOM
serving on $url (Ctrl-C stops)
  $url/        the demo article (Arabic) with the comments widget
  $url/en      the same in English
  $url/admin   the moderation client (log in as admin)
EOM
exec "$bin" serve
