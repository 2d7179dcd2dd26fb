# src/server: the HTTP server core (srv.h) the agent, the frontend and the registry share.
# A convenience library: liblmcagent takes it in whole (and exports none of it).
noinst_LTLIBRARIES += src/server/libsrv.la
src_server_libsrv_la_SOURCES = src/server/srv.h src/server/srv.c src/server/srv-route.c \
	src/server/srv-reply.c src/server/srv-auth.c src/server/auth.h src/server/srv-token.c \
	src/server/srv-watch.c src/server/srv-watch.h src/server/srv-loop.c src/server/srv-loop.h
src_server_libsrv_la_CFLAGS = $(AM_CFLAGS) $(MHD_CFLAGS) $(JANSSON_CFLAGS) $(GNUTLS_CFLAGS)
# libutil is left to the user of the core (liblmcagent takes it in whole already).
src_server_libsrv_la_LIBADD = $(MHD_LIBS) $(JANSSON_LIBS) $(GNUTLS_LIBS) $(PTHREAD_LIBS)

# Matching, the HEAD rule, 404/405 and the rules for adding routes, without a server.
check_PROGRAMS += tests/unit/test-srv-route
tests_unit_test_srv_route_LDADD = src/server/libsrv.la $(UNIT_LDADD)
TESTS += tests/unit/test-srv-route

# The three daemons through the core: one error shape, Allow, HEAD, the body limit.
TESTS += tests/bats/server-core.bats
EXTRA_DIST += tests/bats/server-core.bats

# Tokens, roles, audit and the exposure rule in the three daemons (lmcache-security(7)).
TESTS += tests/bats/auth-roles.bats
EXTRA_DIST += tests/bats/auth-roles.bats
TESTS += tests/bats/auth-clients.bats
EXTRA_DIST += tests/bats/auth-clients.bats
TESTS += tests/bats/auth-proxy.bats
EXTRA_DIST += tests/bats/auth-proxy.bats
TESTS += tests/bats/auth-tls.bats
EXTRA_DIST += tests/bats/auth-tls.bats

# lmcache-security(7), the model, and a test that runs each of its examples.
dist_man_MANS += man/lmcache-security.7
TESTS += tests/bats/man-security.bats
EXTRA_DIST += tests/bats/man-security.bats

# The token file's grammar and the order of roles.
check_PROGRAMS += tests/unit/test-srv-auth
tests_unit_test_srv_auth_CFLAGS = $(AM_CFLAGS) $(MHD_CFLAGS)
tests_unit_test_srv_auth_LDADD = src/server/libsrv.la $(UNIT_LDADD) $(GNUTLS_LIBS)
TESTS += tests/unit/test-srv-auth

# The core's own event loops: limits over all loops, handlers' descriptors on their loop.
check_PROGRAMS += tests/unit/test-srv-loop
tests_unit_test_srv_loop_SOURCES = tests/unit/test-srv-loop.c tests/unit/raw-http.c \
	tests/unit/raw-http.h
tests_unit_test_srv_loop_CFLAGS = $(AM_CFLAGS) $(MHD_CFLAGS) -I$(top_srcdir)/src/server
tests_unit_test_srv_loop_LDADD = src/server/libsrv.la $(UNIT_LDADD) $(GNUTLS_LIBS) $(PTHREAD_LIBS)
TESTS += tests/unit/test-srv-loop
