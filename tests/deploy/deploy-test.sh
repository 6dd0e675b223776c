#!/bin/sh
# deploy-test.sh - docs/DEPLOY.md's steps, as far as a container allows,
# run by `make test` (INTEG_TESTS "deploy"): make install into a
# DESTDIR; the document's own command lines, read from it, for the
# database (createuser, createdb as the cluster's superuser "postgres"),
# the environment file (its very lines, but for the socket and the port)
# and the first admin, an account and an API token (sh -c 'set -a; .
# FILE; exec commentd …', less `sudo -u commentd`); the server with
# that file alone; and the SHIPPED deploy/nginx.conf in front (only its
# paths, ports, certificate and the real_ip addresses rewritten) with a
# self-signed certificate.
# Then, through nginx over HTTPS: a key with '/' served from nginx's
# cache the second time; the client address (IPv4, IPv6, behind a
# trusted balancer) reaching commentd and a forged X-Forwarded-For not;
# the widget's post from commentd's own origin on a non-default port;
# the admin client's and the widget's files; a login setting the
# __Host- Secure cookie; the API token and live events; the port-80
# redirect and certificate renewals.
#
# What it cannot do in a container: the service user, sudo, peer
# authentication, systemd (deploy/commentd@.service: test_restart).
# Environment (from tests/run-tests.sh, all optional): COMMENTD_TEST_BIN,
# SANITIZE, PGBIN.  Ends with "N passed, N failed".
set -u

here=$(cd "$(dirname "$0")/../.." && pwd)
cd "$here" || exit 1
BIN=${COMMENTD_TEST_BIN:-bin/commentd}
case "$BIN" in /*) ;; *) BIN=$here/$BIN ;; esac
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
NAME=comments.example.com
tmp=$(mktemp -d /tmp/commentd-deploy.XXXXXX)
chmod 755 "$tmp"		# nginx's workers (nobody) and postgres read below
passed=0 failed=0
server_pid="" nginx_pid=""

ok() { echo "ok $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1: $2"; failed=$((failed + 1)); }

as_pg() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

cleanup() {
	[ -n "$nginx_pid" ] && kill -TERM "$nginx_pid" 2>/dev/null
	[ -n "$server_pid" ] && kill -KILL "$server_pid" 2>/dev/null
	[ -f "$tmp/pg/data/PG_VERSION" ] &&
	    as_pg "$PGBIN/pg_ctl" -D "$tmp/pg/data" -m immediate -w stop \
	    >/dev/null 2>&1
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Stops here: what ran counts, and the rest is one failure.
die() {
	fail "$1" "$2"
	echo "$passed passed, $failed failed"
	exit 1
}

# free_port: a loopback TCP port nobody listens on now.
free_port() {
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		_p=$(shuf -i 20000-60000 -n 1)
		_h=$(printf ':%04X' "$_p")
		grep -q "$_h 00000000:0000 0A\|$_h 0\{32\}:0000 0A" \
		    /proc/net/tcp /proc/net/tcp6 2>/dev/null || {
			echo "$_p"; return 0; }
	done
	return 1
}

# subst FILE FROM TO: replaces FROM (a fixed string) by TO on the one
# line that has it; the shipped file must still have that line.
subst() {
	awk -v from="$2" -v to="$3" '
	    (i = index($0, from)) > 0 {
		$0 = substr($0, 1, i - 1) to substr($0, i + length(from)); n++
	    }
	    { print }
	    END { exit n != 1 }' "$1" >"$1.new" && mv "$1.new" "$1" || {
		echo "$1: no single line with: $2" >&2
		return 1; }
}

# json_str FIELD FILE: the first string value of FIELD in a JSON answer.
json_str() {
	sed -n "s/.*\"$1\": *\"\([^\"]*\)\".*/\1/p" "$2" | head -n 1
}

