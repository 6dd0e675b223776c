#!/usr/bin/env bash
# tests/bench/run-bench.sh BIN - `make bench`: commentd's figures, each
# beside a reference measured in the same run (nginx serving the same
# bytes, pgbench inserting the same row), as one table.
#
# Everything runs here, on loopback, bounded in time: a private
# PostgreSQL cluster under var/bench/pg (deploy/pg.sh; real fsync), our
# own nginx in a temporary directory, commentd on free 127.0.0.1 ports.
# The seeded cluster is kept between runs (seeding takes about a
# minute); RESEED=1 seeds it again, and so does any change to seed.sql
# or to migrations/.
# Rows a run adds (submissions) are deleted at the start of the next.
#
# Output: the table on stdout and in var/bench/results.txt; every raw
# wrk/pgbench output and server log in var/bench/raw/.
#
# Settings (environment):
#   RESEED=1                   drop the kept cluster and seed again
#   BENCH_DURATION=10          seconds of each measured load
#   BENCH_WARMUP=2             seconds of load before each measured one
#   BENCH_THREADS=2            wrk threads (pgbench -j too)
#   BENCH_CONNECTIONS=64       wrk connections for reads (a, b, c, g)
#   BENCH_POST_CONNECTIONS=16  wrk and pgbench clients for (d)
#   BENCH_QUEUE_CONNECTIONS=4  wrk connections for the moderation queue (e)
#   BENCH_FLOOD_DURATION=5     seconds of each load of (i) and (j), the flood
#   BENCH_WORKERS=$(nproc)     commentd workers and nginx worker_processes
#   BENCH_CACHE_MB=64          COMMENTD_CACHE_MB for (a), (b), (d), (e), (f), (g)
#   BENCH_LOG_LEVEL=warn       COMMENTD_LOG_LEVEL (warn: no request log,
#                              as nginx runs with access_log off)
#   BENCH_SEED_TEXT            default web/demo/article-ar.txt
set -euo pipefail

here=$(cd "$(dirname "$0")/../.." && pwd)
cd "$here"
BIN=${1:-bin/commentd}
BENCH=tests/bench
VAR=var/bench
PGDIR=$VAR/pg
RAW=$VAR/raw
RESULTS=$VAR/results.txt
SEEDINFO=$VAR/seed.info
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
SEED_TEXT=${BENCH_SEED_TEXT:-$here/web/demo/article-ar.txt}
DUR=${BENCH_DURATION:-10}
WARM=${BENCH_WARMUP:-2}
THREADS=${BENCH_THREADS:-2}
CONNS=${BENCH_CONNECTIONS:-64}
POST_CONNS=${BENCH_POST_CONNECTIONS:-16}
QUEUE_CONNS=${BENCH_QUEUE_CONNECTIONS:-4}
FLOOD_DUR=${BENCH_FLOOD_DURATION:-5}
WORKERS=${BENCH_WORKERS:-$(nproc)}
CACHE_MB=${BENCH_CACHE_MB:-64}
LOG_LEVEL=${BENCH_LOG_LEVEL:-warn}
RESEED=${RESEED:-}
ARTICLES=10000
HOT=news-10000
HOT_PATH=/api/v1/articles/$HOT/comments
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
export BENCH_ARTICLES=$ARTICLES

started=$(date +%s)
tmp=$(mktemp -d /tmp/commentd-bench.XXXXXX)
chmod 755 "$tmp"		# nginx workers (nobody) read www/ below it
server_pid="" nginx_pid="" load_pid="" flood_pid="" base="" nginx_base=""

# Messages go to the stderr we were started with (fd 3), even from a trap
# that fires inside a redirected block.
exec 3>&2
say() { printf '%s [bench] %s\n' "$(date +%H:%M:%S)" "$*" >&3; }
die() { say "error: $*"; exit 1; }

# -- clean-up: whatever happens, stop what we started --------------------

# stop PID: SIGTERM, up to 5 s to exit, then SIGKILL.
stop() {
	[ -n "$1" ] || return 0
	kill -TERM "$1" 2>/dev/null || true
	for _ in $(seq 50); do
		kill -0 "$1" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
}
stop_server() { stop "$server_pid"; server_pid=""; }
stop_nginx() { stop "$nginx_pid"; nginx_pid=""; }

cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	[ -z "$load_pid" ] || kill -TERM "$load_pid" 2>/dev/null || true
	[ -z "$flood_pid" ] || kill -TERM "$flood_pid" 2>/dev/null || true
	stop_server
	stop_nginx
	deploy/pg.sh stop "$PGDIR" >/dev/null 2>&1 || true
	rm -rf "$tmp"
	[ "$rc" -eq 0 ] || say "failed (exit $rc); raw outputs in $RAW/"
	exit "$rc"
}
trap cleanup EXIT
trap 'say "interrupted"; exit 130' INT TERM

# -- helpers -------------------------------------------------------------

# run COMMAND...: runs it and waits for it.  Through `wait`, so that
# Ctrl-C stops the bench even when the command (wrk, psql) catches SIGINT
# itself: bash would otherwise leave the signal to it and go on.
run() {
	local rc=0
	"$@" &
	load_pid=$!
	wait "$load_pid" || rc=$?
	load_pid=""
	return "$rc"
}

# A loopback port nobody uses (no socket of any state on it).
free_port() {
	local p hex
	for _ in $(seq 200); do
		p=$((20000 + RANDOM % 40000))
		hex=$(printf '%04X' "$p")
		if ! awk -v h="$hex" '{ split($2, a, ":"); if (a[2] == h) f = 1 }
		    END { exit !f }' /proc/net/tcp /proc/net/tcp6 2>/dev/null; then
			echo "$p"
			return 0
		fi
	done
	die "no free port found"
}

