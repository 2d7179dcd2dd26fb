# src/server: the HTTP server core (srv.h) the agent, the frontend and the registry share.
# A convenience library: liblmcagent takes it in whole (and exports none of it).
noinst_LTLIBRARIES += src/server/libsrv.la
src_server_libsrv_la_SOURCES = src/server/srv.h src/server/srv.c src/server/srv-route.c \
	src/server/srv-reply.c src/server/srv-auth.c
src_server_libsrv_la_CFLAGS = $(AM_CFLAGS) $(MHD_CFLAGS) $(JANSSON_CFLAGS)
# libutil is left to the user of the core (liblmcagent takes it in whole already).
src_server_libsrv_la_LIBADD = $(MHD_LIBS) $(JANSSON_LIBS) $(PTHREAD_LIBS)

# Matching, the HEAD rule, 404/405 and the rules for adding routes, without a server.
check_PROGRAMS += tests/unit/test-srv-route
tests_unit_test_srv_route_LDADD = src/server/libsrv.la $(UNIT_LDADD)
TESTS += tests/unit/test-srv-route

# The three daemons through the core: one error shape, Allow, HEAD, the body limit.
TESTS += tests/bats/server-core.bats
EXTRA_DIST += tests/bats/server-core.bats
