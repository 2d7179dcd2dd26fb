# agent plugin: the plugin runtime (docs/protocol.md section 4), its shim and GET /plugins.
agent_sources += src/agent/plugin.c src/agent/plugin.h src/agent/plugin-io.c \
	src/agent/plugin-spawn.c src/agent/plugin-conf.c \
	src/agent/plugin-name.c src/agent/plugin-name.h \
	src/agent/plugin-interp.c src/agent/plugin-interp.h \
	src/agent/plugin-scan.c src/agent/plugin-scan.h \
	src/agent/ep-plugins.c src/agent/shim-path.c

# The shim that holds each plugin's process group (plugin-shim.c says why). Hosts find it
# next to their executable (the build tree), else at the configured path; LMCACHE_PLUGIN_SHIM
# overrides both (shim-path.c).
pkglibexec_PROGRAMS += src/agent/lmcache-plugin-shim
src_agent_lmcache_plugin_shim_SOURCES = src/agent/plugin-shim.c
AM_CPPFLAGS += -DLMCA_PLUGIN_SHIM='"$(pkglibexecdir)/lmcache-plugin-shim"'

# Example plugins, installed for operators to copy.
pluginexamplesdir = $(pkgdatadir)/examples/plugins
dist_pluginexamples_SCRIPTS = examples/plugins/all_plugin.sh \
	examples/plugins/scheduler_heartbeat.sh examples/plugins/worker_0_stats.py

dist_man_MANS += man/lmcache-plugins.7

# Pure pieces, tested on their own.
check_PROGRAMS += tests/unit/test-plugin-name tests/unit/test-plugin-conf \
	tests/unit/test-plugin-scan
tests_unit_test_plugin_name_SOURCES = tests/unit/test-plugin-name.c src/agent/plugin-name.c
tests_unit_test_plugin_name_LDADD = $(UNIT_LDADD)
tests_unit_test_plugin_conf_SOURCES = tests/unit/test-plugin-conf.c src/agent/plugin-conf.c
tests_unit_test_plugin_conf_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)
tests_unit_test_plugin_conf_LDADD = $(UNIT_LDADD) $(JANSSON_LIBS)
tests_unit_test_plugin_scan_SOURCES = tests/unit/test-plugin-scan.c src/agent/plugin-scan.c \
	src/agent/plugin-interp.c
tests_unit_test_plugin_scan_LDADD = $(UNIT_LDADD)
TESTS += tests/unit/test-plugin-name tests/unit/test-plugin-conf tests/unit/test-plugin-scan

# Real plugins, a real host (lmcache-demo-node), real signals.
TESTS += tests/bats/plugins.bats
EXTRA_DIST += tests/bats/plugins.bats tests/helpers/plugins.bash \
	tests/fixtures/plugins/record.sh tests/fixtures/plugins/record.py