# wait_http URL SECONDS PID: until URL answers 200 (while PID lives).
wait_http() {
	local url=$1 n=$(($2 * 10)) pid=$3
	while [ "$n" -gt 0 ] && kill -0 "$pid" 2>/dev/null; do
		[ "$(curl -s -o /dev/null -w '%{http_code}' "$url" 2>/dev/null)" = 200 ] &&
		    return 0
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}

psql_q() { "$PGBIN/psql" "$db" -X -q -tA -v ON_ERROR_STOP=1 "$@"; }

# start_server NAME WORKERS CACHE_MB [NAME=VALUE...]: commentd on a free
# port; sets base.  Its rate limits and its cap on connections per
# address are off (every load comes from one address) unless the extra
# settings turn them on.
start_server() {
	local name=$1 workers=$2 cache=$3 port
	shift 3
	stop_server
	port=$(free_port)
	COMMENTD_DATABASE_URL=$db COMMENTD_LISTEN=127.0.0.1:$port \
	COMMENTD_WORKERS=$workers COMMENTD_CACHE_MB=$cache \
	COMMENTD_LOG_LEVEL=$LOG_LEVEL COMMENTD_SHUTDOWN_TIMEOUT_MS=2000 \
	COMMENTD_SUBMIT_RATE=0 COMMENTD_REPORT_RATE=0 \
	COMMENTD_MAX_CONNECTIONS_PER_IP=0 \
	    env "$@" "$BIN" serve 2>"$RAW/commentd-$name.log" &
	server_pid=$!
	base=http://127.0.0.1:$port
	if ! wait_http "$base/readyz" 30 "$server_pid" || ! kill -0 "$server_pid" 2>/dev/null; then
		tail -n 20 "$RAW/commentd-$name.log" >&2
		die "commentd ($name) did not become ready on $base"
	fi
	# The cache turns on once the worker's LISTEN connection is up.
	sleep 0.5
	say "commentd $name: pid $server_pid on $base, workers=$workers cache_mb=$cache"
}

# start_nginx WORKERS: our nginx on a free port; sets nginx_base.
start_nginx() {
	local workers=$1 port
	stop_nginx
	port=$(free_port)
	sed -e "s|@WORKERS@|$workers|g" -e "s|@PORT@|$port|g" \
	    -e "s|@DIR@|$tmp/nginx|g" "$BENCH/nginx.conf.in" \
	    > "$tmp/nginx/nginx.conf"
	"$NGINX" -e "$tmp/nginx/error.log" -p "$tmp/nginx" \
	    -c "$tmp/nginx/nginx.conf" 2>>"$RAW/nginx.log" &
	nginx_pid=$!
	nginx_base=http://127.0.0.1:$port
	if ! wait_http "$nginx_base$HOT_PATH" 15 "$nginx_pid"; then
		cat "$tmp/nginx/error.log" "$RAW/nginx.log" >&2 2>/dev/null || true
		die "nginx did not start on $nginx_base"
	fi
	say "nginx: pid $nginx_pid on $nginx_base, worker_processes=$workers"
}

# Our processes: commentd, nginx and the cluster's postmaster with their
# children.  our_ticks: the CPU time they used so far (clock ticks).
our_ticks() {
	local pm p pids
	pm=$(head -n 1 "$PGDIR/data/postmaster.pid" 2>/dev/null || true)
	pids="$server_pid $nginx_pid $pm"
	for p in $nginx_pid $pm; do
		pids="$pids $(ps -o pid= --ppid "$p" 2>/dev/null || true)"
	done
	for p in $pids; do
		sed 's/.*) //' "/proc/$p/stat" 2>/dev/null || true
	done | awk '{ t += $12 + $13 } END { printf "%d\n", t }'
}

# cpu_sample: "busy% others%" over one second: how busy the CPUs were,
# and how much of that was not ours.
cpu_sample() {
	local a b o1 o2
	a=$(awk '/^cpu / { print $2 + $3 + $4 + $7 + $8, $5 + $6 }' /proc/stat)
	o1=$(our_ticks)
	sleep 1
	b=$(awk '/^cpu / { print $2 + $3 + $4 + $7 + $8, $5 + $6 }' /proc/stat)
	o2=$(our_ticks)
	awk -v a="$a" -v b="$b" -v o=$((o2 - o1)) 'BEGIN { split(a, x); split(b, y)
	    busy = y[1] - x[1]; t = busy + y[2] - x[2]; if (t <= 0) t = 1
	    f = busy - o; if (f < 0) f = 0
	    printf "%d %d\n", 100 * busy / t, 100 * f / t }'
}

# settle NAME: before a measurement, wait (up to 10 s) for the CPUs to be
# idle, e.g. for PostgreSQL to finish queries a load left behind; if
# other processes keep them busy, a note under the table says so.
settle() {
	local busy others
	for _ in $(seq 10); do
		read -r busy others < <(cpu_sample)
		[ "$busy" -ge 15 ] || return 0
	done
	if [ "$others" -ge 15 ]; then
		notes+=("$1: other processes kept the CPUs ${others}% busy just before it: skewed")
	else
		notes+=("$1: the CPUs were still ${busy}% busy (our own processes) when it started")
	fi
}

