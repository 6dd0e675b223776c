# commentd - a moderated comment backend for news sites.
#
#   make            build bin/commentd and bin/commentctl
#   make run        install what is missing, start a private PostgreSQL
#                   under var/, migrate, serve
#   make test       the same set-up with a throw-away cluster, then every test
#   make test SANITIZE=1   all of it under AddressSanitizer + UBSan
#   make bench      figures beside nginx and pgbench; not run by CI
#   make install    bin/commentd and bin/commentctl to $(DESTDIR)$(PREFIX)/bin,
#                   deploy/'s examples to .../share/doc/commentd (see
#                   README "Deploying"); make uninstall removes them
#
# Sources are listed explicitly (no globbing): adding a module is a
# deliberate edit here.

CC	?= cc
# The release; `commentd --version` adds `git describe` when built from
# a clone.
VERSION	:= 0.14.0
PREFIX	?= /usr/local
DESTDIR	?=
PKGS	:= libevent libpq jansson libsodium libutf8proc

ifeq ($(SANITIZE),1)
BUILD	:= build/san
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all \
	    -fno-omit-frame-pointer
OPT	:= -O1
else
BUILD	:= build/rel
SANFLAGS :=
OPT	:= -O2
endif

PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

WARN	:= -Wall -Wextra -Wformat=2 -Wshadow -Wstrict-prototypes \
	   -Wmissing-prototypes -Wvla -Wno-missing-field-initializers
CFLAGS	?= $(OPT) -g
ALL_CFLAGS := -std=c11 -D_GNU_SOURCE -pthread $(WARN) $(CFLAGS) $(SANFLAGS) \
	      -Iinclude $(PKG_CFLAGS) $(EXTRA_CFLAGS)
LDLIBS	:= $(PKG_LIBS) -pthread -lm

# Everything but main.c is also linked into the unit tests.
LIB_SRC	:= \
	src/log.c \
	src/xmalloc.c \
	src/text.c \
	src/jsonout.c \
	src/fold.c \
	src/wordlist.c \
	src/rules.c \
	src/words.c \
	src/netaddr.c \
	src/keyshards.c \
	src/ratelimit.c \
	src/connlimit.c \
	src/conn.c \
	src/validate.c \
	src/i18n.c \
	src/config.c \
	src/router.c \
	src/req.c \
	src/cors.c \
	src/db.c \
	src/sql.c \
	src/migrate.c \
	src/token.c \
	src/moderation.c \
	src/hashpool.c \
	src/auth.c \
	src/sse.c \
	src/announce.c \
	src/gen.c \
	src/cache.c \
	src/cmd_accounts.c \
	src/h_comments.c \
	src/h_reports.c \
	src/html.c \
	src/h_health.c \
	src/h_session.c \
	src/paging.c \
	src/h_admin_comments.c \
	src/h_admin_articles.c \
	src/h_admin_moderators.c \
	src/h_admin_rules.c \
	src/h_admin_tokens.c \
	src/h_events.c \
	src/assets.c \
	src/routes.c \
	src/worker.c \
	src/server.c

MAIN_SRC := src/main.c

MIGRATIONS := $(sort $(wildcard migrations/[0-9][0-9][0-9][0-9]_*.sql))

# The web files the binary carries, named by their path under web/:
# assets.c serves each at a path made from its folder (admin/ at
# /admin/, embed/ and demo/ at /, an index.html at its folder's path),
# beside a gzip copy.  WEB_BUILT are made by the build under
# $(BUILD)/gen/web/: the demo pages from the article texts
# (tools/demo-page.sh), and the admin client's moderation.js from
# src/moderation.c (tools/moderation-js.c).
WEB_SRC	:= admin/index.html admin/admin.js admin/admin.css admin/i18n.js \
	   admin/dom.js admin/api.js admin/ui.js admin/live.js \
	   admin/queue.js admin/comment-panel.js admin/articles.js \
	   admin/stats.js admin/moderators.js admin/rules.js \
	   admin/tokens.js \
	   embed/embed.js embed/embed.css demo/demo.css
