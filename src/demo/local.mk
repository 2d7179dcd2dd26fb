# lmcache-demo-node: a host program embedding liblmcagent (src/demo/).
bin_PROGRAMS += src/demo/lmcache-demo-node
src_demo_lmcache_demo_node_SOURCES = src/demo/main.c src/demo/node.c src/demo/engine.c \
	src/demo/host.c src/demo/script.c src/demo/busy.c src/demo/demo.h
src_demo_lmcache_demo_node_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)
# -export-dynamic: /threads names the demo's own functions (demo_worker_loop).
src_demo_lmcache_demo_node_LDFLAGS = $(AM_LDFLAGS) -export-dynamic
src_demo_lmcache_demo_node_LDADD = src/agent/liblmcagent.la src/common/libutil.la \
	$(JANSSON_LIBS) $(PTHREAD_LIBS) -lm
dist_man_MANS += man/lmcache-demo-node.1
