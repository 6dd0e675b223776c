#!/bin/sh
# `make test`: the runner's self-test, every unit test, then the
# integration tests against a throw-away PostgreSQL cluster and the
# real server on a free loopback port.  Ends with one line totalling
# every test program's own summary; tests/tally.sh says how each is
# judged.
#
# Environment (from the Makefile): BUILD, BIN, CTL (commentctl),
# SANITIZE, and the lists of test programs to run, in order: UNIT_TESTS,
# FUZZ_TARGETS and INTEG_TESTS.
set -u

here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
BUILD=${BUILD:?} BIN=${BIN:?}
UNIT_TESTS=${UNIT_TESTS:?} FUZZ_TARGETS=${FUZZ_TARGETS:?}
INTEG_TESTS=${INTEG_TESTS:?}
passed=0 failed=0
tmp=$(mktemp -d /tmp/commentd-test.XXXXXX)
chmod 755 "$tmp"
server_pid=""
. tests/tally.sh

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

# One integration test: a program of $BUILD/itests, "browser", the
# Chromium suite, or "deploy", docs/DEPLOY.md's steps behind nginx.
run_integration() {
	case "$1" in
	browser)
		run_judged browser node tests/browser/run.mjs
		;;
	deploy)
		run_judged deploy tests/deploy/deploy-test.sh
		;;
	*)
		built "$1" "$BUILD/itests/$1" &&
		    run_judged "$1" "$BUILD/itests/$1"
		;;
	esac
}

# The judge first: a runner that cannot tell a broken program from a
# good one would pass anything below.
echo "== runner self-test"
run_judged runner-selftest tests/runner-selftest.sh

# Every test source is in the Makefile's lists (what is not would never
# be built nor run), and test_api is the last integration test.
echo "== test lists"
if check_listed "unit test" UNIT_TESTS "$UNIT_TESTS" tests/unit/test_*.c &&
    check_listed "integration test" INTEG_TESTS "$INTEG_TESTS" \
    tests/integration/test_*.c &&
    check_listed "fuzz target" FUZZ_TARGETS "$FUZZ_TARGETS" \
    tests/fuzz/fuzz_*.c &&
    check_last test_api "$INTEG_TESTS"; then
	echo "every test source is listed in the Makefile"
	passed=$((passed + 1))
else
	failed=$((failed + 1))
fi

echo "== unit tests"
for t in $UNIT_TESTS; do
	built "$t" "$BUILD/tests/$t" && run_judged "$t" "$BUILD/tests/$t"
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

# Each target is one case; its inputs are counted apart (tally.sh).
echo "== fuzz corpus replay"
for t in $FUZZ_TARGETS; do
	built "$t" "$BUILD/tests/$t" &&
	    run_replay "$t" "$BUILD/tests/$t" "tests/fuzz/corpus/$t"
done

echo "== integration tests"
if ! deploy/pg.sh start "$tmp/pg" fast; then
	echo "FAIL: could not start PostgreSQL; not run: $INTEG_TESTS"
	failed=$((failed + 1))
else
	db=$(deploy/pg.sh url "$tmp/pg")
	# The tests post many comments and reports from 127.0.0.1, the
	# same texts by the same authors, reject many, and fill forms
	# faster than people: the rules that judge a reader by that are off
	# on this server and on the servers tests start (which inherit the
	# environment), unless a test turns one on (test_limits,
	# test_rules, the widget's 429).
	export COMMENTD_SUBMIT_RATE=0 COMMENTD_REPORT_RATE=0 \
	    COMMENTD_DUPLICATE_WINDOW_S=0 COMMENTD_REPEAT_OFFENDER=0 \
	    COMMENTD_MIN_FORM_SECONDS=0
	# Plain HTTP: the session cookie is not Secure, so curl and the
	# browser send it back (test_security checks the Secure one), and a
	# wrong password delays an account's next login at most 1 s.
	export COMMENTD_COOKIE_SECURE=false COMMENTD_LOGIN_DELAY_MAX_MS=1000
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
		echo "FAIL: the server did not start; not run: $INTEG_TESTS"
		cat "$tmp/server.log" >&2
		failed=$((failed + 1))
	else
		# In the Makefile's order (test_api last).
		COMMENTD_TEST_URL=http://127.0.0.1:$port
		COMMENTD_TEST_DB=$db COMMENTD_TEST_PGDIR=$tmp/pg
		COMMENTD_TEST_BIN=$BIN COMMENTD_TEST_CTL=${CTL:-}
		export COMMENTD_TEST_URL COMMENTD_TEST_DB COMMENTD_TEST_PGDIR \
		    COMMENTD_TEST_BIN COMMENTD_TEST_CTL
		for t in $INTEG_TESTS; do
			run_integration "$t"
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

echo "fuzz corpus: $replay_inputs inputs replayed across" \
    "$replay_targets targets (each target one case)"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
