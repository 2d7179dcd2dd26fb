# Shared test harness files. Each component lists its own tests in its fragment:
#   check_PROGRAMS += tests/unit/test-foo  and  TESTS += tests/unit/test-foo tests/bats/foo.bats
UNIT_LDADD = src/common/libutil.la
EXTRA_DIST += tests/unit/tap.h tests/helpers/common.bash build-aux/tap-driver.sh
# The lock the installing tests hold against the Python tests (install_locked, common.bash).
CLEANFILES += tests/install.lock

# LMCache's recorded answers and the server that replays them (docs/protocol.md).
TESTS += tests/bats/fixtures.bats tests/bats/cluster-lmcache.bats
EXTRA_DIST += tests/bats/fixtures.bats tests/bats/cluster-lmcache.bats tests/helpers/fixtures.bash \
	tests/helpers/fixture-server.py tests/fixtures/lmcache

# Tree-wide checks of the code's shape (HACKING.md): function length, one name per thing;
# and of the helpers the tests lean on.
TESTS += tests/bats/funclen.bats tests/bats/names.bats tests/bats/helpers.bats
EXTRA_DIST += tests/bats/funclen.bats tests/bats/names.bats tests/bats/helpers.bats