# parse_wrk FILE -> "rps p50_ms p99_ms socket_errors non2xx3xx bytes_per_request
# requests mean_ms"
parse_wrk() {
	awk '
	function ms(s,   v, u) {
		v = s + 0; u = s; sub(/^[0-9.]+/, "", u)
		if (u == "us") return v / 1000
		if (u == "s") return v * 1000
		if (u == "m") return v * 60000
		if (u == "h") return v * 3600000
		return v
	}
	function bytes(s,   v, u) {
		v = s + 0; u = s; sub(/^[0-9.]+/, "", u)
		if (u == "KB") return v * 1024
		if (u == "MB") return v * 1048576
		if (u == "GB") return v * 1073741824
		if (u == "TB") return v * 1099511627776
		return v
	}
	/^ +Latency +[0-9]/ { avg = ms($2) }
	/^ +50%/ { p50 = ms($2) }
	/^ +99%/ { p99 = ms($2) }
	/ requests in / { reqs = $1; rd = bytes($5) }
	/^Requests\/sec:/ { rps = $2 }
	/Non-2xx or 3xx responses:/ { bad = $NF }
	/Socket errors:/ { gsub(",", ""); err = $4 + $6 + $8 + $10 }
	END {
		printf "%.1f %.3f %.3f %d %d %d %d %.3f\n", rps, p50, p99, err,
		    bad, (reqs > 0 ? rd / reqs : 0), reqs, avg
	}' "$1"
}

# run_wrk NAME URL WRK-OPTIONS...: one measured run (after a warm-up of
# the same load unless NAME starts with "nowarm-"), saved as RAW/NAME.txt;
# sets RPS P50 P99 ERRS BPR REQS MEAN.  wrk's timeout is raised to 10 s so
# that slow answers are measured, not counted as errors.  NO_SETTLE=1:
# no wait for idle CPUs (a load runs beside it on purpose); REFUSALS=1:
# answers >= 400 are expected (the flood's 429s), not noted.
run_wrk() {
	local name=$1 url=$2 out t=${WRK_THREADS:-$THREADS}
	shift 2
	[ -n "${NO_SETTLE:-}" ] || settle "${name#nowarm-}"
	case "$name" in
	nowarm-*) name=${name#nowarm-} ;;
	*)	run wrk -t"$t" -d"${WARM}s" --timeout 10s "$@" "$url" \
		    > "$RAW/$name.warmup.txt" 2>&1 || true ;;
	esac
	out=$RAW/$name.txt
	say "wrk $name: -t$t -d${DUR}s $* $url"
	{ echo "# wrk -t$t -d${DUR}s --timeout 10s --latency $* $url"
	  run wrk -t"$t" -d"${DUR}s" --timeout 10s --latency "$@" "$url"; } \
	    > "$out" 2>&1 ||
	    die "wrk failed: $out"
	read -r RPS P50 P99 serr bad BPR REQS MEAN < <(parse_wrk "$out")
	ERRS=$((serr + bad))
	[ "$REQS" -gt 0 ] || die "wrk made no request: $out"
	[ "$ERRS" -eq 0 ] || [ -n "${REFUSALS:-}" ] || notes+=("$name: $serr socket errors, $bad responses >= 400 of $REQS (see $out)")
}

# run_wrk3 NAME URL ARGS...: run_wrk three times (one warm-up) and keep
# the run whose p99 is the median.  This machine stalls every connection
# for 30-100 ms now and then (docs/PERFORMANCE.md, "Stalls"): in one
# 10-second run a single stall is the whole p99.  P99S lists all three.
run_wrk3() {
	local name=$1 url=$2 i runs=()
	shift 2
	for i in 1 2 3; do
		if [ "$i" = 1 ]; then run_wrk "$name" "$url" "$@"
		else NO_SETTLE=1 run_wrk "nowarm-$name.$i" "$url" "$@"; fi
		runs+=("$P99 $RPS $P50")
	done
	P99S=$(printf '%s\n' "${runs[@]}" | awk '{ printf "%s%s", (NR > 1 ? " / " : ""), $1 }')
	read -r P99 RPS P50 < <(printf '%s\n' "${runs[@]}" | sort -g | sed -n 2p)
}

