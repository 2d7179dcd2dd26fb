# Reliability tests (issue: no hang, no unbounded growth, no bad input that spoils an
# answer): program tests across the daemons, fuzz targets (tests/fuzz) and the soak bench.
reliab_bats = tests/bats/frontend-reliab.bats
TESTS += $(reliab_bats)
EXTRA_DIST += $(reliab_bats)
