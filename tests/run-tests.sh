#!/bin/sh
# `make test`: every unit test, then the integration tests against a
# throw-away PostgreSQL cluster and the real server on a free loopback
# port.  Ends with one line totalling every test program's own summary.
#
# Environment (from the Makefile): BUILD, BIN, CTL (commentctl), SANITIZE.
set -u

here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
BUILD=${BUILD:?} BIN=${BIN:?}
passed=0 failed=0
tmp=$(mktemp -d /tmp/commentd-test.XXXXXX)
chmod 755 "$tmp"
server_pid=""

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

cleanup() {
	[ -n "$server_pid" ] && kill -KILL "$server_pid" 2>/dev/null
	deploy/pg.sh stop "$tmp/pg" >/dev/null 2>&1
	case "$(cat "$tmp/pg/sockdir" 2>/dev/null)" in
	/tmp/commentd-pg.*) rm -rf "$(cat "$tmp/pg/sockdir")" ;;
	esac
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

# Adds a test program's own summary to the totals: cmocka's
# "[  PASSED  ] N test(s)." / "[  FAILED  ] N test(s)" or our
# "N passed, N failed".
tally() {
	out=$1 rc=$2
	p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$out" | tail -n 1)
	f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$out" | tail -n 1)
	if [ -z "$p$f" ]; then
		p=$(sed -n 's/^\([0-9]*\) passed, [0-9]* failed$/\1/p' "$out" | tail -n 1)
		f=$(sed -n 's/^[0-9]* passed, \([0-9]*\) failed$/\1/p' "$out" | tail -n 1)
	fi
	p=${p:-0} f=${f:-0}
	# A crash or a non-zero exit without a failure counted is a failure.
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
	fi
	passed=$((passed + p))
	failed=$((failed + f))
}

# One integration test program; "browser" is the Chromium suite.
run_integration() {
	case "$1" in
	browser) node tests/browser/run.mjs ;;
	*) "$BUILD/itests/$1" ;;
	esac
}

echo "== unit tests"
for t in "$BUILD"/tests/test_*; do
	case "$t" in *.o|*.d|*/test_api|*/test_admin) continue ;; esac
	[ -x "$t" ] || continue
	echo "-- $(basename "$t")"
	"$t" >"$tmp/out" 2>&1
	rc=$?
	cat "$tmp/out"
	tally "$tmp/out" "$rc"
done

# Every setting the binary knows is documented, exactly as `serve --help`
# says: the README's table and the example environment file are what
# tools/settings-doc.sh makes of it.
echo "== settings documented"
missing=0
tools/settings-doc.sh "$BIN" table >"$tmp/table"
if ! grep -Fxq -f "$tmp/table" README.md ||
    [ "$(grep -Fx -f "$tmp/table" README.md | wc -l)" -ne "$(wc -l <"$tmp/table")" ]; then
	echo "FAIL: README.md's settings table differs from serve --help;"
	echo "      regenerate it with: tools/settings-doc.sh $BIN table"
	missing=1
fi
tools/settings-doc.sh "$BIN" env | sed '$d' >"$tmp/env"
if ! tail -n +4 deploy/commentd.env.example | cmp -s - "$tmp/env"; then
	echo "FAIL: deploy/commentd.env.example differs from serve --help;"
	echo "      regenerate it with: tools/settings-doc.sh $BIN env"
	missing=1
fi
if [ "$missing" -eq 0 ]; then
	echo "every setting is in README.md and deploy/commentd.env.example"
	passed=$((passed + 1))
else
	failed=$((failed + 1))
fi

# The house style a compiler does not check (tools/style-check.sh).
echo "== style"
if tools/style-check.sh; then
	echo "C within 80 columns, JavaScript within 100, one return style"
	passed=$((passed + 1))
else
	failed=$((failed + 1))
fi

echo "== fuzz corpus replay"
for t in "$BUILD"/tests/fuzz_*; do
	case "$t" in *.o|*.d) continue ;; esac
	[ -x "$t" ] || continue
	name=$(basename "$t")
	echo "-- $name"
	"$t" "tests/fuzz/corpus/$name" >"$tmp/out" 2>&1
	rc=$?
	tail -n 20 "$tmp/out"
	tally "$tmp/out" "$rc"
done

echo "== integration tests"
if ! deploy/pg.sh start "$tmp/pg" fast; then
	echo "could not start PostgreSQL" >&2
	failed=$((failed + 1))
else
	db=$(deploy/pg.sh url "$tmp/pg")
	COMMENTD_DATABASE_URL=$db COMMENTD_LISTEN=127.0.0.1:0 \
	COMMENTD_WORKERS=2 COMMENTD_DB_QUEUE_TIMEOUT_MS=1000 \
	COMMENTD_DB_RETRY_MAX_MS=1000 COMMENTD_SHUTDOWN_TIMEOUT_MS=5000 \
	COMMENTD_LOGIN_MAX_FAILURES_USER=5 COMMENTD_LOGIN_MAX_FAILURES_IP=50 \
	COMMENTD_LOGIN_WINDOW_S=60 COMMENTD_REPORT_THRESHOLD=1 \
	COMMENTD_ALLOWED_ORIGINS=http://news.example,https://news.example \
	    "$BIN" serve >"$tmp/server.log" 2>&1 &
	server_pid=$!
	port=""
	i=0
	while [ $i -lt 300 ] && [ -z "$port" ]; do
		port=$(sed -n 's/.*listening on [^ ]*:\([0-9]*\) with.*/\1/p' \
		    "$tmp/server.log" | head -n 1)
		kill -0 "$server_pid" 2>/dev/null || break
		[ -n "$port" ] || sleep 0.1
		i=$((i + 1))
	done
	if [ -z "$port" ]; then
		echo "the server did not start:" >&2
		cat "$tmp/server.log" >&2
		failed=$((failed + 1))
	else
		# test_api last: it ends by restarting PostgreSQL.
		for t in test_admin test_cache test_reader test_commentctl \
		    test_lifecycle browser test_api; do
			echo "-- $t"
			COMMENTD_TEST_URL=http://127.0.0.1:$port \
			COMMENTD_TEST_DB=$db COMMENTD_TEST_PGDIR=$tmp/pg \
			COMMENTD_TEST_BIN=$BIN COMMENTD_TEST_CTL=${CTL:-} \
			    run_integration "$t" >"$tmp/out" 2>&1
			rc=$?
			cat "$tmp/out"
			tally "$tmp/out" "$rc"
		done

		# SIGTERM: in-flight requests finish, exit status 0, and
		# under the sanitizers no leak or undefined behaviour.
		echo "-- server shutdown"
		kill -TERM "$server_pid"
		wait "$server_pid"
		src=$?
		server_pid=""
		if [ "$src" -ne 0 ] ||
		    grep -Eq 'runtime error|AddressSanitizer|LeakSanitizer' \
		    "$tmp/server.log"; then
			echo "server exited with status $src; log tail:" >&2
			grep -E -A30 'runtime error|Sanitizer' \
			    "$tmp/server.log" | head -n 80 >&2
			tail -n 20 "$tmp/server.log" >&2
			failed=$((failed + 1))
		else
			echo "server stopped cleanly on SIGTERM (exit 0)"
			passed=$((passed + 1))
		fi
	fi
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
