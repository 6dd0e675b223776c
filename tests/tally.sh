# tally.sh - how `make test` judges a test program by its output.
# Sourced by tests/run-tests.sh and tests/runner-selftest.sh (POSIX sh);
# needs $tmp, a scratch directory, and adds to $passed and $failed.
#
# A program's test cases count as its own summary line says: cmocka's
# "[  PASSED  ] N test(s)." and "[  FAILED  ] N test(s)", or ours,
# "N passed, N failed" alone on a line.  What would otherwise add
# nothing and fail nothing is a failure, with a FAIL line naming the
# program:
#   - no summary line (an early exit, a crash, a sanitizer's abort): the
#     cases it reported one by one before that count ("ok NAME" and
#     "FAIL NAME", or cmocka's "[       OK ] NAME" and
#     "[  FAILED  ] NAME"), plus one failure for the program;
#   - a summary of no cases ("0 passed, 0 failed", an empty suite);
#   - a non-zero exit status beside a summary that counts no failure;
#   - a listed program that was not built.
# A fuzz target's corpus replay is one case, passed or failed; its
# inputs are counted apart (replay_inputs, replay_targets) so that a
# corpus of 30 files does not weigh as 30 tests.  An empty corpus fails.

passed=${passed:-0}
failed=${failed:-0}
replay_inputs=0
replay_targets=0

# How a program ended, for messages.
how_ended() {
	if [ "$1" -gt 128 ]; then
		echo "killed by signal $(($1 - 128))"
	else
		echo "exit status $1"
	fi
}

# The last match of sed expression $1 in file $2, or nothing.
last_match() {
	sed -n "$1" "$2" | tail -n 1
}

# tally NAME OUT RC: adds the cases of program NAME (its output in file
# OUT, its exit status RC) to passed and failed.
tally() {
	_name=$1 _out=$2 _rc=$3
	_p=$(last_match 's/^\[  PASSED  \] \([0-9][0-9]*\) test.*/\1/p' "$_out")
	_f=$(last_match 's/^\[  FAILED  \] \([0-9][0-9]*\) test.*/\1/p' "$_out")
	if [ -z "$_p$_f" ]; then
		_p=$(last_match \
		    's/^\([0-9][0-9]*\) passed, [0-9][0-9]* failed$/\1/p' "$_out")
		_f=$(last_match \
		    's/^[0-9][0-9]* passed, \([0-9][0-9]*\) failed$/\1/p' "$_out")
	fi
	if [ -z "$_p$_f" ]; then
		# Died before its summary: what it reported case by case.
		_p=$(grep -Ec '^(ok |\[       OK \] )' "$_out")
		_f=$(grep -Ec '^(FAIL |\[  FAILED  \] [^0-9])' "$_out")
		echo "FAIL: $_name ended ($(how_ended "$_rc")) without a" \
		    "summary line: counted the $_p passed and $_f failed" \
		    "cases it reported, and 1 failure for $_name"
		_f=$((_f + 1))
	else
		_p=${_p:-0} _f=${_f:-0}
		if [ $((_p + _f)) -eq 0 ]; then
			echo "FAIL: $_name ran no tests (0 passed, 0 failed)"
			_f=1
		elif [ "$_rc" -ne 0 ] && [ "$_f" -eq 0 ]; then
			echo "FAIL: $_name ended with $(how_ended "$_rc")" \
			    "though its summary counts no failure"
			_f=1
		fi
	fi
	passed=$((passed + _p))
	failed=$((failed + _f))
}

# tally_replay NAME OUT RC: one fuzz target's corpus replay, judged by
# replay.c's "replayed N inputs, N failed": one case.
tally_replay() {
	_name=$1 _out=$2 _rc=$3
	_n=$(last_match \
	    's/^replayed \([0-9][0-9]*\) inputs, [0-9][0-9]* failed$/\1/p' \
	    "$_out")
	_f=$(last_match \
	    's/^replayed [0-9][0-9]* inputs, \([0-9][0-9]*\) failed$/\1/p' \
	    "$_out")
	replay_targets=$((replay_targets + 1))
	replay_inputs=$((replay_inputs + ${_n:-0}))
	if [ -z "$_n" ]; then
		echo "FAIL: $_name ended ($(how_ended "$_rc")) without its" \
		    "replay line"
	elif [ "$_n" -eq 0 ]; then
		echo "FAIL: $_name replayed no inputs: an empty corpus" \
		    "tests nothing"
	elif [ "$_f" -ne 0 ] || [ "$_rc" -ne 0 ]; then
		echo "FAIL: $_name: $_f of $_n inputs failed" \
		    "($(how_ended "$_rc"))"
	else
		passed=$((passed + 1))
		return 0
	fi
	failed=$((failed + 1))
}

# built NAME PATH: true if the listed program NAME was built at PATH;
# otherwise a failure.
built() {
	[ -x "$2" ] && return 0
	echo "FAIL: $1 is listed but $2 was not built"
	failed=$((failed + 1))
	return 1
}

# run_judged NAME CMD [ARG ...]: runs a test program, shows its output
# and tallies it.
run_judged() {
	_name=$1
	shift
	echo "-- $_name"
	"$@" >"$tmp/out" 2>&1
	_rc=$?
	cat "$tmp/out"
	tally "$_name" "$tmp/out" "$_rc"
}

# run_replay NAME CMD [ARG ...]: the same for a fuzz target's replay;
# shows only the end of its output.
run_replay() {
	_name=$1
	shift
	echo "-- $_name"
	"$@" >"$tmp/out" 2>&1
	_rc=$?
	tail -n 20 "$tmp/out"
	tally_replay "$_name" "$tmp/out" "$_rc"
}

# listed NAME LIST...: true if NAME is one of LIST.
listed() {
	_want=$1
	shift
	for _x in "$@"; do
		[ "$_x" = "$_want" ] && return 0
	done
	return 1
}

# check_listed WHAT VAR "LIST" FILE...: every FILE (a test's source)
# has its name in LIST, the Makefile's variable VAR; a source left out
# would never be built nor run.  Prints a FAIL line for each other.
check_listed() {
	_what=$1 _var=$2 _list=$3 _st=0
	shift 3
	for _src in "$@"; do
		[ -e "$_src" ] || continue
		_n=$(basename "$_src")
		_n=${_n%.*}
		if ! listed "$_n" $_list; then
			echo "FAIL: $_src is not in $_var: the $_what would" \
			    "never run"
			_st=1
		fi
	done
	return $_st
}

# check_last NAME "LIST": NAME, if in LIST, is its last word.
check_last() {
	set -- "$1" $2
	_want=$1
	shift
	listed "$_want" "$@" || return 0
	eval "_last=\${$#}"
	[ "$_last" = "$_want" ] && return 0
	echo "FAIL: $_want must run last, after $_last"
	return 1
}
