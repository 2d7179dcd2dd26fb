#!/usr/bin/env bats
# The agent writes reals as the shortest text that reads back the same (0.9, not
# 0.90000000000000002), as Python's json.dumps does on LMCache's nodes.

load ../helpers/common
load ../helpers/agent

setup() { agent_setup --instance-id floats; }
teardown() { lmc_teardown_checked; }

@test "floats: /conf answers a stored 0.9 as 0.9" {
	for via in unix tcp; do
		http $via POST /conf -d '{"max_local_cpu_size": 0.9}'
		assert_equal "$code" 200
		grep -Eq '"max_local_cpu_size": ?0\.9([,}[:space:]]|$)' "$T/body"
		http $via GET '/conf?names=max_local_cpu_size'
		assert_equal "$code" 200
		grep -Eq '"max_local_cpu_size": ?0\.9([,}[:space:]]|$)' "$T/body"
		! grep -q '0\.9000' "$T/body"
		json_true '.max_local_cpu_size == 0.9' <"$T/body"
		http $via GET /conf
		grep -Eq '"max_local_cpu_size": ?0\.9([,}[:space:]]|$)' "$T/body"
	done
}

@test "floats: a whole-number float stays a float (5.0), a third keeps 16 digits" {
	http unix GET '/conf?names=max_local_cpu_size'
	grep -Eq '"max_local_cpu_size": ?5\.0([,}[:space:]]|$)' "$T/body"
	http unix POST /conf -d '{"max_local_cpu_size": 0.3333333333333333}'
	http unix GET '/conf?names=max_local_cpu_size'
	grep -Eq '"max_local_cpu_size": ?0\.3333333333333333([,}[:space:]]|$)' "$T/body"
}

@test "floats: /inference_info relays the host's 0.9 as 0.9" {
	http unix GET /inference_info
	assert_equal "$code" 200
	grep -Eq '"gpu_memory_utilization": ?0\.9([,}[:space:]]|$)' "$T/body"
	! grep -q '0\.9000' "$T/body"
}
