# tests/fuzz/fuzz.mk - the fuzz targets, included by the top Makefile.
#
#   make test          each target replays its seed corpus (replay.c main;
#                      FUZZ_TARGETS is the list it runs)
#   make fuzz          libFuzzer builds under build/fuzz, each run for
#                      FUZZ_SECONDS (default 30) on a copy of its corpus
#
# Uses CC, ALL_CFLAGS, LDLIBS, BUILD and LIB_OBJ from the top Makefile, so
# it must be included after they are defined (and before any rule that
# lists $(FUZZ_REPLAY_BINS) as a prerequisite).

# Rules here must not become the default goal, wherever we are included.
_fuzz_default_goal := $(.DEFAULT_GOAL)

FUZZ_TARGETS	:= fuzz_text fuzz_submission fuzz_router fuzz_accept_language \
		   fuzz_origin fuzz_cookie fuzz_forwarded fuzz_etag \
		   fuzz_accept_encoding fuzz_html fuzz_search fuzz_fold \
		   fuzz_wordlist fuzz_netaddr fuzz_jsonout fuzz_rules \
		   fuzz_ctl_sse fuzz_ctl_text
# The targets of commentctl's modules, and the modules each links.
FUZZ_CTL_TARGETS := fuzz_ctl_sse fuzz_ctl_text
fuzz_ctl_sse_CTL := ctl_sse
fuzz_ctl_text_CTL := ctl_print
FUZZ_REPLAY_BINS := $(FUZZ_TARGETS:%=$(BUILD)/tests/%)
FUZZ_REPLAY_OBJ	:= $(FUZZ_TARGETS:%=$(BUILD)/tests/%.o)

# -- replay builds: any compiler, run by `make test` -----------------------

$(FUZZ_REPLAY_OBJ): $(BUILD)/tests/%.o: tests/fuzz/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/tests/fuzz_replay.o: tests/fuzz/replay.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(FUZZ_REPLAY_BINS): $(BUILD)/tests/%: $(BUILD)/tests/%.o \
    $(BUILD)/tests/fuzz_replay.o $(LIB_OBJ)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)

# commentctl's modules: its headers, and its objects beside LIB_OBJ
# (whose xmalloc.c they use), as test_ctl links them.
$(FUZZ_CTL_TARGETS:%=$(BUILD)/tests/%.o): ALL_CFLAGS += -Icommentctl
$(foreach t,$(FUZZ_CTL_TARGETS),$(eval $(BUILD)/tests/$(t): \
    $($(t)_CTL:%=$(BUILD)/commentctl/%.o)))

# -- libFuzzer builds: clang only, `make fuzz` -----------------------------

FUZZ_SECONDS	?= 30
FUZZ_CC		?= clang
# Extra libFuzzer options, e.g. FUZZ_FLAGS=-max_len=4096.
FUZZ_FLAGS	?=
FUZZ_DIR	:= build/fuzz
# UB must crash, not print and carry on, or the fuzzer never sees it.
FUZZ_SAN	:= -fsanitize=address,undefined \
		   -fno-sanitize-recover=undefined -fno-omit-frame-pointer
FUZZ_CFLAGS	:= $(ALL_CFLAGS) $(FUZZ_SAN)

# Every module of the library, instrumented.  The sources come from
# LIB_OBJ so a module added to the top Makefile is fuzzed without an edit
# here; targets link against an archive, so each pulls in only what it
# needs (routes.c needs every handler, text.c needs nothing).
FUZZ_LIB_SRC	:= $(patsubst $(BUILD)/%.o,src/%.c, \
		   $(filter-out $(BUILD)/gen/%,$(LIB_OBJ)))
# The generated sources too (migrations, web files): assets.c needs its.
FUZZ_LIB_OBJ	:= $(FUZZ_LIB_SRC:src/%.c=$(FUZZ_DIR)/obj/%.o) \
		   $(patsubst $(BUILD)/gen/%.o,$(FUZZ_DIR)/obj/gen/%.o, \
		   $(filter $(BUILD)/gen/%,$(LIB_OBJ)))
FUZZ_LIB	:= $(FUZZ_DIR)/libcommentd.a
FUZZ_BINS	:= $(FUZZ_TARGETS:%=$(FUZZ_DIR)/%)

.PHONY: fuzz fuzz-build

fuzz-build: $(FUZZ_BINS)

$(FUZZ_DIR)/obj/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -MMD -MP \
		-c -o $@ $<

$(FUZZ_DIR)/obj/gen/%.o: $(BUILD)/gen/%.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

$(FUZZ_DIR)/obj/fuzz_%.o: tests/fuzz/fuzz_%.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -MMD -MP \
		-c -o $@ $<

# commentctl's modules are not in the archive (LIB_OBJ is src/ only):
# each target names the ones it needs.
$(FUZZ_DIR)/obj/commentctl/%.o: commentctl/%.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -Icommentctl -fsanitize=fuzzer-no-link \
		-MMD -MP -c -o $@ $<

$(FUZZ_CTL_TARGETS:%=$(FUZZ_DIR)/obj/%.o): FUZZ_CFLAGS += -Icommentctl
$(foreach t,$(FUZZ_CTL_TARGETS),$(eval $(FUZZ_DIR)/$(t): \
    $($(t)_CTL:%=$(FUZZ_DIR)/obj/commentctl/%.o)))

$(FUZZ_LIB): $(FUZZ_LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

# Objects before the archive, which they draw on.
$(FUZZ_BINS): $(FUZZ_DIR)/%: $(FUZZ_DIR)/obj/%.o $(FUZZ_LIB)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ \
		$(filter %.o,$^) $(filter %.a,$^) $(LDLIBS)

# Each target fuzzes a scratch copy of its corpus, so the tree is left
# alone; new inputs, crash artifacts and the full log stay in
# build/fuzz/work/<target>/.  Every target runs even if one fails.
fuzz: $(FUZZ_BINS)
	@st=0; for t in $(FUZZ_TARGETS); do \
		w=$(FUZZ_DIR)/work/$$t; \
		rm -rf $$w && mkdir -p $$w/corpus $$w/crashes || exit 1; \
		cp tests/fuzz/corpus/$$t/* $$w/corpus/ || exit 1; \
		echo "== $$t: $(FUZZ_SECONDS) s"; \
		if UBSAN_OPTIONS=print_stacktrace=1 \
		    $(FUZZ_DIR)/$$t -max_total_time=$(FUZZ_SECONDS) \
		    -print_final_stats=1 -artifact_prefix=$$w/crashes/ \
		    $(FUZZ_FLAGS) $$w/corpus >$$w/log 2>&1; then \
			grep -E '^#[0-9]+[[:space:]]+DONE|^stat::' $$w/log; \
		else \
			st=1; \
			tail -n 60 $$w/log; \
			echo "$$t FAILED: crash in $$w/crashes, log $$w/log"; \
		fi; \
	done; exit $$st

.DEFAULT_GOAL := $(_fuzz_default_goal)
