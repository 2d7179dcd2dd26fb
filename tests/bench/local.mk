# tests/bench: `make bench` (see tests/bench/README.md). The helper programs are built only
# for benchmarking (EXTRA_PROGRAMS), never by `make` or `make check`.
EXTRA_PROGRAMS += tests/bench/loadgen tests/bench/idlehost tests/bench/prom-bench
tests_bench_prom_bench_SOURCES = tests/bench/prom-bench.c
tests_bench_prom_bench_LDADD = src/common/libcommon.la
tests_bench_loadgen_SOURCES = tests/bench/loadgen.c tests/bench/http-resp.c tests/bench/http-resp.h
tests_bench_loadgen_LDADD = src/common/libutil.la $(PTHREAD_LIBS)
tests_bench_idlehost_SOURCES = tests/bench/idlehost.c
tests_bench_idlehost_LDADD = src/agent/liblmcagent.la $(PTHREAD_LIBS)
bench: tests/bench/loadgen$(EXEEXT) tests/bench/idlehost$(EXEEXT) tests/bench/prom-bench$(EXEEXT)
CLEANFILES += tests/bench/loadgen$(EXEEXT) tests/bench/idlehost$(EXEEXT) \
	tests/bench/prom-bench$(EXEEXT)

# tests/bench/discovery.sh is registered by src/discovery/local.mk.
bench_scripts += tests/bench/agent.sh tests/bench/idle.sh tests/bench/frontend.sh \
	tests/bench/profile.sh \
	tests/bench/lmcctl.sh tests/bench/top.sh tests/bench/python.sh tests/bench/soak.sh \
	tests/bench/fleet.sh
EXTRA_DIST += tests/bench/run-all tests/bench/lib.sh tests/bench/fastapi_node.py tests/bench/keylat.py \
	tests/bench/README.md $(bench_scripts)

# The key-to-screen measure the TUI benchmarks use.
TESTS += tests/bats/bench-keylat.bats
EXTRA_DIST += tests/bats/bench-keylat.bats

# The load generator's response framing is pure logic: a unit test in make check.
check_PROGRAMS += tests/unit/test-loadgen-http
tests_unit_test_loadgen_http_SOURCES = tests/unit/test-loadgen-http.c tests/bench/http-resp.c \
	tests/bench/http-resp.h
tests_unit_test_loadgen_http_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/bench
TESTS += tests/unit/test-loadgen-http