# -- 1. install (make install into a DESTDIR) ----------------------------
# (Under SANITIZE=1 make install installs the sanitized build.)  Until
# branch install brings the target, the built binary serves as it is.
echo "== install"
if grep -q '^install:' Makefile; then
	if make --no-print-directory install DESTDIR="$tmp/root" \
	    PREFIX=/usr/local >"$tmp/install.log" 2>&1 &&
	    [ -x "$tmp/root/usr/local/bin/commentd" ]; then
		ok install
		BIN=$tmp/root/usr/local/bin/commentd
	else
		cat "$tmp/install.log"
		fail install "make install DESTDIR=… did not install commentd"
	fi
else
	echo "no make install target: serving $BIN"
fi
[ -x "$BIN" ] || die binary "$BIN is missing"

# -- 2. the database, with DEPLOY.md's own commands -------------------------
# A cluster of our own whose superuser is "postgres" (trust on its
# socket stands for Debian's peer authentication), then the role and
# the database by the document's command lines: PGHOST and PGUSER stand
# for `sudo -u postgres` on Debian's socket.
echo "== database"
DOC=docs/DEPLOY.md
# doc_line SED-EXPR: the first line of DEPLOY.md that SED-EXPR prints.
doc_line() {
	_l=$(sed -n "$1" "$DOC" | head -n 1)
	[ -n "$_l" ] && printf '%s\n' "$_l"
}
cu=$(doc_line 's/^sudo -u postgres \(createuser .*\)$/\1/p') ||
    die doc_createuser "$DOC has no sudo -u postgres createuser"
cdb=$(doc_line 's/^sudo -u postgres \(createdb .*\)$/\1/p') ||
    die doc_createdb "$DOC has no sudo -u postgres createdb"
sock=$tmp/pg/run
mkdir -p "$sock"
[ "$(id -u)" -eq 0 ] && chown -R postgres:postgres "$tmp/pg"
as_pg "$PGBIN/initdb" -D "$tmp/pg/data" -U postgres --auth=trust \
    -E UTF8 --locale=C.UTF-8 --no-sync >"$tmp/initdb.log" 2>&1 ||
    { cat "$tmp/initdb.log"; die initdb "initdb failed"; }
printf "listen_addresses = ''\nunix_socket_directories = '%s'\n%s\n" \
    "$sock" "fsync = off" | as_pg tee -a "$tmp/pg/data/postgresql.conf" \
    >/dev/null
as_pg "$PGBIN/pg_ctl" -D "$tmp/pg/data" -l "$tmp/pg/log" -w -t 60 start \
    >/dev/null || { cat "$tmp/pg/log"; die postgres "could not start"; }
if env PGHOST="$sock" PGUSER=postgres PATH="$PGBIN:$PATH" \
    sh -c "$cu && $cdb"; then
	ok create_database
else
	die create_database "$cu; $cdb: failed"
fi

# -- 3. the environment file, DEPLOY.md's ----------------------------------
# Its lines as the document writes them, but the socket's directory, a
# port of commentd's choosing (nginx's upstream is rewritten to it) and,
# appended (the last assignment wins, for systemd as for sh), two
# workers and the request lines this test counts.
mkdir -p "$tmp/etc"
sed -n '/^sudo tee \/etc\/commentd\/commentd.env .*<<EOF$/,/^EOF$/p' \
    "$DOC" | sed '1d;$d' >"$tmp/etc/commentd.env"
subst "$tmp/etc/commentd.env" "host=/var/run/postgresql " "host=$sock " &&
subst "$tmp/etc/commentd.env" "COMMENTD_LISTEN=127.0.0.1:8080" \
    "COMMENTD_LISTEN=127.0.0.1:0" &&
subst "$tmp/etc/commentd.env" '$SITE' "$NAME" ||
    die doc_env_file "$DOC's environment file changed shape"
printf 'COMMENTD_WORKERS=2\nCOMMENTD_LOG_LEVEL=info\n' \
    >>"$tmp/etc/commentd.env"
chmod 0640 "$tmp/etc/commentd.env"

