# src/discovery: lmcache-discovery, the registry (see HACKING.md and lmcache-discovery(8)).
# The pieces without the HTTP server form a small library the unit tests link.
noinst_LTLIBRARIES += src/discovery/libdiscovery.la
src_discovery_libdiscovery_la_SOURCES = \
	src/discovery/entry.c src/discovery/entry.h \
	src/discovery/listing.c src/discovery/listing.h \
	src/discovery/table.c src/discovery/table.h \
	src/discovery/log.c src/discovery/log.h \
	src/discovery/options.c src/discovery/options.h \
	src/discovery/store.c src/discovery/store.h \
	src/discovery/store-memory.c src/discovery/store-memory.h \
	src/discovery/store-file.c \
	src/discovery/store-etcd.c \
	src/discovery/etcd-codec.c src/discovery/etcd-codec.h
src_discovery_libdiscovery_la_CFLAGS = $(AM_CFLAGS) $(CURL_CFLAGS) $(JANSSON_CFLAGS)
src_discovery_libdiscovery_la_LIBADD = src/common/libcommon.la $(CURL_LIBS) $(JANSSON_LIBS) \
	$(PTHREAD_LIBS)

sbin_PROGRAMS += src/discovery/lmcache-discovery
src_discovery_lmcache_discovery_SOURCES = \
	src/discovery/main.c src/discovery/discovery.h \
	src/discovery/server.c src/discovery/server.h \
	src/discovery/ep-heartbeat.c src/discovery/ep-infos.c src/discovery/ep-self.c
src_discovery_lmcache_discovery_CFLAGS = $(AM_CFLAGS) $(MHD_CFLAGS) $(CURL_CFLAGS) \
	$(JANSSON_CFLAGS)
src_discovery_lmcache_discovery_LDADD = src/discovery/libdiscovery.la $(MHD_LIBS) $(CURL_LIBS) \
	$(JANSSON_LIBS) $(PTHREAD_LIBS)
