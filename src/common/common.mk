# Pieces of libcommon (one line per piece).
common_sources += src/common/jsonutil.c src/common/jsonutil.h
common_sources += src/common/heartbeat.c src/common/heartbeat.h
common_sources += src/common/http-multi.c src/common/http-multi.h
common_sources += src/common/nodelist.c src/common/nodelist.h
common_sources += src/common/daemon-log.c src/common/daemon-log.h
common_sources += src/common/daemon.c src/common/daemon.h
common_sources += src/common/daemon-notify.c
common_libadd += $(SYSTEMD_LIBS)
common_sources += src/common/agentfmt.c src/common/agentfmt.h
common_sources += src/common/cluster.c src/common/cluster.h
common_sources += src/common/bottleneck.c src/common/bottleneck.h
common_libadd += -lm
common_sources += src/common/client-auth.c src/common/client-auth.h
common_sources += src/common/netallow.c src/common/netallow.h
common_sources += src/common/url.c src/common/url.h
check_PROGRAMS += tests/unit/test-url
TESTS += tests/unit/test-url
tests_unit_test_url_LDADD = src/common/libcommon.la src/common/libutil.la
check_PROGRAMS += tests/unit/test-netallow
TESTS += tests/unit/test-netallow
tests_unit_test_netallow_LDADD = src/common/libcommon.la src/common/libutil.la
common_sources += src/common/prom.h src/common/prom-parse.c src/common/prom-merge.c src/common/prom-map.c src/common/prom-map.h \
	src/common/prom-print.c src/common/prom-scan.c src/common/prom-scan.h \
	src/common/prom-lex.c src/common/prom-lex.h src/common/prom-out.c src/common/prom-out.h
common_sources += src/common/prom-cache.c
include src/common/prom.mk

# The shared cluster walk (cluster.c, lmcctl's and lmcache-top's): a unit test against a
# real HTTP server playing a registry and frontends.
check_PROGRAMS += tests/unit/test-cluster
TESTS += tests/unit/test-cluster
tests_unit_test_cluster_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS) $(CURL_CFLAGS) $(MHD_CFLAGS)
tests_unit_test_cluster_LDADD = src/common/libcommon.la src/common/libutil.la $(MHD_LIBS)

# The heartbeat client (heartbeat.c).
check_PROGRAMS += tests/unit/test-heartbeat
TESTS += tests/unit/test-heartbeat
tests_unit_test_heartbeat_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS) $(CURL_CFLAGS) \
	-I$(top_srcdir)/tests/unit
tests_unit_test_heartbeat_LDADD = src/common/libcommon.la $(JANSSON_LIBS) $(CURL_LIBS) \
	$(PTHREAD_LIBS)

check_PROGRAMS += tests/unit/test-bottleneck
tests_unit_test_bottleneck_LDADD = src/common/libcommon.la
TESTS += tests/unit/test-bottleneck
EXTRA_DIST += docs/bottlenecks.md

check_PROGRAMS += tests/unit/test-jsonutil
TESTS += tests/unit/test-jsonutil
tests_unit_test_jsonutil_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)
tests_unit_test_jsonutil_LDADD = src/common/libcommon.la src/common/libutil.la
# The agent's JSON through jsonutil's dumper (shortest reals), against demo nodes.
TESTS += tests/bats/agent-floats.bats
EXTRA_DIST += tests/bats/agent-floats.bats
check_PROGRAMS += tests/unit/test-agentfmt
TESTS += tests/unit/test-agentfmt
tests_unit_test_agentfmt_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)
tests_unit_test_agentfmt_LDADD = src/common/libcommon.la src/common/libutil.la
# Clients through jsonutil's lenient parser, against an LMCache-like node (nginx).
TESTS += tests/bats/lmcctl-nonfinite.bats
EXTRA_DIST += tests/bats/lmcctl-nonfinite.bats tests/fixtures/jsonutil/lmcache-nonfinite/conf.txt