# doc_run LINE: a `sh -c '…'` command line of DEPLOY.md (its `sudo -u
# commentd` taken off), with the test's file and binary, in a clean
# environment as sudo gives (keeping the sanitizers' options).
doc_run() {
	_c=$(printf '%s\n' "$1" | sed -e \
	    "s|/etc/commentd/commentd.env|$tmp/etc/commentd.env|" \
	    -e "s|exec commentd |exec $BIN |")
	env -i PATH="$PATH" ASAN_OPTIONS="${ASAN_OPTIONS:-}" \
	    UBSAN_OPTIONS="${UBSAN_OPTIONS:-}" sh -c "$_c"
}

echo "== first admin and token"
asc='^sudo -u commentd \(sh -c '"'"'.* moderator'
boot=$(doc_line "s/$asc bootstrap'\)\$/\1/p") ||
    die doc_bootstrap "$DOC has no bootstrap command"
add=$(doc_line "s/$asc add laila .*'\)\$/\1/p") ||
    die doc_moderator_add "$DOC has no moderator add"
tok=$(doc_line 's/^export COMMENTD_TOKEN=\$(sudo -u commentd \(.*\))$/\1/p') ||
    die doc_token "$DOC has no export COMMENTD_TOKEN=…"
doc_run "$boot" >"$tmp/bootstrap.out" 2>"$tmp/bootstrap.err"
pw=$(sed -n 's/^Created moderator "admin" with password: //p' \
    "$tmp/bootstrap.out")
if [ -n "$pw" ]; then
	ok bootstrap
else
	cat "$tmp/bootstrap.out" "$tmp/bootstrap.err"
	die bootstrap "moderator bootstrap printed no password"
fi
if echo 'laila-deploy-password' | doc_run "$add" >"$tmp/add.out" 2>&1
then
	ok moderator_add
else
	cat "$tmp/add.out"
	fail moderator_add "moderator add laila failed"
fi
token=$(doc_run "$tok" 2>"$tmp/token.err")
if [ -n "$token" ]; then
	ok token_create
else
	cat "$tmp/token.err"
	fail token_create "token create printed no token"
fi

# as_service CMD...: commentd with the file's settings and nothing else,
# read as doc_run reads them; systemd runs `serve` so.  It execs: call
# it in a subshell.
as_service() {
	exec env -i PATH="$PATH" ASAN_OPTIONS="${ASAN_OPTIONS:-}" \
	    UBSAN_OPTIONS="${UBSAN_OPTIONS:-}" \
	    sh -c 'set -a; . "$0"; exec "$@"' "$tmp/etc/commentd.env" \
	    "$BIN" "$@"
}

echo "== commentd"
(as_service serve) >"$tmp/server.log" 2>&1 &
server_pid=$!
cport=""
i=0
while [ $i -lt 300 ] && [ -z "$cport" ]; do
	cport=$(sed -n 's/.*listening on [^ ]*:\([0-9]*\) with.*/\1/p' \
	    "$tmp/server.log" | head -n 1)
	kill -0 "$server_pid" 2>/dev/null || break
	[ -n "$cport" ] || sleep 0.1
	i=$((i + 1))
done
[ -n "$cport" ] || { cat "$tmp/server.log"; die serve "did not start"; }

# -- 4. nginx: the shipped site, its paths and ports rewritten -------------
echo "== nginx"
ng=$tmp/nginx
mkdir -p "$ng/tmp" "$tmp/www/.well-known/acme-challenge"
echo renewal-ok >"$tmp/www/.well-known/acme-challenge/probe"
chmod -R a+rX "$tmp/www"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
    -nodes -days 2 -subj "/CN=$NAME" -addext "subjectAltName=DNS:$NAME" \
    -keyout "$ng/key.pem" -out "$ng/cert.pem" >"$tmp/openssl.log" 2>&1 ||
    { cat "$tmp/openssl.log"; die certificate "openssl failed"; }
v6=0
grep -q '^0\{31\}1 ' /proc/net/if_inet6 2>/dev/null && v6=1