WEB_BUILT := admin/moderation.js demo/index.html demo/en/index.html
WEB_NAMES := $(WEB_SRC) $(WEB_BUILT)
WEB_FILES := $(WEB_SRC:%=web/%) $(WEB_BUILT:%=$(BUILD)/gen/web/%)
WEB_GZ	:= $(WEB_NAMES:%=$(BUILD)/gen/gz/%.gz)

LIB_OBJ	:= $(LIB_SRC:src/%.c=$(BUILD)/%.o) $(BUILD)/gen/migrations.o \
	   $(BUILD)/gen/assets.o
MAIN_OBJ := $(MAIN_SRC:src/%.c=$(BUILD)/%.o)
BIN	:= bin/commentd
ifeq ($(SANITIZE),1)
BIN	:= bin/commentd-san
endif

# commentctl, the moderators' client, in its own folder: libcurl and
# jansson only, so it links none of LIB_SRC but xmalloc.c and
# moderation.c (its fatal() is its own, in ctl_main.c).
CTL_SRC	:= \
	commentctl/ctl_args.c \
	commentctl/ctl_print.c \
	commentctl/ctl_sse.c \
	commentctl/ctl_http.c \
	commentctl/ctl_cmd.c \
	commentctl/ctl_watch.c
CTL_OBJ	:= $(CTL_SRC:%.c=$(BUILD)/%.o) $(BUILD)/xmalloc.o \
	   $(BUILD)/moderation.o
CTL_CFLAGS := -Icommentctl $(shell pkg-config --cflags libcurl 2>/dev/null)
CTL_LIBS := $(shell pkg-config --libs libcurl jansson 2>/dev/null)
CTL_BIN	:= bin/commentctl
ifeq ($(SANITIZE),1)
CTL_BIN	:= bin/commentctl-san
endif
$(BUILD)/commentctl/%.o $(BUILD)/tests/test_ctl.o: ALL_CFLAGS += $(CTL_CFLAGS)

# The test programs: `make test` builds and runs exactly these lists
# (tests/run-tests.sh gets them from _test below), so adding a name here
# is all it takes, and a source left out of them fails the run.  Unit
# tests are tests/unit/NAME.c (cmocka).
UNIT_TESTS := test_text test_validate test_i18n test_router test_config \
	      test_moderation test_hashpool test_accounts test_cache test_web test_ctl \
	      test_fold test_ratelimit test_connlimit test_siterules test_jsonout \
	      test_log test_backoff test_keyshards
UNIT_BINS  := $(UNIT_TESTS:%=$(BUILD)/tests/%)

# Integration tests, in the order they run against the server: each is
# tests/integration/NAME.c, except "browser", the Chromium suite
# (tests/browser), and "deploy", docs/DEPLOY.md's steps with the shipped
# nginx site (tests/deploy/deploy-test.sh, a cluster and a server of its
# own).  test_api stays last: it ends by restarting PostgreSQL.
# test_faults kills a cluster of its own and its servers.
INTEG_TESTS := test_admin test_cache test_reader test_commentctl \
	       test_conns test_security test_hostile test_lifecycle \
	       test_restart test_limits test_rules browser deploy test_faults \
	       test_api
INTEG_BINS  := $(patsubst %,$(BUILD)/itests/%, \
	       $(filter-out browser deploy,$(INTEG_TESTS)))

# Fuzz targets: replay binaries (run on their corpus by `make test`)
# and `make fuzz` (libFuzzer, clang).
include tests/fuzz/fuzz.mk

# make bench: figures beside nginx and pgbench (tests/bench/README.md);
# not part of make test or CI.
include tests/bench/bench.mk

.PHONY: all run test deps db-stop unit-tests integration-tests clean check-build \
	_run _test install uninstall FORCE

all: $(BIN) $(CTL_BIN)

$(BIN): $(LIB_OBJ) $(MAIN_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)

$(CTL_BIN): $(CTL_OBJ) $(BUILD)/commentctl/ctl_main.o
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(CTL_LIBS)