calc() { awk "BEGIN { printf \"%.2f\", $1 }"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
# verdict EXPR: PASS if the awk expression holds, else MISS.
verdict() { awk "BEGIN { exit !($1) }" && echo PASS || echo MISS; }

rows=()
notes=()
# row ITEM COMMENTD REFERENCE RATIO TARGET RESULT
row() { rows+=("$(printf '%-40s  %-16s  %-26s  %-6s  %-10s  %s' "$@")"); }

# -- set-up --------------------------------------------------------------

[ -x "$BIN" ] || die "$BIN is missing (make builds it)"
[ -r "$SEED_TEXT" ] || die "seed text $SEED_TEXT is missing"
for t in wrk curl "$NGINX" "$PGBIN/pgbench" "$PGBIN/psql"; do
	command -v "$t" >/dev/null 2>&1 ||
	    die "$t is missing: run tests/bench/install-deps.sh (as root)"
done
mkdir -p "$VAR" "$tmp/nginx/www" "$tmp/nginx/tmp"
rm -rf "$RAW"
mkdir -p "$RAW"

# The kept cluster is seeded again when the seed or a migration changes
# (a migration edited after it was applied would not be applied again).
seed_version=$(cat "$BENCH/seed.sql" "$SEED_TEXT" migrations/*.sql | md5sum | cut -c1-16)
if [ -n "$RESEED" ] || ! grep -q "^version=$seed_version\$" "$SEEDINFO" 2>/dev/null; then
	if [ -d "$PGDIR" ]; then
		say "dropping the kept cluster $PGDIR (RESEED or seed changed)"
		deploy/pg.sh stop "$PGDIR" >/dev/null 2>&1 || true
		case "$(cat "$PGDIR/sockdir" 2>/dev/null)" in
		/tmp/commentd-pg.*) rm -rf "$(cat "$PGDIR/sockdir")" ;;
		esac
		rm -rf "$PGDIR"
	fi
	rm -f "$SEEDINFO"
fi

say "starting PostgreSQL in $PGDIR (fsync on)"
deploy/pg.sh start "$PGDIR"
db=$(deploy/pg.sh url "$PGDIR")
pghost=$(printf '%s\n' "$db" | sed -n 's/.*host=\([^ ]*\).*/\1/p')
COMMENTD_DATABASE_URL=$db "$BIN" migrate >>"$RAW/migrate.log" 2>&1 ||
    { cat "$RAW/migrate.log" >&2; die "migrate failed"; }

if [ ! -f "$SEEDINFO" ]; then
	say "seeding 10,000 articles and 1,230,027 comments (once; RESEED=1 redoes it)"
	t0=$(date +%s)
	run "$PGBIN/psql" "$db" -X -q -v ON_ERROR_STOP=1 \
	    -v seed_text="$(cat "$SEED_TEXT")" -f "$BENCH/seed.sql" \
	    > "$RAW/seed.log" 2>&1 || { cat "$RAW/seed.log" >&2; die "seeding failed"; }
	echo pw12345678 | COMMENTD_DATABASE_URL=$db "$BIN" moderator add bench \
	    --role admin >>"$RAW/seed.log" 2>&1 ||
	    { cat "$RAW/seed.log" >&2; die "moderator add failed"; }
	{
		echo "version=$seed_version"
		echo "max_comment_id=$(psql_q -c 'SELECT max(id) FROM comments')"
		echo "max_article_id=$(psql_q -c 'SELECT max(id) FROM articles')"
		echo "seeded_at=$(date -u +%FT%TZ) in $(( $(date +%s) - t0 ))s"
	} > "$SEEDINFO"
	say "seeded in $(( $(date +%s) - t0 ))s"
else
	# Back to the seeded state: drop what earlier runs added.
	max_c=$(sed -n 's/^max_comment_id=//p' "$SEEDINFO")
	max_a=$(sed -n 's/^max_article_id=//p' "$SEEDINFO")
	n=$(psql_q -c "WITH d AS (DELETE FROM comments WHERE id > $max_c RETURNING 1)
	    SELECT count(*) FROM d")
	psql_q -c "DELETE FROM articles WHERE id > $max_a" \
	    -c "TRUNCATE comment_events"
	if [ "$n" -gt 0 ]; then
		say "removed $n comments left by an earlier run; vacuuming"
		psql_q -c "VACUUM ANALYZE comments"
	fi
	say "reusing the seeded cluster ($(sed -n 's/^seeded_at=//p' "$SEEDINFO"))"
fi

# The data the loads use.
read -r n_pending n_approved < <(psql_q -F ' ' -c "SELECT
    count(*) FILTER (WHERE status = 'pending'),
    count(*) FILTER (WHERE status = 'approved') FROM comments")
deep_id=$(psql_q -c "SELECT id FROM comments WHERE status = 'pending'
    ORDER BY id OFFSET 899999 LIMIT 1")
[ -n "$deep_id" ] || die "fewer than 900,000 pending comments"
COMMENTD_DATABASE_URL=$db "$BIN" token revoke bench >/dev/null 2>&1 || true
token=$(COMMENTD_DATABASE_URL=$db "$BIN" token create bench --days 1 2>>"$RAW/seed.log") ||
    die "token create failed"

# (d)'s bodies: JSON submissions, and pgbench's equivalent INSERT.
{
	echo "return {"
	psql_q -c "SELECT '[==[' || json_build_object('author', 'قارئ الاختبار',
	    'email', 'bench@example.com', 'body', body)::text || ']==],'
	    FROM comments WHERE article_id = (SELECT id FROM articles WHERE key = '$HOT')
	    AND status = 'approved' ORDER BY id"
	echo "}"
} > "$tmp/post-bodies.lua"
export BENCH_POST_BODIES=$tmp/post-bodies.lua
{
	echo "-- one submission per transaction, as commentd stores it (':' in"
	echo "-- the body is replaced: pgbench takes :name as a variable anywhere)"
	echo "\\set aid random(1, $ARTICLES)"
	psql_q -c "SELECT format('INSERT INTO comments (article_id, author, email,
	    body, status, submitted_status, ip, user_agent, submitter_token_hash)
	    VALUES ((SELECT id FROM articles WHERE key = %L || lpad(CAST(:aid AS text), 5, %L)),
	    %L, %L, %L, %L, %L, %L, %L, sha256(CAST(CAST(random() AS text) AS bytea)));',
	    'news-', '0', 'قارئ الاختبار', 'bench@example.com',
	    replace(body, ':', '.'), 'pending',
	    'pending', '127.0.0.1', 'pgbench')
	    FROM comments WHERE article_id = (SELECT id FROM articles WHERE key = '$HOT')
	    AND status = 'approved' ORDER BY id LIMIT 1" | tr -s '\n\t' '  '
	echo
} > "$RAW/pgbench-insert.sql"

cache_help=$("$BIN" serve --help 2>&1 | grep -A1 -- '--cache-mb' | tail -n 1 || true)
if [ -n "$cache_help" ]; then
	cache_min=$(printf '%s\n' "$cache_help" | sed -n 's/.*(\([0-9]*\)\.\.[0-9]*).*/\1/p')
	cache_min=${cache_min:-1}
else
	cache_min=""
	notes+=("this commentd has no COMMENTD_CACHE_MB setting: no read cache, every read is a miss")
fi

# -- (a), (b), (e), (d): one server with the configured cache -------------

start_server main "$WORKERS" "$CACHE_MB"

# (a) the hot article: one warm-up request, then its exact bytes for nginx.
curl -s -o /dev/null "$base$HOT_PATH"
mkdir -p "$tmp/nginx/www${HOT_PATH%/*}"
hot_file=$tmp/nginx/www$HOT_PATH
code=$(curl -s -D "$tmp/hot.hdr" -o "$hot_file" -w '%{http_code}' "$base$HOT_PATH")
[ "$code" = 200 ] || die "GET $HOT_PATH answered $code"
chmod 644 "$hot_file"
cp "$tmp/hot.hdr" "$RAW/hot-article.headers"
hot_bytes=$(wc -c < "$hot_file")
hot_total=$(grep -o '"total": *[0-9]*' "$hot_file" | grep -o '[0-9]*$' || true)
[ "$hot_total" = 50 ] || die "the hot article has ${hot_total:-no} approved comments, not 50"
etag=$(tr -d '\r' < "$tmp/hot.hdr" | sed -n 's/^[Ee][Tt][Aa][Gg]: *//p')
ctype=$(tr -d '\r' < "$tmp/hot.hdr" | sed -n 's/^[Cc]ontent-[Tt]ype: *//p')
[ -n "$etag" ] || die "the hot article's answer has no ETag"

start_nginx "$WORKERS"
curl -s -D "$tmp/nginx.hdr" -o "$tmp/nginx.body" "$nginx_base$HOT_PATH"
cmp -s "$hot_file" "$tmp/nginx.body" || die "nginx does not serve the same bytes"
nctype=$(tr -d '\r' < "$tmp/nginx.hdr" | sed -n 's/^[Cc]ontent-[Tt]ype: *//p')
[ "$nctype" = "$ctype" ] || die "Content-Type differs: nginx '$nctype', commentd '$ctype'"

run_wrk a-nginx "$nginx_base$HOT_PATH" -c"$CONNS"
ng_rps=$RPS ng_p99=$P99 ng_p50=$P50
run_wrk a-commentd "$base$HOT_PATH" -c"$CONNS"
cd_rps=$RPS cd_p99=$P99 cd_p50=$P50
[ "$BPR" -ge "$hot_bytes" ] || notes+=("(a) commentd sent $BPR bytes per answer, less than the body ($hot_bytes)")
r=$(ratio "$cd_rps" "$ng_rps")
row "(a) hot GET 200, req/s" "$cd_rps" "nginx $ng_rps" "$r" ">= 0.8" "$(verdict "$r >= 0.8")"
r=$(ratio "$cd_p99" "$ng_p99")
row "(a) hot GET 200, p99 latency" "${cd_p99} ms" "nginx ${ng_p99} ms" "$r" "<= 2.0" "$(verdict "$r <= 2.0")"
row "    (p50 latency)" "${cd_p50} ms" "nginx ${ng_p50} ms" "$(ratio "$cd_p50" "$ng_p50")" "-" "info"
stop_nginx

# (h) what a reader's browser downloads for the widget, as served (gzip).
w_js=$(curl -s -H 'Accept-Encoding: gzip' "$base/embed.js" | wc -c)
w_css=$(curl -s -H 'Accept-Encoding: gzip' "$base/embed.css" | wc -c)
w_raw=$(( $(curl -s "$base/embed.js" | wc -c) + $(curl -s "$base/embed.css" | wc -c) ))
w_kb=$(calc "($w_js + $w_css) / 1000")
row "(h) widget embed.js+embed.css, gzip" "$w_kb KB" "$(calc "$w_raw / 1000") KB raw" "" "< 15 KB" "$(verdict "$w_kb < 15")"

# (b) revalidations of the hot article.
code=$(curl -s -o /dev/null -w '%{http_code}' -H "If-None-Match: $etag" "$base$HOT_PATH")
[ "$code" = 304 ] || die "If-None-Match: $etag answered $code, not 304"
run_wrk b-commentd-304 "$base$HOT_PATH" -c"$CONNS" -H "If-None-Match: $etag"
[ "$BPR" -lt 1024 ] || notes+=("(b) $BPR bytes per answer: not all were 304")
row "(b) hot GET 304 (If-None-Match), req/s" "$RPS" "(a) 200: $cd_rps" "$(ratio "$RPS" "$cd_rps")" "-" "info"
row "    (p99 latency)" "${P99} ms" "(a) 200: ${cd_p99} ms" "" "-" "info"

# (e) the moderation queue: first page and ~900,000 pending deep.
auth="Authorization: Bearer $token"
qthreads=$((QUEUE_CONNS < THREADS ? QUEUE_CONNS : THREADS))	# wrk: -t <= -c
q1="$base/api/v1/admin/comments?status=pending&limit=50"
q2="$q1&before=$deep_id"
for u in "$q1" "$q2"; do
	code=$(curl -s -o "$tmp/queue.json" -w '%{http_code}' -H "$auth" "$u")
	[ "$code" = 200 ] || die "GET $u answered $code"
	items=$(grep -o '"status": *"pending"' "$tmp/queue.json" | wc -l)
	[ "$items" -eq 50 ] || die "GET $u gave $items pending items, not 50"
done
WRK_THREADS=$qthreads run_wrk3 e-queue-first "$q1" -c"$QUEUE_CONNS" -H "$auth"
row "(e) queue, first page, p50" "${P50} ms" "$n_pending pending" "" "-" "info"
row "(e) queue, first page, p99" "${P99} ms" "($RPS req/s)" "" "< 10 ms" "$(verdict "$P99 < 10")"
row "    (p99 of the 3 runs; median kept)" "$P99S" "" "" "-" "info"
WRK_THREADS=$qthreads run_wrk3 e-queue-deep "$q2" -c"$QUEUE_CONNS" -H "$auth"
row "(e) queue, deep page, p50" "${P50} ms" "before=$deep_id" "" "-" "info"
row "(e) queue, deep page, p99" "${P99} ms" "($RPS req/s)" "" "< 10 ms" "$(verdict "$P99 < 10")"
row "    (p99 of the 3 runs; median kept)" "$P99S" "" "" "-" "info"

# (d) submissions against single-row INSERTs, same clients and duration.
code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
    --data-binary "$(psql_q -c "SELECT json_build_object('author', 'قارئ',
	'body', 'تعليق للتجربة')::text")" "$base/api/v1/articles/news-00001/comments")
[ "$code" = 202 ] || die "POST answered $code, not 202"
run_wrk nowarm-d-commentd-post "$base/api/v1/articles/news-00001/comments" \
    -c"$POST_CONNS" -s "$BENCH/lua/random-post.lua"
post_rps=$RPS post_mean=$MEAN
settle d-pgbench
say "pgbench: -c$POST_CONNS -j$THREADS -T$DUR (prepared, single-row INSERT)"
{ echo "# pgbench -n -M prepared -c$POST_CONNS -j$THREADS -T$DUR -f pgbench-insert.sql"
  run "$PGBIN/pgbench" -n -M prepared -c"$POST_CONNS" -j"$THREADS" -T"$DUR" \
      -f "$RAW/pgbench-insert.sql" -h "$pghost" -U commentd commentd; } \
    > "$RAW/d-pgbench.txt" 2>&1 || die "pgbench failed: $RAW/d-pgbench.txt"
pg_tps=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$RAW/d-pgbench.txt" | tail -n 1)
pg_lat=$(sed -n 's/^latency average = \([0-9.]*\) ms.*/\1/p' "$RAW/d-pgbench.txt")
pg_tps=$(calc "${pg_tps:-0}")
r=$(ratio "$post_rps" "$pg_tps")
row "(d) submissions (POST), per s" "$post_rps" "pgbench INSERT $pg_tps tps" "$r" ">= 0.7" "$(verdict "$r >= 0.7")"
row "    (mean latency)" "${post_mean} ms" "pgbench ${pg_lat:-?} ms" "" "-" "info"

# (k) the same submissions with a 10,000-entry word list on (words that
# no body holds: every post is matched against the whole list).  Each
# worker reloads the list when the words table announces a change.
if [ "$(psql_q -c "SELECT to_regclass('words') IS NOT NULL")" = t ]; then
	psql_q -c "DELETE FROM words WHERE word LIKE 'benchword%'" \
	    -c "INSERT INTO words (word, list, folded, created_by)
	    SELECT 'benchword' || i, CASE WHEN i % 2 = 0 THEN 'banned'
	    ELSE 'suspect' END, 'benchword' || i, 'bench'
	    FROM generate_series(1, 10000) AS i"
	sleep 2		# the workers' reload after the NOTIFY
	run_wrk nowarm-k-commentd-post-words \
	    "$base/api/v1/articles/news-00001/comments" \
	    -c"$POST_CONNS" -s "$BENCH/lua/random-post.lua"
	r=$(ratio "$RPS" "$post_rps")
	row "(k) submissions, 10,000-word list, per s" "$RPS" "(d) without: $post_rps" "$r" ">= 0.9" "$(verdict "$r >= 0.9")"
	psql_q -c "DELETE FROM words WHERE word LIKE 'benchword%'"
else
	notes+=("(k) not run: this database has no word lists")
fi
stop_server

# -- (i) a flood of posts from one address; (j) reads during it ----------

# The flood server limits submissions as `serve --help` says (the
# default, or COMMENTD_SUBMIT_RATE and _BURST from the environment).
help_value() {
	"$BIN" serve --help 2>&1 | grep -A1 -- "--$1 " | tail -n 1 |
	    sed -n 's/.*; \([0-9]*\) ([0-9]*\.\.[0-9]*)$/\1/p'
}
flood_rate=$(help_value submit-rate)
flood_burst=$(help_value submit-burst)
if [ -z "$flood_rate" ] || [ -z "$flood_burst" ]; then
	notes+=("(i), (j) not run: this commentd has no submit-rate setting")
else
	[ "$flood_rate" -gt 0 ] || flood_rate=6	# 0 would be no flood test
	start_server flood "$WORKERS" "$CACHE_MB" \
	    "COMMENTD_SUBMIT_RATE=$flood_rate" "COMMENTD_SUBMIT_BURST=$flood_burst"
	curl -s -o /dev/null "$base$HOT_PATH"
	flood_url=$base/api/v1/articles/news-00001/comments
	# (i) refusals beside cached reads of the same server, same load.
	DUR=$FLOOD_DUR run_wrk i-read "$base$HOT_PATH" -c"$CONNS"
	i_rps=$RPS i_p99=$P99
	DUR=$FLOOD_DUR REFUSALS=1 run_wrk nowarm-i-flood "$flood_url" \
	    -c"$CONNS" -s "$BENCH/lua/flood-post.lua"
	read -r f_ok f_ref f_other < <(sed -n \
	    's/^flood: accepted \([0-9]*\) refused \([0-9]*\) other \([0-9]*\)$/\1 \2 \3/p' \
	    "$RAW/i-flood.txt")
	[ -n "${f_ref:-}" ] || die "the flood's counts are missing: $RAW/i-flood.txt"
	ref_rps=$(awk -v r="$RPS" -v n="$REQS" -v x="$f_ref" \
	    'BEGIN { printf "%.1f", (n > 0 ? r * x / n : 0) }')
	r=$(ratio "$ref_rps" "$i_rps")
	row "(i) flood, refusals (429) per s" "$ref_rps" "cached GET $i_rps" "$r" ">= 0.7" "$(verdict "$r >= 0.7")"
	# At most the burst and what the rate refilled during the load.
	f_max=$(awk -v b="$flood_burst" -v r="$flood_rate" -v d="$FLOOD_DUR" \
	    'BEGIN { printf "%d", b + r * (d + 1) / 60 + 1 }')
	row "    (accepted of $REQS; other answers)" "$f_ok; $f_other" "limit $flood_rate/min, burst $flood_burst" "" "<= $f_max; 0" "$(verdict "$f_ok <= $f_max && $f_other == 0")"
	# (j) the same reads while one address floods (POST_CONNS
	# connections, one wrk thread), beside (i)'s reads without.
	settle j-read-flood
	wrk -t1 -c"$POST_CONNS" -d"$((WARM + FLOOD_DUR + 2))s" --timeout 10s \
	    -s "$BENCH/lua/flood-post.lua" "$flood_url" > "$RAW/j-flood.txt" 2>&1 &
	flood_pid=$!
	sleep 0.5
	DUR=$FLOOD_DUR NO_SETTLE=1 run_wrk j-read-flood "$base$HOT_PATH" -c"$CONNS"
	wait "$flood_pid" || notes+=("(j) the flood's wrk failed: $RAW/j-flood.txt")
	flood_pid=""
	j_ref=$(awk '/^Requests\/sec:/ { print $2 }' "$RAW/j-flood.txt")
	r=$(ratio "$P99" "$i_p99")
	row "(j) cached GET p99 during a flood" "${P99} ms" "without: ${i_p99} ms" "$r" "<= 2.0" "$(verdict "$r <= 2.0")"
	row "    (req/s; the flood's 429s per s)" "$RPS" "without: $i_rps; ${j_ref:-?}" "$(ratio "$RPS" "$i_rps")" "-" "info"
	stop_server
fi

# -- (c) cache misses: the smallest cache bound ---------------------------

# Hits and misses, if the server shows them (GET /metrics or the admin
# stats); "hits misses" or nothing.
cache_counts() {
	local u out h m
	for u in "$base/metrics" "$base/api/v1/admin/stats"; do
		out=$(curl -s -H "$auth" "$u" 2>/dev/null) || continue
		h=$(printf '%s\n' "$out" | grep -io 'cache[^0-9]*hits[^0-9]*[0-9]*' | head -n 1 | grep -o '[0-9]*$' || true)
		m=$(printf '%s\n' "$out" | grep -io 'cache[^0-9]*misses[^0-9]*[0-9]*' | head -n 1 | grep -o '[0-9]*$' || true)
		if [ -n "$h" ] && [ -n "$m" ]; then
			echo "$h $m"
			return 0
		fi
	done
}
miss_cache=${cache_min:-$CACHE_MB}
start_server miss "$WORKERS" "$miss_cache"
before_counts=$(cache_counts)
run_wrk c-commentd-miss "$base/api/v1/articles/news-00001/comments" \
    -c"$CONNS" -s "$BENCH/lua/random-get.lua"
after_counts=$(cache_counts)
if [ -n "$before_counts" ] && [ -n "$after_counts" ]; then
	hit=$(awk -v b="$before_counts" -v a="$after_counts" 'BEGIN {
	    split(b, x); split(a, y); h = y[1] - x[1]; m = y[2] - x[2]
	    if (h + m > 0) printf "%.1f%%", 100 * h / (h + m); else print "n/a" }')
else
	# Not exposed: the most a cache of this bound could hold.
	hit=$(awk -v mb="$miss_cache" -v bpr="$BPR" -v n="$ARTICLES" 'BEGIN {
	    if (bpr > 0) { e = mb * 1048576 / bpr; if (e > n) e = n
	    printf "<= %.1f%% (est.)", 100 * e / n } else print "n/a" }')
	notes+=("(c) the server does not expose cache hits/misses; the hit ratio shown is the bound: ${miss_cache} MiB / ${BPR} B per answer over $ARTICLES articles")
fi
row "(c) miss GET, random article, req/s" "$RPS" "cache_mb=$miss_cache" "" "-" "info"
row "(c) miss GET, p50" "${P50} ms" "hit ratio $hit" "" "-" "info"
row "(c) miss GET, p99" "${P99} ms" "${BPR} B/answer" "" "-" "info"
stop_server

# -- (f) memory after every article was read once -------------------------

start_server rss "$WORKERS" "$CACHE_MB"
rss_start=$(awk '/^VmRSS:/ { print $2 }' "/proc/$server_pid/status")
say "reading each of the $ARTICLES articles once (curl, 4 connections)"
walkers=()
for part in 0 1 2 3; do
	for ((i = part + 1; i <= ARTICLES; i += 4)); do
		printf 'url = "%s/api/v1/articles/news-%05d/comments"\noutput = "/dev/null"\n' "$base" "$i"
	done > "$tmp/walk-$part.cfg"
	curl -s -K "$tmp/walk-$part.cfg" -w '%{http_code} %{size_download}\n' \
	    > "$tmp/walk-$part.out" &
	walkers+=($!)
done
wait_failed=0
for job in "${walkers[@]}"; do
	wait "$job" || wait_failed=1
done
cat "$tmp"/walk-*.out > "$RAW/f-walk.txt"
read -r walk_ok walk_n walk_bytes < <(awk '{ n++; if ($1 == 200) ok++; b += $2 }
    END { printf "%d %d %d\n", ok, n, b }' "$RAW/f-walk.txt")
[ "$wait_failed" -eq 0 ] && [ "$walk_ok" -eq "$ARTICLES" ] ||
    notes+=("(f) $walk_ok of $walk_n reads answered 200 (expected $ARTICLES)")
sleep 0.5
rss_kb=$(awk '/^VmRSS:/ { print $2 }' "/proc/$server_pid/status")
rss_mb=$(calc "$rss_kb / 1024")
limit_mb=$((CACHE_MB + 32))
row "(f) RSS after each article read once" "$rss_mb MiB" "bound $CACHE_MB; $(calc "$rss_start / 1024") at start" "" "<= $limit_mb MiB" "$(verdict "$rss_mb <= $limit_mb")"
row "    (answers read: count, total size)" "$walk_ok" "$(calc "$walk_bytes / 1048576") MiB" "" "-" "info"
stop_server

# -- (g) scaling from 1 to 2 workers --------------------------------------

for w in 1 2; do
	start_server "workers$w" "$w" "$CACHE_MB"
	curl -s -o /dev/null "$base$HOT_PATH"
	run_wrk "g-commentd-w$w" "$base$HOT_PATH" -c"$CONNS"
	eval "g_cd$w=\$RPS"
	stop_server
	start_nginx "$w"
	run_wrk "g-nginx-w$w" "$nginx_base$HOT_PATH" -c"$CONNS"
	eval "g_ng$w=\$RPS"
	stop_nginx
done
row "(g) hot GET req/s, 1 worker" "$g_cd1" "nginx $g_ng1" "$(ratio "$g_cd1" "$g_ng1")" "-" "info"
row "(g) hot GET req/s, 2 workers" "$g_cd2" "nginx $g_ng2" "$(ratio "$g_cd2" "$g_ng2")" "-" "info"
cd_gain=$(ratio "$g_cd2" "$g_cd1")
ng_gain=$(ratio "$g_ng2" "$g_ng1")
row "(g) gain 2 workers / 1" "$cd_gain" "nginx $ng_gain" "" ">= nginx" "$(verdict "$cd_gain >= $ng_gain")"

# -- the table -------------------------------------------------------------

elapsed=$(( $(date +%s) - started ))
# COMMENTD_* variables of the caller's environment reach every server.
passed=$(env | sed -n 's/^\(COMMENTD_[A-Z_]*=.*\)/\1/p' |
    grep -v -e '^COMMENTD_DATABASE_URL=' -e '^COMMENTD_LISTEN=' \
	-e '^COMMENTD_WORKERS=' -e '^COMMENTD_CACHE_MB=' \
	-e '^COMMENTD_LOG_LEVEL=' -e '^COMMENTD_SHUTDOWN_TIMEOUT_MS=' \
	-e '^COMMENTD_SUBMIT_RATE=' -e '^COMMENTD_REPORT_RATE=' |
    tr '\n' ' ' | sed 's/ $//' || true)
[ -z "$passed" ] || passed="from the environment: $passed"
{
	echo "commentd benchmark, $(date -u +%FT%TZ), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD -- src include migrations 2>/dev/null || echo '+changes')"
	echo "machine: $(nproc) CPUs ($(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1)), $(uname -r); wrk, nginx, commentd and PostgreSQL share them"
	echo "data: $ARTICLES articles, $n_pending pending + $n_approved approved comments (+ rejected/spam/deleted); hot article $HOT: 50 approved, $hot_bytes B answer"
	echo "commentd: workers=$WORKERS cache_mb=$CACHE_MB log=$LOG_LEVEL, ${passed:-other settings default}; nginx $("$NGINX" -v 2>&1 | sed 's|.*/||'): worker_processes=$WORKERS, access_log off, sendfile"
	echo "wrk: keep-alive, -t$THREADS -d${DUR}s --latency after ${WARM}s warm-up; -c$CONNS reads, -c$POST_CONNS posts (no warm-up; pgbench -c$POST_CONNS -j$THREADS -T$DUR -M prepared), -c$QUEUE_CONNS -t$qthreads queue"
	echo "PostgreSQL 15 private cluster, fsync on; (c) uses cache_mb=$miss_cache (the smallest bound) so nearly every read misses"
	echo
	printf '%-40s  %-16s  %-26s  %-6s  %-10s  %s\n' "figure" "commentd" "reference" "ratio" "target" "result"
	printf '%s\n' "$(printf '%.0s-' $(seq 112))"
	printf '%s\n' "${rows[@]}"
	if [ "${#notes[@]}" -gt 0 ]; then
		echo
		printf 'note: %s\n' "${notes[@]}"
	fi
	echo
	echo "raw outputs: $RAW/; bench time ${elapsed}s (seeding excluded when reused)"
} | tee "$RESULTS"