# site PORT80 PORT443: writes $ng/site.conf from deploy/nginx.conf.
site() {
	cp deploy/nginx.conf "$ng/site.conf" &&
	subst "$ng/site.conf" "listen 80;" "listen 127.0.0.1:$1;" &&
	subst "$ng/site.conf" "listen 443 ssl" "listen 127.0.0.1:$2 ssl" &&
	if [ "$v6" = 1 ]; then
		subst "$ng/site.conf" "listen [::]:80;" "listen [::1]:$1;" &&
		subst "$ng/site.conf" "listen [::]:443 ssl" "listen [::1]:$2 ssl"
	else
		subst "$ng/site.conf" "listen [::]:80;" "" &&
		subst "$ng/site.conf" "listen [::]:443 ssl http2;" ""
	fi &&
	subst "$ng/site.conf" "server 127.0.0.1:8080;" \
	    "server 127.0.0.1:$cport;" &&
	subst "$ng/site.conf" "proxy_cache_path /var/cache/nginx/commentd" \
	    "proxy_cache_path $ng/cache" &&
	subst "$ng/site.conf" \
	    "/etc/letsencrypt/live/$NAME/fullchain.pem" "$ng/cert.pem" &&
	subst "$ng/site.conf" \
	    "/etc/letsencrypt/live/$NAME/privkey.pem" "$ng/key.pem" &&
	subst "$ng/site.conf" "root /var/www/html;" "root $tmp/www;" &&
	# The load balancer in front is 127.0.0.4.
	subst "$ng/site.conf" "# set_real_ip_from 10.0.0.0/8;" \
	    "set_real_ip_from 127.0.0.4;" &&
	subst "$ng/site.conf" "# real_ip_header X-Forwarded-For;" \
	    "real_ip_header X-Forwarded-For;" &&
	subst "$ng/site.conf" "# real_ip_recursive on;" "real_ip_recursive on;"
}
cat >"$ng/nginx.conf" <<EOF
worker_processes 1;
daemon off;
pid $ng/nginx.pid;
error_log $ng/error.log warn;
events { worker_connections 256; }
http {
	access_log $ng/access.log;
	client_body_temp_path $ng/tmp/body;
	proxy_temp_path $ng/tmp/proxy;
	fastcgi_temp_path $ng/tmp/fastcgi;
	uwsgi_temp_path $ng/tmp/uwsgi;
	scgi_temp_path $ng/tmp/scgi;
	include $ng/site.conf;
}
EOF
tries=0
while [ -z "$nginx_pid" ] && [ $tries -lt 3 ]; do
	tries=$((tries + 1))
	p80=$(free_port) && p443=$(free_port) ||
	    die nginx "no free port"
	[ "$p80" != "$p443" ] || continue
	site "$p80" "$p443" || die nginx_site "the shipped site changed shape"
	if ! "$NGINX" -t -q -e "$ng/error.log" -p "$ng" -c "$ng/nginx.conf" \
	    2>"$ng/t.log"; then
		cat "$ng/t.log"
		die nginx_t "nginx -t refuses the shipped site"
	fi
	"$NGINX" -e "$ng/error.log" -p "$ng" -c "$ng/nginx.conf" \
	    2>>"$ng/run.log" &
	nginx_pid=$!
	i=0
	until curl -s -m 2 -o /dev/null "http://127.0.0.1:$p80/"; do
		i=$((i + 1))
		if ! kill -0 "$nginx_pid" 2>/dev/null || [ $i -gt 100 ]; then
			kill -TERM "$nginx_pid" 2>/dev/null
			wait "$nginx_pid" 2>/dev/null
			nginx_pid=""
			break
		fi
		sleep 0.1
	done
done
[ -n "$nginx_pid" ] ||
    { cat "$ng/run.log" "$ng/error.log"; die nginx "did not start"; }
ok nginx_t_and_start

base=https://$NAME:$p443
# through nginx, over HTTPS, checking the certificate.
tls() {
	curl -sS -m 10 --cacert "$ng/cert.pem" --resolve "$NAME:$p443:127.0.0.1" \
	    "$@"
}
tls6() {
	curl -sS -m 10 --cacert "$ng/cert.pem" --resolve "$NAME:$p443:[::1]" "$@"
}

# -- 5. what the site must do ---------------------------------------------
echo "== through nginx"
# Port 80 only redirects, but for certificate renewals.
code=$(curl -sS -m 10 -o /dev/null -w '%{http_code} %{redirect_url}' \
    -H "Host: $NAME" "http://127.0.0.1:$p80/admin/")
