# Reliability tests (issue: no hang, no unbounded growth, no bad input that spoils an
# answer): program tests across the daemons, fuzz targets (tests/fuzz) and the soak bench.
reliab_bats = tests/bats/frontend-reliab.bats tests/bats/discovery-reliab.bats \
	tests/bats/plugins-reliab.bats tests/bats/agent-reliab.bats
TESTS += $(reliab_bats)
EXTRA_DIST += $(reliab_bats)
reliab_unit = tests/unit/test-prom-hostile
check_PROGRAMS += $(reliab_unit)
tests_unit_test_prom_hostile_CFLAGS = $(PROM_TEST_CFLAGS)
tests_unit_test_prom_hostile_LDADD = $(PROM_TEST_LDADD)
TESTS += $(reliab_unit)
EXTRA_DIST += tests/fixtures/reliab/big-node.py tests/fixtures/plugins/escape.sh
