# liblmcagent. Each piece lists its sources in its own fragment (HACKING.md):
#   core.mk   config, loggers, metrics        server.mk  server, routes, endpoints, stacks
#   plugin.mk plugin runtime
agent_sources = src/agent/agent.c src/agent/identity.c src/agent/agent-internal.h
# libcommon's jansson helpers: the agent writes reals shortest (json_dumps_shortest).
agent_sources += src/common/jsonutil.c src/common/jsonutil.h
include src/agent/core.mk
include src/agent/server.mk
include src/agent/plugin.mk

lib_LTLIBRARIES += src/agent/liblmcagent.la
include_HEADERS += src/agent/lmcagent.h
src_agent_liblmcagent_la_SOURCES = $(agent_sources)
src_agent_liblmcagent_la_CFLAGS = $(AM_CFLAGS) $(MHD_CFLAGS) $(JANSSON_CFLAGS) $(YAML_CFLAGS)
src_agent_liblmcagent_la_LIBADD = src/server/libsrv.la src/common/libutil.la $(MHD_LIBS) $(JANSSON_LIBS) $(YAML_LIBS) $(PTHREAD_LIBS)
# Only lmca_ symbols are the library's API; libutil's helpers and the server core (srv_*)
# are linked in whole and stay private.
src_agent_liblmcagent_la_LDFLAGS = $(AM_LDFLAGS) -version-info 0:0:0 -export-symbols-regex '^lmca_'
pkgconfigdir = $(libdir)/pkgconfig
pkgconfig_DATA = src/agent/lmcagent.pc
EXTRA_DIST += src/agent/lmcagent.pc.in

# The layers hold: no include circle anywhere, no call circle in the library.
TESTS += tests/bats/layers.bats
EXTRA_DIST += tests/bats/layers.bats
