# libutil: dependency-free helpers, linked into liblmcagent and every program.
noinst_LTLIBRARIES += src/common/libutil.la
src_common_libutil_la_SOURCES = \
	src/common/xalloc.c src/common/xalloc.h \
	src/common/buf.c src/common/buf.h \
	src/common/strutil.c src/common/strutil.h \
	src/common/xthread.c src/common/xthread.h
check_PROGRAMS += tests/unit/test-strutil tests/unit/test-xthread
# libcurl only to compare str_percent_encode with curl_easy_escape.
tests_unit_test_strutil_CFLAGS = $(AM_CFLAGS) $(CURL_CFLAGS)
tests_unit_test_strutil_LDADD = $(UNIT_LDADD) $(CURL_LIBS)
TESTS += tests/unit/test-strutil
tests_unit_test_xthread_LDADD = $(UNIT_LDADD)
TESTS += tests/unit/test-xthread

# libcommon: what the programs share (HTTP client, cluster model, Prometheus text,
# heartbeat client). Each piece adds itself to common_sources below.
common_sources =
common_libadd =
include src/common/common.mk
noinst_LTLIBRARIES += src/common/libcommon.la
src_common_libcommon_la_SOURCES = $(common_sources)
src_common_libcommon_la_CFLAGS = $(AM_CFLAGS) $(CURL_CFLAGS) $(JANSSON_CFLAGS) $(SYSTEMD_CFLAGS)
src_common_libcommon_la_LIBADD = src/common/libutil.la $(CURL_LIBS) $(JANSSON_LIBS) $(common_libadd)