[ "$code" = "301 https://$NAME/admin/" ] && ok http_redirect ||
    fail http_redirect "port 80 answered $code"
body=$(curl -sS -m 10 -H "Host: $NAME" \
    "http://127.0.0.1:$p80/.well-known/acme-challenge/probe")
[ "$body" = renewal-ok ] && ok acme_challenge ||
    fail acme_challenge "the renewal probe read \"$body\""

# The widget's files and the admin client, with their types; HSTS.
for f in /admin/:text/html /admin/admin.js:text/javascript \
    /embed.js:text/javascript /embed.css:text/css /:text/html; do
	path=${f%%:*} want=${f#*:}
	got=$(tls -o /dev/null -D "$tmp/h" -w '%{http_code} %{content_type}' \
	    "$base$path")
	case "$got" in
	"200 $want"*)
		if grep -qi '^strict-transport-security: max-age=' "$tmp/h"
		then
			ok "file $path"
		else
			fail "file $path" "no Strict-Transport-Security"
		fi
		;;
	*)	fail "file $path" "answered $got, not 200 $want" ;;
	esac
done

# A login over HTTPS: the __Host- cookie, Secure, and it works.
tls -o "$tmp/login" -D "$tmp/h" -H 'Content-Type: application/json' \
    --data "{\"username\": \"admin\", \"password\": \"$pw\"}" \
    "$base/api/v1/admin/session"
cookie=$(tr -d '\r' <"$tmp/h" |
    sed -n 's/^[Ss]et-[Cc]ookie: \(__Host-commentd_session=[^;]*\);.*/\1/p')
if [ -n "$cookie" ] && grep -i '^set-cookie: __Host-' "$tmp/h" |
    grep -q 'Secure' && [ "$(tls -o /dev/null -w '%{http_code}' \
    -b "$cookie" "$base/api/v1/admin/session")" = 200 ]; then
	ok login_cookie
else
	cat "$tmp/h" "$tmp/login"
	fail login_cookie "no working Secure __Host- cookie"
fi
auth="Authorization: Bearer $token"
[ "$(tls -o /dev/null -w '%{http_code}' -H "$auth" \
    "$base/api/v1/admin/session")" = 200 ] && ok api_token ||
    fail api_token "the created token is refused"

# post FILE CURL-ARGS...: posts a comment on news/2023/kim-putin through
# nginx (IPv4 unless the args say), the answer in FILE; prints the status.
key=news%2F2023%2Fkim-putin
n=0
post() {
	_out=$1
	shift
	n=$((n + 1))
	tls -o "$_out" -w '%{http_code}' -H 'Content-Type: application/json' \
	    --data "{\"author\": \"Deploy\", \"body\": \"deploy test $n\"}" \
	    "$@" "$base/api/v1/articles/$key/comments"
}
# The comment's stored address, as an admin sees it.
stored_ip() {
	_id=$(sed -n 's/.*"comment": *{ *"id": *\([0-9]*\).*/\1/p' "$1")
	tls -H "$auth" "$base/api/v1/admin/comments/$_id" >"$tmp/item"
	json_str ip "$tmp/item"
}

# The demo page's post: Origin is commentd's own, port and all.
code=$(post "$tmp/c1" -H "Origin: https://$NAME:$p443")
[ "$code" = 202 ] && ok same_origin_post ||
    fail same_origin_post "a post from $NAME:$p443's own page got $code"

# The address nginx saw, not one the client made up.
code=$(post "$tmp/c2" --interface 127.0.0.3 \
    -H 'X-Forwarded-For: 203.0.113.7')
ip=$(stored_ip "$tmp/c2")
[ "$code" = 202 ] && [ "$ip" = 127.0.0.3 ] && ok client_address ||
    fail client_address "posted ($code) from 127.0.0.3, stored \"$ip\""
