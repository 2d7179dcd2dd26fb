#!/usr/bin/env bats
# GET /loglevel: list, read and set loggers.

load ../helpers/common
load ../helpers/agent

setup() { agent_setup; }
teardown() { lmc_teardown_checked; }

@test "loglevel: lists the lmcache.* loggers" {
	for via in unix tcp; do
		http $via GET /loglevel
		assert_equal "$code" 200
		[[ "$ctype" == text/plain* ]]
		assert_equal "$(head -1 "$T/body")" "=== Loggers and Levels ==="
		grep -Eq '^lmcache\.v1\.cache_engine: (DEBUG|INFO|WARNING|ERROR|CRITICAL)$' "$T/body"
	done
}

@test "loglevel: a set level is read back and inherited" {
	for via in unix tcp; do
		http $via GET '/loglevel?logger_name=lmcache.v1&level=debug'
		assert_equal "$code" 200
		assert_equal "$body" "Set lmcache.v1 level to DEBUG (including all handlers)"
		http $via GET '/loglevel?logger_name=lmcache.v1'
		assert_equal "$body" "lmcache.v1: DEBUG"
		http $via GET '/loglevel?logger_name=lmcache.v1.cache_engine'
		assert_equal "$body" "lmcache.v1.cache_engine: DEBUG"
	done
}

@test "loglevel: DEBUG really makes the engine log more" {
	run grep -c 'looked up' "$T/unix.log"
	assert_output 0
	http unix GET '/loglevel?logger_name=lmcache.v1.lookup_server&level=DEBUG'
	wait_until 10 grep -q 'looked up' "$T/unix.log"
}

@test "loglevel: an unknown level is a 400 and nothing changes" {
	http tcp GET '/loglevel?logger_name=lmcache&level=LOUD'
	assert_equal "$code" 400
	assert_equal "$body" "Invalid log level: LOUD"
	http tcp GET '/loglevel?logger_name=lmcache'
	[[ "$body" != *LOUD* ]]
	still_serving tcp
}
