# src/discovery: lmcache-discovery, the registry (see HACKING.md and lmcache-discovery(8)).
# The pieces without the HTTP server form a small library the unit tests link.
noinst_LTLIBRARIES += src/discovery/libdiscovery.la
src_discovery_libdiscovery_la_SOURCES = \
	src/discovery/entry.c src/discovery/entry.h \
	src/discovery/listing.c src/discovery/listing.h \
	src/discovery/table.c src/discovery/table.h \
	src/discovery/options.c src/discovery/options.h \
	src/discovery/store.c src/discovery/store.h \
	src/discovery/store-memory.c src/discovery/store-memory.h \
	src/discovery/store-file.c \
	src/discovery/store-etcd.c \
	src/discovery/etcd-codec.c src/discovery/etcd-codec.h \
	src/discovery/etcd-mirror.c src/discovery/etcd-mirror.h \
	src/discovery/http-sd.c src/discovery/http-sd.h
src_discovery_libdiscovery_la_CFLAGS = $(AM_CFLAGS) $(CURL_CFLAGS) $(JANSSON_CFLAGS)
src_discovery_libdiscovery_la_LIBADD = src/common/libcommon.la src/server/libsrv.la $(CURL_LIBS) $(JANSSON_LIBS) \
	$(PTHREAD_LIBS)

sbin_PROGRAMS += src/discovery/lmcache-discovery
src_discovery_lmcache_discovery_SOURCES = \
	src/discovery/main.c src/discovery/discovery.h \
	src/discovery/server.c src/discovery/server.h \
	src/discovery/ep-heartbeat.c src/discovery/ep-infos.c src/discovery/ep-self.c \
	src/discovery/ep-http-sd.c
src_discovery_lmcache_discovery_CFLAGS = $(AM_CFLAGS) $(MHD_CFLAGS) $(CURL_CFLAGS) \
	$(JANSSON_CFLAGS)
src_discovery_lmcache_discovery_LDADD = src/discovery/libdiscovery.la src/server/libsrv.la $(MHD_LIBS) $(CURL_LIBS) \
	$(JANSSON_LIBS) $(PTHREAD_LIBS)

# Tests: unit tests of the pure parts, bats tests with real processes.
DISCOVERY_TEST_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS) $(CURL_CFLAGS) \
	-I$(top_srcdir)/src/discovery -I$(top_srcdir)/tests/unit
DISCOVERY_TEST_LDADD = src/discovery/libdiscovery.la $(JANSSON_LIBS) $(CURL_LIBS) $(PTHREAD_LIBS)
discovery_unit = tests/unit/test-discovery-entry tests/unit/test-discovery-listing \
	tests/unit/test-discovery-store tests/unit/test-discovery-http-sd \
	tests/unit/test-discovery-mirror
check_PROGRAMS += $(discovery_unit) tests/progs/heartbeat-client
tests_unit_test_discovery_entry_CFLAGS = $(DISCOVERY_TEST_CFLAGS)
tests_unit_test_discovery_entry_LDADD = $(DISCOVERY_TEST_LDADD)
tests_unit_test_discovery_listing_CFLAGS = $(DISCOVERY_TEST_CFLAGS)
tests_unit_test_discovery_listing_LDADD = $(DISCOVERY_TEST_LDADD)
tests_unit_test_discovery_store_CFLAGS = $(DISCOVERY_TEST_CFLAGS)
tests_unit_test_discovery_store_LDADD = $(DISCOVERY_TEST_LDADD)
tests_unit_test_discovery_http_sd_CFLAGS = $(DISCOVERY_TEST_CFLAGS)
tests_unit_test_discovery_http_sd_LDADD = $(DISCOVERY_TEST_LDADD)
tests_unit_test_discovery_mirror_CFLAGS = $(DISCOVERY_TEST_CFLAGS)
tests_unit_test_discovery_mirror_LDADD = $(DISCOVERY_TEST_LDADD)
tests_progs_heartbeat_client_CFLAGS = $(DISCOVERY_TEST_CFLAGS)
tests_progs_heartbeat_client_LDADD = $(DISCOVERY_TEST_LDADD)
discovery_bats = tests/bats/discovery.bats tests/bats/discovery-stores.bats \
	tests/bats/discovery-etcd.bats tests/bats/heartbeat.bats
TESTS += $(discovery_unit) $(discovery_bats)
EXTRA_DIST += $(discovery_bats) tests/helpers/discovery.bash
dist_man_MANS += man/lmcache-discovery.8
bench_scripts += tests/bench/discovery.sh
EXTRA_DIST += tests/bench/discovery.sh
