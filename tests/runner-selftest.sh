#!/bin/sh
# runner-selftest.sh - the test runner's judge (tests/tally.sh) and the
# browser runner (tests/browser/run.mjs) fed deliberately broken test
# programs: each must be judged failed, with a FAIL line saying why,
# and a healthy one passed.  Run first by `make test`; alone:
#
#   BUILD=build/rel tests/runner-selftest.sh
#
# The broken programs are small shell scripts written to a temporary
# directory, a fuzz replay binary of $BUILD on an empty corpus, and
# browser test files.  The browser checks need no server: the file
# checks happen before Chromium starts, and the test that makes no
# assertion touches nothing (COMMENTD_TEST_URL is a closed port).
# Ends with "N passed, N failed".
set -u

cd "$(dirname "$0")/.."
here=$(pwd -P)
BUILD=${BUILD:-build/rel}
tmp=$(mktemp -d /tmp/commentd-selftest.XXXXXX)
trap 'rm -rf "$tmp"' EXIT INT TERM
. tests/tally.sh

ok=0 bad=0

# prog NAME LINE...: a test program (shell script) printing each LINE;
# a last line "exit N" or "kill SIG" ends it so.
prog() {
	_f=$tmp/$1
	shift
	{
		echo '#!/bin/sh'
		echo 'ulimit -c 0'
		for _l in "$@"; do
			case "$_l" in
			exit\ *|kill\ *) echo "$_l" ;;
			*) printf "echo '%s'\n" "$_l" ;;
			esac
		done
	} >"$_f"
	chmod +x "$_f"
}

# verdict CASE WANT_P WANT_F WANT_SAID: the counts the judge added
# since the last reset, and a line it said (in $tmp/said).
verdict() {
	if [ "$passed" -eq "$2" ] && [ "$failed" -eq "$3" ] &&
	    grep -Fq -- "$4" "$tmp/said"; then
		echo "ok $1"
		ok=$((ok + 1))
	else
		echo "FAIL $1: judged $passed passed, $failed failed" \
		    "(want $2 and $3, saying \"$4\"); it said:"
		sed 's/^/    | /' "$tmp/said"
		bad=$((bad + 1))
	fi
	passed=0 failed=0
}

# judged CASE WANT_P WANT_F WANT_SAID CMD...: CMD run as `make test`
# runs a test program.
judged() {
	_case=$1 _wp=$2 _wf=$3 _ws=$4
	shift 4
	passed=0 failed=0
	run_judged "$_case" "$@" >"$tmp/said" 2>&1
	verdict "$_case" "$_wp" "$_wf" "$_ws"
}

# replayed CASE WANT_P WANT_F WANT_SAID CMD...: the same for a fuzz
# target's replay.
replayed() {
	_case=$1 _wp=$2 _wf=$3 _ws=$4
	shift 4
	passed=0 failed=0
	run_replay "$_case" "$@" >"$tmp/said" 2>&1
	verdict "$_case" "$_wp" "$_wf" "$_ws"
}

# -- programs judged by their summary -----------------------------------

prog exit0 "-- something" "exit 0"
judged "exit 0 without a summary" 0 1 "without a summary line" \
    "$tmp/exit0"

prog early "-- one" "ok one (3 checks, 0.01 s)" "-- two" \
    "ok two (1 checks, 0.01 s)" "exit 0"
judged "an early exit(0) counts the cases before it, and fails" 2 1 \
    "counted the 2 passed and 0 failed cases" "$tmp/early"

prog empty "0 passed, 0 failed" "exit 0"
judged "a summary of no cases" 0 1 "ran no tests" "$tmp/empty"

prog cmocka_empty "[==========] Running 0 test(s)." \
    "[==========] 0 test(s) run." "[  PASSED  ] 0 test(s)." "exit 0"
judged "cmocka with no tests" 0 1 "ran no tests" "$tmp/cmocka_empty"

prog crash "-- one" "ok one (3 checks, 0.01 s)" "-- two" \
    "t.c:9: FAIL: x == 1" "FAIL two (2 checks, 0.01 s)" "-- three" \
    "ok three (1 checks, 0.01 s)" "-- four" "kill -SEGV \$\$"
judged "a crash counts the cases before it, and fails" 2 2 \
    "killed by signal 11" "$tmp/crash"

prog cmocka_abort "[==========] Running 3 test(s)." "[ RUN      ] a" \
    "[       OK ] a" "[ RUN      ] b" \
    "==1==ERROR: AddressSanitizer: heap-buffer-overflow" "exit 1"
judged "a sanitizer abort in cmocka counts the cases before it" 1 1 \
    "ended (exit status 1) without a summary" "$tmp/cmocka_abort"

