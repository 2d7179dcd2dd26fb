# agent core: configuration store and loading, loggers, metrics (agent-internal.h).
agent_sources += src/agent/conf.c src/agent/conf.h src/agent/conf-value.c \
	src/agent/conf-load.c src/agent/conf-yaml.c \
	src/agent/log.c \
	src/agent/metrics.c src/agent/metrics.h src/agent/metrics-render.c
dist_man_MANS += man/lmcagent.3

# Unit tests reach agent-internal.h functions, which the shared library does not export:
# they link this check-only static copy of the whole library instead.
check_LTLIBRARIES += src/agent/libagent-test.la
src_agent_libagent_test_la_SOURCES = $(agent_sources)
src_agent_libagent_test_la_CFLAGS = $(src_agent_liblmcagent_la_CFLAGS)
src_agent_libagent_test_la_LIBADD = $(src_agent_liblmcagent_la_LIBADD)
CORE_TEST_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)
CORE_TEST_LDADD = src/agent/libagent-test.la $(UNIT_LDADD) $(JANSSON_LIBS) $(PTHREAD_LIBS) -lm
check_PROGRAMS += tests/unit/test-conf
tests_unit_test_conf_CFLAGS = $(CORE_TEST_CFLAGS)
tests_unit_test_conf_LDADD = $(CORE_TEST_LDADD)
TESTS += tests/unit/test-conf
check_PROGRAMS += tests/unit/test-conf-load
tests_unit_test_conf_load_CFLAGS = $(CORE_TEST_CFLAGS)
tests_unit_test_conf_load_LDADD = $(CORE_TEST_LDADD)
TESTS += tests/unit/test-conf-load
EXTRA_DIST += tests/fixtures/conf/lmcache.yaml tests/fixtures/conf/empty.yaml \
	tests/fixtures/conf/bad-int.yaml tests/fixtures/conf/bad-syntax.yaml \
	tests/fixtures/conf/not-a-map.yaml tests/fixtures/conf/bad-list.yaml
check_PROGRAMS += tests/unit/test-log
tests_unit_test_log_CFLAGS = $(CORE_TEST_CFLAGS)
tests_unit_test_log_LDADD = $(CORE_TEST_LDADD)
TESTS += tests/unit/test-log
check_PROGRAMS += tests/unit/test-metrics
tests_unit_test_metrics_CFLAGS = $(CORE_TEST_CFLAGS)
tests_unit_test_metrics_LDADD = $(CORE_TEST_LDADD)
TESTS += tests/unit/test-metrics

# Prints a representative exposition; tests/bats/agent-metrics-text.bats checks it with promtool.
check_PROGRAMS += tests/unit/print-exposition
tests_unit_print_exposition_LDADD = src/agent/liblmcagent.la -lm
TESTS += tests/bats/agent-metrics-text.bats
EXTRA_DIST += tests/bats/agent-metrics-text.bats
