# agent server: the internal API server, its routes and endpoints, stack capture.
agent_sources += src/agent/server.c src/agent/server.h src/agent/listen.c src/agent/listen.h \
	src/agent/route.c src/agent/request.c \
	src/agent/stacks.c src/agent/env-redact.c src/agent/env-redact.h \
	src/agent/ep-metrics.c src/agent/ep-threads.c src/agent/ep-loglevel.c \
	src/agent/ep-conf.c src/agent/ep-meta.c src/agent/ep-version.c src/agent/ep-env.c \
	src/agent/ep-run-script.c src/agent/ep-health.c \
	src/agent/symbols.c src/agent/symbols.h src/agent/ep-profile.c src/agent/profile.c \
	src/agent/profile-report.c src/agent/profile.h \
	src/agent/host-hooks.c src/agent/host-hooks.h

# Pure pieces, tested without a server.
check_PROGRAMS += tests/unit/test-env-redact
tests_unit_test_env_redact_SOURCES = tests/unit/test-env-redact.c src/agent/env-redact.c
tests_unit_test_env_redact_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)
tests_unit_test_env_redact_LDADD = $(UNIT_LDADD) $(JANSSON_LIBS)
TESTS += tests/unit/test-env-redact

# Program tests: demo nodes reached over a unix socket and TCP.
agent_server_bats = tests/bats/agent-server.bats tests/bats/agent-metrics.bats \
	tests/bats/agent-threads.bats tests/bats/agent-loglevel.bats tests/bats/agent-conf.bats \
	tests/bats/agent-meta.bats tests/bats/agent-env.bats tests/bats/agent-run-script.bats \
	tests/bats/agent-lmcache.bats
TESTS += $(agent_server_bats)
EXTRA_DIST += $(agent_server_bats) tests/helpers/agent.bash tests/helpers/compare-exchange.py

# The server through the public API (agents in one process, host routes, stack signal).
check_PROGRAMS += tests/unit/test-route-server
tests_unit_test_route_server_SOURCES = tests/unit/test-route-server.c tests/unit/raw-http.c \
	tests/unit/raw-http.h
tests_unit_test_route_server_LDADD = src/agent/liblmcagent.la $(UNIT_LDADD)
TESTS += tests/unit/test-route-server

# GET /conf's cached rendering follows every change of the store.
check_PROGRAMS += tests/unit/test-conf-cache
tests_unit_test_conf_cache_SOURCES = tests/unit/test-conf-cache.c tests/unit/raw-http.c
tests_unit_test_conf_cache_LDADD = src/agent/liblmcagent.la $(UNIT_LDADD)
TESTS += tests/unit/test-conf-cache

# GET /profile: the report (folded lines, per-function counts) is pure.
check_PROGRAMS += tests/unit/test-profile-report
tests_unit_test_profile_report_SOURCES = tests/unit/test-profile-report.c \
	src/agent/profile-report.c
tests_unit_test_profile_report_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)
tests_unit_test_profile_report_LDADD = $(UNIT_LDADD) $(JANSSON_LIBS)
TESTS += tests/unit/test-profile-report tests/bats/agent-profile.bats
EXTRA_DIST += tests/bats/agent-profile.bats

# The hooks of a host with a runtime of its own (host-hooks.c), through the public API.
check_PROGRAMS += tests/unit/test-host-hooks
tests_unit_test_host_hooks_SOURCES = tests/unit/test-host-hooks.c tests/unit/raw-http.c
tests_unit_test_host_hooks_LDADD = src/agent/liblmcagent.la $(UNIT_LDADD)
TESTS += tests/unit/test-host-hooks