prog leak "ok one (1 checks, 0.01 s)" "1 passed, 0 failed" "exit 23"
judged "a non-zero exit beside a clean summary" 1 1 \
    "though its summary counts no failure" "$tmp/leak"

passed=0 failed=0
built test_missing "$tmp/nowhere/test_missing" >"$tmp/said"
verdict "a listed program that was not built" 0 1 "was not built"

prog some_failed "ok one (1 checks, 0.01 s)" "FAIL two (1 checks, 0.01 s)" \
    "FAIL three (1 checks, 0.01 s)" "1 passed, 2 failed" "exit 1"
judged "failures are counted as the summary says" 1 2 "1 passed, 2 failed" \
    "$tmp/some_failed"

prog healthy "ok one (1 checks, 0.01 s)" "ok two (1 checks, 0.01 s)" \
    "2 passed, 0 failed" "exit 0"
judged "a healthy program passes" 2 0 "2 passed, 0 failed" "$tmp/healthy"

prog cmocka_healthy "[ RUN      ] a" "[       OK ] a" "[ RUN      ] b" \
    "[       OK ] b" "[==========] 2 test(s) run." "[  PASSED  ] 2 test(s)." \
    "exit 0"
judged "a healthy cmocka program passes" 2 0 "PASSED" "$tmp/cmocka_healthy"

# -- fuzz corpus replays ------------------------------------------------

mkdir "$tmp/no-inputs"
replay=$BUILD/tests/fuzz_text
if [ -x "$replay" ]; then
	replayed "a replay of an empty corpus" 0 1 "replayed no inputs" \
	    "$replay" "$tmp/no-inputs"
	replayed "a replay of a real corpus is one case" 1 0 \
	    "replayed" "$replay" tests/fuzz/corpus/fuzz_text
else
	echo "FAIL replay: $replay is not built (make first)"
	bad=$((bad + 1))
fi

prog replay_crash "==1==ERROR: AddressSanitizer: SEGV" "exit 1"
replayed "a replay that crashed" 0 1 "without its replay line" \
    "$tmp/replay_crash"

prog replay_old "30 passed, 0 failed" "exit 0"
replayed "inputs are not test cases" 0 1 "without its replay line" \
    "$tmp/replay_old"

# -- the lists of test programs -----------------------------------------

mkdir "$tmp/src"
: >"$tmp/src/test_a.c"
: >"$tmp/src/test_b.c"
passed=0 failed=0
if check_listed "unit test" UNIT_TESTS "test_a" "$tmp/src/test_a.c" \
    "$tmp/src/test_b.c" >"$tmp/said"; then
	failed=0
else
	failed=1
fi
verdict "a test source left out of its list" 0 1 "test_b.c is not in UNIT_TESTS"
if check_last test_api "test_a test_api browser" >"$tmp/said"; then
	failed=0
else
	failed=1
fi
verdict "test_api not last" 0 1 "test_api must run last"

# -- browser test files -------------------------------------------------

lib="file://$here/tests/browser/lib.mjs"
browser() {
	_case=$1 _wp=$2 _wf=$3 _ws=$4 _file=$5
	shift 5
	printf '%s\n' "$@" >"$tmp/$_file"
	judged "$_case" "$_wp" "$_wf" "$_ws" \
	    node tests/browser/run.mjs "$tmp/$_file"
}

COMMENTD_TEST_URL=
export COMMENTD_TEST_URL
browser "a browser file with an empty tests array" 0 1 "exports no tests" \
    empty.test.mjs "export const tests = [];"
browser "a browser file without tests" 0 1 "exports no tests" \
    none.test.mjs "export const nothing = 1;"
browser "a browser file that cannot be imported" 0 1 "cannot be imported" \
    broken.test.mjs "export const tests = [[;"
browser "a browser file using node:assert" 0 1 "imports node:assert" \
    node-assert.test.mjs "import assert from 'node:assert/strict';" \
    "export const tests = [['t', async () => { assert.ok(true); }]];"

# These two start Chromium; the tests do not reach the server.
COMMENTD_TEST_URL=http://127.0.0.1:9
browser "a browser test that makes no assertion" 0 1 "made no assertions" \
    silent.test.mjs "import { assert } from '$lib';" \
    "export const tests = [['does nothing', async () => {}]];"
browser "a healthy browser test passes" 1 0 "1 passed, 0 failed" \
    healthy.test.mjs "import { assert } from '$lib';" \
    "export const tests = [['asserts', async () => {" \
    "  assert.equal(1 + 1, 2);" \
    "  assert(true);" \
    "}]];"

echo "$ok passed, $bad failed"
[ "$bad" -eq 0 ]
