# Prometheus text parser and merger (src/common/prom*): unit tests, the merge check program
# and its bats test. Included from common.mk.
PROM_TEST_CFLAGS = $(AM_CFLAGS) -I$(top_srcdir)/tests/unit
PROM_TEST_LDADD = src/common/libcommon.la
prom_unit = tests/unit/test-prom-parse tests/unit/test-prom-merge tests/unit/test-prom-cache \
	tests/unit/test-prom-print tests/unit/test-prom-out
check_PROGRAMS += $(prom_unit) tests/progs/prom-merge
tests_unit_test_prom_parse_CFLAGS = $(PROM_TEST_CFLAGS)
tests_unit_test_prom_parse_LDADD = $(PROM_TEST_LDADD)
tests_unit_test_prom_merge_CFLAGS = $(PROM_TEST_CFLAGS)
tests_unit_test_prom_merge_LDADD = $(PROM_TEST_LDADD)
tests_unit_test_prom_cache_CFLAGS = $(PROM_TEST_CFLAGS)
tests_unit_test_prom_cache_LDADD = $(PROM_TEST_LDADD)
tests_unit_test_prom_print_CFLAGS = $(PROM_TEST_CFLAGS)
tests_unit_test_prom_print_LDADD = $(PROM_TEST_LDADD)
tests_unit_test_prom_out_CFLAGS = $(PROM_TEST_CFLAGS)
tests_unit_test_prom_out_LDADD = $(PROM_TEST_LDADD)
tests_progs_prom_merge_CFLAGS = $(PROM_TEST_CFLAGS)
tests_progs_prom_merge_LDADD = $(PROM_TEST_LDADD)
TESTS += $(prom_unit) tests/bats/common-prom.bats
EXTRA_DIST += tests/bats/common-prom.bats $(prom_fixtures)
prom_fixtures = tests/fixtures/prom/lmcache-python.prom tests/fixtures/prom/agent.prom \
	tests/fixtures/prom/escapes.prom tests/fixtures/prom/conflict.prom \
	tests/fixtures/prom/node-label.prom
# The merge's benchmark (make bench; its program is built in tests/bench/local.mk).
bench_scripts += tests/bench/prom.sh
