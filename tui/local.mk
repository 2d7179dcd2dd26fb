# tui: lmcache-top, the ncurses TUI. One file per tab (tab-*.c) in tab_table[] (tabs.c).
# See lmcache-top(1).
tui_tabs = tui/tab-overview.c tui/tab-metrics.c tui/tab-threads.c tui/tab-loglevel.c \
	tui/tab-config.c tui/tab-meta.c tui/tab-inference.c

bin_PROGRAMS += tui/lmcache-top
tui_lmcache_top_SOURCES = tui/top.h tui/draw.h tui/main.c tui/model.c tui/collect.c \
	tui/draw.c tui/frame.c tui/keys.c tui/list.c tui/prompt.c tui/action.c tui/tabs.c \
	tui/tab-table.c tui/hot.c tui/hot.h tui/summary.c tui/scrape.c $(tui_tabs)
tui_lmcache_top_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS) $(CURL_CFLAGS) $(NCURSES_CFLAGS) $(PTHREAD_CFLAGS)
tui_lmcache_top_LDADD = src/common/libcommon.la $(JANSSON_LIBS) $(CURL_LIBS) $(NCURSES_LIBS) \
	$(PTHREAD_LIBS) -lm

dist_man_MANS += man/lmcache-top.1

# Tests: tmux-driven bats tests against real local clusters.
EXTRA_DIST += tests/helpers/tui.bash tests/helpers/tui-cluster.bash \
	tests/fixtures/tui/once-frontend.py
tui_bats = tests/bats/tui-cluster.bats tests/bats/tui-screen.bats tests/bats/tui-bugs.bats \
	tests/bats/tui-profile.bats \
	tests/bats/tui-features.bats tests/bats/tui-lmcache.bats tests/bats/tui-keepalive.bats \
	tests/bats/tui-scrape.bats tests/bats/tui-memory.bats
TESTS += $(tui_bats)
EXTRA_DIST += $(tui_bats)

# lmcache-top on 2,000 nodes answering 110 KB versions (make bench).
bench_scripts += tests/bench/top-big.sh
EXTRA_DIST += tests/bench/top-big.sh

check_PROGRAMS += tests/unit/test-tui-model
tests_unit_test_tui_model_SOURCES = tests/unit/test-tui-model.c tui/model.c tui/summary.c \
	tui/scrape.c tui/top.h
tests_unit_test_tui_model_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS) $(PTHREAD_CFLAGS)
tests_unit_test_tui_model_LDADD = src/common/libcommon.la $(JANSSON_LIBS) $(PTHREAD_LIBS) -lm
TESTS += tests/unit/test-tui-model