# version.h: the release and the commit, rewritten only when they change
# (so a build from the same commit relinks nothing).  Where git cannot
# describe the tree (root's `sudo make install` in a user's clone: git
# refuses a repository of another owner) a header of the same release
# is kept, not rebuilt without its commit.  Both programs' main files
# include it.
GIT_DESCRIBE := $(shell git describe --always --dirty 2>/dev/null)
VERSION_FULL := $(VERSION)$(if $(GIT_DESCRIBE), (git $(GIT_DESCRIBE)))
$(BUILD)/gen/version.h: FORCE
	@mkdir -p $(dir $@)
	@if [ -z '$(GIT_DESCRIBE)' ] && \
	    grep -qs '^#define COMMENTD_VERSION "$(VERSION)"$$' $@; then \
		exit 0; \
	fi; \
	printf '#define COMMENTD_VERSION "%s"\n#define COMMENTD_VERSION_FULL "%s"\n' \
	    '$(VERSION)' '$(VERSION_FULL)' > $@.tmp; \
	if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi
$(BUILD)/main.o $(BUILD)/commentctl/ctl_main.o: $(BUILD)/gen/version.h
$(BUILD)/main.o $(BUILD)/commentctl/ctl_main.o: \
    ALL_CFLAGS += -I$(BUILD)/gen
FORCE:

# Migrations are compiled into the binary: no run-time file paths.
$(BUILD)/embed: tools/embed.c
	@mkdir -p $(dir $@)
	$(CC) -O1 -o $@ $<

$(BUILD)/gen/migrations.c: $(BUILD)/embed $(MIGRATIONS)
	@mkdir -p $(dir $@)
	$(BUILD)/embed $@ embedded_migrations $(MIGRATIONS)

$(BUILD)/gen/migrations.o: $(BUILD)/gen/migrations.c
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

# The demo article pages: Arabic at /, English at /en.
DEMO_PAGE_ar := demo/index.html
DEMO_PAGE_en := demo/en/index.html
define demo_page_rule
$(BUILD)/gen/web/$(DEMO_PAGE_$(1)): web/demo/page.html.in \
    web/demo/article-$(1).txt web/demo/strings-$(1).txt tools/demo-page.sh
	@mkdir -p $$(dir $$@)
	tools/demo-page.sh $(1) web/demo/page.html.in \
	    web/demo/article-$(1).txt web/demo/strings-$(1).txt > $$@.tmp
	mv $$@.tmp $$@
endef
$(foreach lang,ar en,$(eval $(call demo_page_rule,$(lang))))

$(BUILD)/moderation-js: tools/moderation-js.c src/moderation.c \
    include/moderation.h
	@mkdir -p $(dir $@)
	$(CC) -O1 -Iinclude -o $@ tools/moderation-js.c src/moderation.c

$(BUILD)/gen/web/admin/moderation.js: $(BUILD)/moderation-js
	@mkdir -p $(dir $@)
	$(BUILD)/moderation-js > $@.tmp
	mv $@.tmp $@

# gzip -n: no name or time in the header, so builds are reproducible.
$(BUILD)/gen/gz/%.gz: web/%
	@mkdir -p $(dir $@)
	gzip -9nc $< > $@

$(BUILD)/gen/gz/%.gz: $(BUILD)/gen/web/%
	@mkdir -p $(dir $@)
	gzip -9nc $< > $@

# Each file under its name, NAME=FILE (tools/embed.c).
$(BUILD)/gen/assets.c: $(BUILD)/embed $(WEB_FILES) $(WEB_GZ)
	@mkdir -p $(dir $@)
	$(BUILD)/embed $@ embedded_assets \
	    $(join $(WEB_NAMES:%=%=),$(WEB_FILES)) \
	    $(join $(WEB_NAMES:%=%.gz=),$(WEB_GZ))

$(BUILD)/gen/assets.o: $(BUILD)/gen/assets.c
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/commentctl/%.o: commentctl/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/tests/test_%.o: tests/unit/test_%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

# Integration test programs: one per tests/integration/test_*.c, each
# linked with the itest library only (they talk to the server over HTTP).
$(INTEG_BINS:%=%.o): $(BUILD)/itests/%.o: tests/integration/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(shell pkg-config --cflags libcurl 2>/dev/null) \
		-MMD -MP -c -o $@ $<

$(INTEG_BINS): %: %.o $(BUILD)/itests/itest.o
	$(CC) $(ALL_CFLAGS) -o $@ $^ \
		$(shell pkg-config --libs libcurl jansson libpq) -pthread \
		$(ITEST_LIBS)

