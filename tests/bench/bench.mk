# tests/bench/bench.mk - `make bench`, included by the top Makefile.
#
#   make bench            install wrk/nginx/pgbench if missing (as root;
#                         otherwise print the apt-get command and stop),
#                         build the release bin/commentd, seed a private
#                         PostgreSQL cluster under var/bench (once), and
#                         print the figures beside their references
#   make bench RESEED=1   seed the kept cluster again
#
# Not part of `make test` or CI.  See tests/bench/README.md.
# Uses deps (top Makefile), BIN and MAKE; include it after BIN is defined.

# Rules here must not become the default goal, wherever we are included.
_bench_default_goal := $(.DEFAULT_GOAL)

.PHONY: bench _bench

bench: deps
	@tests/bench/install-deps.sh
	@$(MAKE) --no-print-directory -f $(firstword $(MAKEFILE_LIST)) \
	    SANITIZE= _bench

# Always the release build (SANITIZE= above makes BIN bin/commentd).
_bench: $(BIN)
	@RESEED='$(RESEED)' tests/bench/run-bench.sh $(BIN)

.DEFAULT_GOAL := $(_bench_default_goal)
