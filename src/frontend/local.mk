# src/frontend: lmcache-frontend, the per-host proxy (see HACKING.md and lmcache-frontend(8)).
# The pure pieces form a small library the unit tests link.
noinst_LTLIBRARIES += src/frontend/libfrontend.la
src_frontend_libfrontend_la_SOURCES = \
	src/frontend/model.c src/frontend/model-index.c src/frontend/model.h \
	src/frontend/paths.c src/frontend/paths.h \
	src/frontend/plugin-mode.c src/frontend/plugin-mode.h \
	src/frontend/up-parse.c src/frontend/up-parse.h \
	src/frontend/metrics-filter.c src/frontend/metrics-filter.h
src_frontend_libfrontend_la_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)
src_frontend_libfrontend_la_LIBADD = src/common/libcommon.la $(JANSSON_LIBS)

sbin_PROGRAMS += src/frontend/lmcache-frontend
src_frontend_lmcache_frontend_SOURCES = \
	src/frontend/main.c src/frontend/frontend.h \
	src/frontend/options.c src/frontend/options.h \
	src/frontend/server.c src/frontend/server.h src/frontend/routes.c \
	src/frontend/forward.c src/frontend/forward.h src/frontend/fwd-internal.h \
	src/frontend/fwd-curl.c src/frontend/fwd-loop.c \
	src/frontend/upstream.c src/frontend/upstream.h \
	src/frontend/supplier.c src/frontend/security.c \
	src/frontend/ep-health.c src/frontend/ep-nodes.c src/frontend/ep-manage.c \
	src/frontend/ep-heartbeat.c src/frontend/ep-proxy.c src/frontend/ep-metrics.c \
	src/frontend/ep-fanout.c
src_frontend_lmcache_frontend_CFLAGS = $(AM_CFLAGS) $(MHD_CFLAGS) $(CURL_CFLAGS) \
	$(JANSSON_CFLAGS)
src_frontend_lmcache_frontend_LDADD = src/frontend/libfrontend.la src/server/libsrv.la $(GNUTLS_LIBS) $(MHD_LIBS) $(CURL_LIBS) \
	$(JANSSON_LIBS) $(PTHREAD_LIBS)

# The plugin that runs the frontend on an LMCache scheduler (lmcache-plugins(7)).
frontend_pluginsdir = $(pkgdatadir)/plugins
dist_frontend_plugins_SCRIPTS = plugins/scheduler_lmc_frontend_plugin.sh

# Tests: unit tests of the pure pieces, bats tests with real processes.
FRONTEND_TEST_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS) -I$(top_srcdir)/src/frontend \
	-I$(top_srcdir)/tests/unit
FRONTEND_TEST_LDADD = src/frontend/libfrontend.la $(JANSSON_LIBS)
frontend_unit = tests/unit/test-frontend-model tests/unit/test-frontend-paths \
	tests/unit/test-frontend-plugin tests/unit/test-frontend-upparse \
	tests/unit/test-frontend-filter
check_PROGRAMS += $(frontend_unit)
tests_unit_test_frontend_filter_CFLAGS = $(FRONTEND_TEST_CFLAGS)
tests_unit_test_frontend_filter_LDADD = $(FRONTEND_TEST_LDADD)
tests_unit_test_frontend_model_CFLAGS = $(FRONTEND_TEST_CFLAGS)
tests_unit_test_frontend_model_LDADD = $(FRONTEND_TEST_LDADD)
tests_unit_test_frontend_paths_CFLAGS = $(FRONTEND_TEST_CFLAGS)
tests_unit_test_frontend_paths_LDADD = $(FRONTEND_TEST_LDADD)
tests_unit_test_frontend_plugin_CFLAGS = $(FRONTEND_TEST_CFLAGS)
tests_unit_test_frontend_plugin_LDADD = $(FRONTEND_TEST_LDADD)
tests_unit_test_frontend_upparse_CFLAGS = $(FRONTEND_TEST_CFLAGS)
tests_unit_test_frontend_upparse_LDADD = $(FRONTEND_TEST_LDADD)
frontend_bats = tests/bats/frontend.bats tests/bats/frontend-manage.bats \
	tests/bats/frontend-metrics.bats tests/bats/frontend-plugin.bats \
	tests/bats/frontend-lmcache.bats tests/bats/frontend-upstream.bats \
	tests/bats/frontend-fanout.bats
TESTS += $(frontend_unit) $(frontend_bats)
EXTRA_DIST += $(frontend_bats) tests/helpers/frontend.bash \
	tests/fixtures/frontend/prometheus-client.prom tests/fixtures/frontend/echo.py \
	tests/fixtures/frontend/unix-node.py
dist_man_MANS += man/lmcache-frontend.8