# test_reader unpacks each web file's gzip copy with zlib.
$(BUILD)/itests/test_reader: ITEST_LIBS := -lz

$(BUILD)/itests/itest.o: tests/integration/itest.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/tests/test_%: $(BUILD)/tests/test_%.o $(LIB_OBJ)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS) \
		$(shell pkg-config --libs cmocka 2>/dev/null)

# commentctl's pure modules, linked besides LIB_OBJ (whose xmalloc.c
# they use).
$(BUILD)/tests/test_ctl: $(BUILD)/commentctl/ctl_args.o \
	$(BUILD)/commentctl/ctl_print.o $(BUILD)/commentctl/ctl_sse.o

# -- set-up and the two commands ---------------------------------------

deps:
	@deploy/install-deps.sh

run: deps
	@$(MAKE) --no-print-directory _run

_run: $(BIN)
	@deploy/run-local.sh $(BIN)

test: deps
	@$(MAKE) --no-print-directory _test

# playwright-core from the npm registry, pinned by package-lock.json.
BROWSER_DEPS := tests/browser/node_modules/.package-lock.json
$(BROWSER_DEPS): tests/browser/package.json tests/browser/package-lock.json
	cd tests/browser && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

_test: $(BIN) $(CTL_BIN) $(UNIT_BINS) $(INTEG_BINS) $(FUZZ_REPLAY_BINS) \
    $(BROWSER_DEPS)
	@BUILD=$(BUILD) BIN=$(BIN) CTL=$(CTL_BIN) SANITIZE=$(SANITIZE) \
		UNIT_TESTS="$(UNIT_TESTS)" FUZZ_TARGETS="$(FUZZ_TARGETS)" \
		INTEG_TESTS="$(INTEG_TESTS)" tests/run-tests.sh

# The programs, and deploy/'s examples as documentation: nothing under
# /etc, so an installation never overwrites an operator's settings, unit
# or site (docs/DEPLOY.md copies them into place).
# The restart script (root's) goes to sbin as commentd-restart.
INSTALL	?= install
BINDIR	 = $(DESTDIR)$(PREFIX)/bin
SBINDIR	 = $(DESTDIR)$(PREFIX)/sbin
DOCDIR	 = $(DESTDIR)$(PREFIX)/share/doc/commentd
DOC_FILES := README.md $(wildcard docs/DEPLOY.md deploy/*.service \
	     deploy/*.env.example deploy/nginx.conf)
RESTART_SH := $(wildcard deploy/commentd-restart.sh)

install: $(BIN) $(CTL_BIN)
	$(INSTALL) -d $(BINDIR) $(DOCDIR)
	$(INSTALL) -m 0755 $(BIN) $(BINDIR)/commentd
	$(INSTALL) -m 0755 $(CTL_BIN) $(BINDIR)/commentctl
	$(INSTALL) -m 0644 $(DOC_FILES) $(DOCDIR)/
ifneq ($(RESTART_SH),)
	$(INSTALL) -d $(SBINDIR)
	$(INSTALL) -m 0755 $(RESTART_SH) $(SBINDIR)/commentd-restart
endif

uninstall:
	rm -f $(BINDIR)/commentd $(BINDIR)/commentctl \
	    $(SBINDIR)/commentd-restart
	rm -f $(addprefix $(DOCDIR)/,$(notdir $(DOC_FILES)))
	-rmdir $(DOCDIR)

# Stops the database `make run` started under var/pg.
db-stop:
	@deploy/pg.sh stop var/pg

unit-tests: $(UNIT_BINS)
	@for t in $(UNIT_BINS); do $$t || exit 1; done

# Both compilers, warnings as errors: what CI builds first.
check-build:
	$(MAKE) clean
	$(MAKE) CC=gcc EXTRA_CFLAGS=-Werror all $(UNIT_BINS) $(INTEG_BINS) \
		$(FUZZ_REPLAY_BINS)
	$(MAKE) clean
	$(MAKE) CC=clang EXTRA_CFLAGS=-Werror all $(UNIT_BINS) $(INTEG_BINS) \
		$(FUZZ_REPLAY_BINS)

clean:
	rm -rf build bin

-include $(shell find build -name '*.d' 2>/dev/null)