if [ "$v6" = 1 ]; then
	code=$(tls6 -o "$tmp/c3" -w '%{http_code}' \
	    -H 'Content-Type: application/json' \
	    --data '{"author": "Deploy", "body": "deploy test over IPv6"}' \
	    "$base/api/v1/articles/$key/comments")
	ip=$(stored_ip "$tmp/c3")
	[ "$code" = 202 ] && [ "$ip" = ::1 ] && ok client_address_ipv6 ||
	    fail client_address_ipv6 "posted ($code) from ::1, stored \"$ip\""
fi
# Behind the balancer (real_ip): its header names the reader.
code=$(post "$tmp/c4" --interface 127.0.0.4 \
    -H 'X-Forwarded-For: 198.51.100.9')
ip=$(stored_ip "$tmp/c4")
[ "$code" = 202 ] && [ "$ip" = 198.51.100.9 ] && ok real_ip ||
    fail real_ip "posted ($code) behind 127.0.0.4, stored \"$ip\""

# Live events through nginx: the approval below arrives on a stream
# opened before it.
tls -N -m 3 -H "$auth" -o "$tmp/events" "$base/api/v1/admin/events" \
    2>/dev/null &
events_pid=$!
i=0
while ! grep -q '^: connected' "$tmp/events" 2>/dev/null && [ $i -lt 50 ]
do
	sleep 0.05
	i=$((i + 1))
done

# A key with '/': approved, read twice, the second time from the cache
# (commentd sees one request).
id=$(sed -n 's/.*"comment": *{ *"id": *\([0-9]*\).*/\1/p' "$tmp/c1")
tls -o /dev/null -H "$auth" -H 'Content-Type: application/json' \
    --data '{}' "$base/api/v1/admin/comments/$id/approve"
i=0
while ! grep -q '^event: comment' "$tmp/events" 2>/dev/null && [ $i -lt 40 ]
do
	sleep 0.05
	i=$((i + 1))
done
if grep -q '^event: comment' "$tmp/events" &&
    grep -q "\"comment_id\" *: *${id}[,}]" "$tmp/events"; then
	ok live_events
else
	cat "$tmp/events"
	fail live_events "no event for comment $id within 2 s of the approval"
fi
kill "$events_pid" 2>/dev/null
wait "$events_pid" 2>/dev/null
s1=$(tls -o "$tmp/r1" -D "$tmp/h1" -w '%{http_code}' \
    "$base/api/v1/articles/$key/comments")
s2=$(tls -o "$tmp/r2" -D "$tmp/h2" -w '%{http_code}' \
    "$base/api/v1/articles/$key/comments")
x1=$(sed -n 's/^[Xx]-[Cc]ache-[Ss]tatus: *//p' "$tmp/h1" | tr -d '\r')
x2=$(sed -n 's/^[Xx]-[Cc]ache-[Ss]tatus: *//p' "$tmp/h2" | tr -d '\r')
# -- 6. shutdown ------------------------------------------------------------
kill -TERM "$nginx_pid"
wait "$nginx_pid" 2>/dev/null
nginx_pid=""
kill -TERM "$server_pid"
wait "$server_pid"
rc=$?
server_pid=""
if [ "$rc" -eq 0 ] && ! grep -Eq 'runtime error|Sanitizer' "$tmp/server.log"
then
	ok server_stop
else
	grep -E -A30 'runtime error|Sanitizer' "$tmp/server.log" | head -n 60
	fail server_stop "commentd exited with status $rc"
fi

# commentd writes its request lines in batches: counted once it stopped.
upstream=$(grep -c "GET /api/v1/articles/$key/comments " "$tmp/server.log")
if [ "$s1 $s2 $x1 $x2" = "200 200 MISS HIT" ] && [ "$upstream" = 1 ] &&
    grep -q '"key": *"news/2023/kim-putin"' "$tmp/r2" &&
    grep -q '"body": *"deploy test 1"' "$tmp/r2" && cmp -s "$tmp/r1" "$tmp/r2"
then
	ok cached_slash_key
else
	cat "$tmp/h1" "$tmp/h2" "$tmp/r2" "$tmp/server.log"
	fail cached_slash_key "reads $s1 $s2, X-Cache-Status $x1 then \
$x2, $upstream reached commentd"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
