# Reliability tests (issue: no hang, no unbounded growth, no bad input that spoils an
# answer): program tests across the daemons, fuzz targets (tests/fuzz) and the soak bench.
reliab_bats = tests/bats/frontend-reliab.bats tests/bats/discovery-reliab.bats \
	tests/bats/plugins-reliab.bats tests/bats/agent-reliab.bats tests/bats/server-reliab.bats \
	tests/bats/server-timeouts.bats
TESTS += $(reliab_bats)
EXTRA_DIST += $(reliab_bats)
reliab_unit = tests/unit/test-prom-hostile
check_PROGRAMS += $(reliab_unit)
tests_unit_test_prom_hostile_CFLAGS = $(PROM_TEST_CFLAGS)
tests_unit_test_prom_hostile_LDADD = $(PROM_TEST_LDADD)
TESTS += $(reliab_unit)
EXTRA_DIST += tests/fixtures/reliab/big-node.py tests/fixtures/plugins/escape.sh \
	tests/fixtures/reliab/half-open.py tests/fixtures/reliab/slow-client.py

# --- fuzz targets (tests/fuzz): each parser that reads another process's bytes, built with
# clang's libFuzzer and ASan+UBSan straight from the sources it covers (so they are
# instrumented), run over its corpus in tests/fuzz/corpus/NAME. `make fuzz` runs each for
# FUZZ_SECONDS (default 60); `make check` runs them for 5 s each when CI=true.
FUZZ_NAMES = prom agentfmt nodelist entry paths yaml upparse
FUZZ_BINS = $(FUZZ_NAMES:%=tests/fuzz/fuzz-%)
FUZZ_FLAGS = -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	-DHAVE_CONFIG_H -I$(top_builddir) -I$(top_srcdir)/src/common -I$(top_srcdir)/src/agent \
	-I$(top_srcdir)/src/discovery -I$(top_srcdir)/src/frontend -I$(top_srcdir)/src/server \
	$(JANSSON_CFLAGS) $(GNUTLS_CFLAGS) $(DW_CFLAGS) -pthread
fuzz_util = src/common/xalloc.c src/common/buf.c src/common/strutil.c src/common/xthread.c
# Each rule sets sources (.h files among them are left out) and libs, then FUZZ_BUILD
# compiles tests/fuzz/NAME.c with them into $@.
FUZZ_BUILD = mkdir -p tests/fuzz && \
	srcs=$$(for f in $(fuzz_util) $$sources; do case $$f in *.c) echo "$(top_srcdir)/$$f" ;; esac; done) && \
	echo "  FUZZ     $@" && \
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ $(top_srcdir)/$@.c $$srcs $(JANSSON_LIBS) $$libs
fuzz_src_prom = src/common/prom-parse.c src/common/prom-merge.c src/common/prom-map.c \
	src/common/prom-scan.c src/common/prom-lex.c src/common/prom-print.c src/common/prom-cache.c \
	src/common/prom-out.c
tests/fuzz/fuzz-prom: tests/fuzz/fuzz-prom.c $(fuzz_util) $(fuzz_src_prom) config.h
	@sources='$(fuzz_src_prom)'; libs=''; $(FUZZ_BUILD)
fuzz_src_agentfmt = src/common/agentfmt.c src/common/jsonutil.c
tests/fuzz/fuzz-agentfmt: tests/fuzz/fuzz-agentfmt.c $(fuzz_util) $(fuzz_src_agentfmt) config.h
	@sources='$(fuzz_src_agentfmt)'; libs=''; $(FUZZ_BUILD)
fuzz_src_nodelist = src/common/nodelist.c src/common/jsonutil.c src/common/prom-map.c
tests/fuzz/fuzz-nodelist: tests/fuzz/fuzz-nodelist.c $(fuzz_util) $(fuzz_src_nodelist) config.h
	@sources='$(fuzz_src_nodelist)'; libs=''; $(FUZZ_BUILD)
fuzz_src_entry = src/discovery/entry.c src/discovery/etcd-codec.c src/common/jsonutil.c
tests/fuzz/fuzz-entry: tests/fuzz/fuzz-entry.c $(fuzz_util) $(fuzz_src_entry) config.h
	@sources='$(fuzz_src_entry)'; libs=''; $(FUZZ_BUILD)
fuzz_src_paths = src/frontend/paths.c $(src_server_libsrv_la_SOURCES)
tests/fuzz/fuzz-paths: tests/fuzz/fuzz-paths.c $(fuzz_util) $(fuzz_src_paths) config.h
	@sources='$(fuzz_src_paths)'; libs='$(MHD_LIBS) $(GNUTLS_LIBS)'; $(FUZZ_BUILD)
fuzz_src_yaml = $(agent_sources) $(src_server_libsrv_la_SOURCES)
tests/fuzz/fuzz-yaml: tests/fuzz/fuzz-yaml.c $(fuzz_util) $(fuzz_src_yaml) config.h
	@sources='$(fuzz_src_yaml)'; libs='$(MHD_LIBS) $(YAML_LIBS) $(GNUTLS_LIBS) $(DW_LIBS) -ldl -lm'; $(FUZZ_BUILD)
fuzz_src_upparse = src/frontend/up-parse.c
tests/fuzz/fuzz-upparse: tests/fuzz/fuzz-upparse.c $(fuzz_util) $(fuzz_src_upparse) config.h
	@sources='$(fuzz_src_upparse)'; libs=''; $(FUZZ_BUILD)
CLEANFILES += $(FUZZ_BINS)
EXTRA_DIST += $(FUZZ_NAMES:%=tests/fuzz/fuzz-%.c) tests/fuzz/run tests/fuzz/corpus

# `make fuzz`: the fuzz targets for longer (FUZZ_SECONDS each), new inputs kept in the
# corpus directories of the source tree.
fuzz: $(FUZZ_BINS)
	@FUZZ_SECONDS='$(FUZZ_SECONDS)' $(SHELL) $(top_srcdir)/tests/fuzz/run \
	  '$(abs_top_builddir)' '$(abs_top_srcdir)' $(FUZZ_NAMES)
.PHONY: fuzz
TESTS += tests/fuzz/run-check
check_SCRIPTS = tests/fuzz/run-check
tests/fuzz/run-check: $(top_srcdir)/tests/reliab.mk
	@mkdir -p tests/fuzz
	@{ echo '#!/bin/sh'; \
	   echo '# make check: the fuzz targets for 5 s each when CI=true (built here), else skipped.'; \
	   echo 'if [ "$${CI:-}" != true ] || [ -z "$(FUZZ_CC)" ]; then echo "1..0 # SKIP fuzzing runs in make check when CI=true"; exit 0; fi'; \
	   echo 'make -s $(FUZZ_BINS) >&2 || { echo "1..1"; echo "not ok 1 - building the fuzz targets"; exit 1; }'; \
	   echo 'FUZZ_SECONDS=5 FUZZ_TAP=1 exec $(SHELL) "$(abs_top_srcdir)/tests/fuzz/run" "$(abs_top_builddir)" "$(abs_top_srcdir)" $(FUZZ_NAMES)'; \
	 } >$@ && chmod +x $@
CLEANFILES += tests/fuzz/run-check
