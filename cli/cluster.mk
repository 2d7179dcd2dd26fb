# The shared cluster walk (src/common/cluster.{c,h}, lmcctl's and lmcache-top's): a unit test
# against a real HTTP server playing a registry and frontends.
check_PROGRAMS += tests/unit/test-cluster
TESTS += tests/unit/test-cluster
tests_unit_test_cluster_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS) $(CURL_CFLAGS) $(MHD_CFLAGS)
tests_unit_test_cluster_LDADD = src/common/libcommon.la src/common/libutil.la $(MHD_LIBS)
