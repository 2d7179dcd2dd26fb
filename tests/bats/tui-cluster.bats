#!/usr/bin/env bats
# lmcache-top in tmux against a local cluster (registry -> two frontends -> six demo nodes):
# every tab shows the cluster's data, keys set a log level and a config value, filtering,
# a node killed while the screen is open.

bats_require_minimum_version 1.5.0
load ../helpers/tui-cluster

@test "overview: the tree of both frontends and all six nodes, up, with version and metrics" {
	tui_start
	tui_wait "registry $REGISTRY_URL"
	tui_wait_re 'inst2_worker1 +worker +up +0\.1\.0-demo'
	# rates (hit tokens/s, retrieves/s) once two scrapes are in
	for n in "${NODES[@]}"; do
		tui_wait_re "$n +(scheduler|worker) +up +0\.1\.0-demo +[0-9.]+% +[0-9.kM]+ +[0-9.kM]+ "
	done
	assert_regex "$(tui_screen)" "frontend $FE1_URL"
	assert_regex "$(tui_screen)" "frontend $FE2_URL"
	# the tree: one last branch; the first frontend's rail runs past its three nodes
	assert_equal "$(tui_screen | grep -cE '^ (└─|`-) frontend ')" 1
	assert_equal "$(tui_screen | grep -cE '^ (│|\|)  (├─|└─|\|-|`-) inst')" 3
	# workers report their cache usage in bytes
	assert_regex "$(tui_line 'inst1_worker0 ')" '[0-9.]+ (MiB|GiB|KiB)'
	# the selected node's details
	tui_wait 'selected: inst1_scheduler'
	tui_wait_re 'host localhost +port .*/inst1_scheduler\.sock +instance inst1 +role scheduler'
	tui_wait_re 'version 0\.1\.0-demo +lmcache 0\.1\.0'
}

@test "overview: / filters the tree; the cursor chooses the node" {
	tui_start
	tui_wait_re 'inst2_worker1 +worker +up'
	tui_keys / inst2 Enter
	tui_wait 'filter: inst2'
	tui_wait_gone 'inst1_worker0'
	assert_regex "$(tui_screen)" 'inst2_scheduler'
	assert_regex "$(tui_screen)" 'inst2_worker0'
	tui_wait 'selected: inst2_scheduler'
	tui_keys j
	tui_wait 'selected: inst2_worker0'
	tui_keys Escape
	tui_wait 'inst1_worker0'
}

@test "metrics: families grouped, rates, sparklines of the main series, filter" {
	tui_start
	select_node inst1_worker0
	tui_keys 2
	tui_wait 'node inst1_worker0  up  worker'
	tui_wait_re '^ lmcache$'
	tui_wait 'lmcache:num_hit_tokens_total  (counter) Total number of tokens hit in lmcache'
	tui_wait_re 'lmcache:num_retrieve_requests_total\{.* +[0-9.kM]+ +[0-9.kM]+/s$'
	for s in 'hit rate' 'hit tokens/s' 'retrieves/s' 'cache usage'; do
		assert_regex "$(tui_screen)" " $s "
	done
	tui_keys / time_to_store Enter
	tui_wait 'filter: time_to_store'
	tui_wait_gone 'num_hit_tokens_total'
	assert_regex "$(tui_screen)" '(▸|\+) lmcache:time_to_store  \(histogram\)'
	# collapsed: quantiles per series; Enter on the family expands it to its buckets
	assert_regex "$(tui_line 'FAMILY / SERIES')" 'VALUE +RATE +P50 P90 P99'
	# count, its rate once two scrapes are in, and the quantiles
	tui_wait_re 'lmcache:time_to_store\{.* [0-9]+ +[0-9.kM]+/s +[0-9.e-]+[kM]? [0-9.e-]+[kM]? [0-9.e-]+[kM]? *$'
	run ! grep -q 'time_to_store_bucket' <<<"$(tui_screen)"
	tui_keys Enter
	tui_wait 'lmcache:time_to_store_bucket{'
	tui_keys Enter
	tui_wait_gone 'lmcache:time_to_store_bucket{'
}

@test "threads: name, state, cpu; Enter shows the stack" {
	tui_start
	select_node inst1_worker1
	tui_keys 3
	tui_wait_re '[0-9]+ +MHD-worker +[a-z]+ +[0-9.]+ '
	tui_wait 'lmc-worker-1'
	tui_wait 'CPU%'
	# after two answers: CPU% since the previous one, then CPU seconds
	tui_wait_re 'lmc-worker-1 +[a-z]+ +[0-9]+\.[0-9] +[0-9]+\.[0-9]+ '
	tui_keys / lmc-worker Enter
	tui_wait 'filter: lmc-worker'
	tui_wait_gone 'MHD-worker'
	tui_keys Enter
	tui_wait_re 'stack of thread [0-9]+ \(lmc-worker-1\)'
	tui_wait_re '#0 +'
	tui_keys Escape
	tui_wait_gone 'stack of thread'
}

@test "loglevel: choosing a level with keys sets it, visible through lmcctl" {
	tui_start
	select_node inst2_worker0
	tui_keys 4
	tui_wait_re 'lmcache\.v1\.cache_engine +WARNING'
	tui_keys / cache_engine Enter
	tui_wait 'filter: cache_engine'
	tui_keys Enter
	tui_wait 'level of lmcache.v1.cache_engine'
	tui_keys k k Enter   # WARNING -> INFO -> DEBUG
	tui_wait 'Set logger lmcache.v1.cache_engine on inst2_worker0 to DEBUG? [y/N]'
	tui_keys y
	tui_wait 'Set lmcache.v1.cache_engine level to DEBUG'
	tui_wait_re 'lmcache\.v1\.cache_engine +DEBUG'
	run lmcctl --no-headers log-level lmcache.v1.cache_engine
	assert_success
	assert_line --regexp '^inst2_worker0 +lmcache\.v1\.cache_engine +DEBUG +ok$'
	# the other nodes keep their level
	assert_equal "$(echo "$output" | grep -cE ' WARNING +ok$')" 5
}

@test "loglevel: n (no) at the confirmation sends nothing" {
	tui_start
	tui_keys 4
	tui_wait_re '^ root +WARNING'
	tui_keys Enter
	tui_wait 'level of root'
	tui_keys k Enter n
	tui_wait 'cancelled'
	run curl -sS --unix-socket "$(cluster_sock inst1_scheduler)" 'http://localhost/loglevel?logger_name=root'
	assert_output 'root: WARNING'
}

@test "config: a mutable key is set; an immutable one shows the server's error" {
	tui_start
	select_node inst1_worker0
	tui_keys 5
	tui_wait_re 'max_local_cpu_size +5\.0'
	tui_keys / max_local_cpu Enter
	tui_wait 'filter: max_local_cpu'
	tui_keys Enter
	tui_wait 'max_local_cpu_size = 5.0'
	tui_keys C-u 2.5 Enter
	tui_wait 'Set max_local_cpu_size = 2.5 on inst1_worker0? [y/N]'
	tui_keys y
	tui_wait 'max_local_cpu_size = 2.5: updated'
	tui_wait_re 'max_local_cpu_size +2\.5'
	run curl -sS --unix-socket "$(cluster_sock inst1_worker0)" 'http://localhost/conf?names=max_local_cpu_size'
	assert_output --partial '2.5'
	tui_keys / C-u chunk_size Enter
	tui_wait_re 'chunk_size +256'
	tui_keys Enter C-u 512 Enter y
	tui_wait 'Config is not mutable at runtime'
	run curl -sS --unix-socket "$(cluster_sock inst1_worker0)" 'http://localhost/conf?names=chunk_size'
	assert_output --partial '256'
}

@test "meta and inference show the node's engine" {
	tui_start
	select_node inst2_worker1
	tui_keys 6
	tui_wait_re 'model_name +meta-llama/Llama-3\.1-8B-Instruct'
	tui_wait_re 'worker_id +1$'
	tui_wait_re 'kv_shape +\[32,2,256,8,128\]'
	tui_keys 7
	tui_wait_re 'vllm_version +[0-9.]+'
	tui_wait_re 'model_config\.max_model_len +[0-9]+'
	tui_keys Tab
	tui_wait 'HIT RATE'    # Tab wraps around to Overview
	tui_wait 'selected: inst2_worker1'
	tui_keys Escape 6 '['  # the previous node, from another tab
	tui_wait ' node inst2_worker0 '
	tui_wait_re 'worker_id +0$'
	tui_keys ']' ']'
	tui_wait ' node inst1_scheduler '   # wraps around
	tui_wait_re 'worker_id +-1$'
}

@test "--frontend shows that frontend's nodes only" {
	LMCACHE_REGISTRY= tui_start --frontend "$FE2_URL"
	tui_wait "frontend $FE2_URL"
	tui_wait_re 'inst2_worker1 +worker +up'
	assert_regex "$(tui_screen)" 'nodes 3, 3 up'
	run ! grep -q inst1_ <<<"$(tui_screen)"
}

@test "a node killed while the screen is open is shown down, the others stay up" {
	tui_start
	select_node inst2_worker1
	tui_keys 3
	tui_wait 'MHD-worker'
	tui_keys 1 Escape
	tui_wait_re 'inst2_worker0 +worker +up'
	cluster_kill inst2_worker1
	tui_wait_re 'inst2_worker1 +worker +down'
	assert_regex "$(tui_line 'inst2_worker0 ')" 'inst2_worker0 +worker +up'
	assert_regex "$(tui_screen)" 'nodes 6, 5 up'
	tui_wait_re 'selected: inst2_worker1$'
	# the reason its frontend's merged /metrics gives
	tui_wait_re 'answered .* error: .*unreachable'
	# its tab keeps the last answer, and says so
	tui_keys 3
	tui_wait_re 'Threads: HTTP 502 \(showing the answer of [0-9]+s ago\)'
	assert_regex "$(tui_screen)" 'MHD-worker'
}

@test "--readonly: no mutating action is sent" {
	tui_start --readonly
	tui_wait '[read-only]'
	tui_keys 4
	tui_wait_re '^ root +WARNING'
	tui_keys Enter
	tui_wait 'read-only: log levels cannot be set'
	tui_keys 5
	tui_wait_re 'chunk_size +256'
	tui_keys Enter
	tui_wait 'read-only: configuration cannot be changed'
}

@test "a hung node shows as stale or down, and keys still work at once" {
	tui_start
	tui_wait_re 'inst1_worker1 +worker +up'
	cluster_hang inst1_worker1
	tui_wait_re 'inst1_worker1 +worker +(stale|down)'
	# the screen answers keys while the collector waits on the hung node
	tui_keys 6
	tui_wait ' node inst1_scheduler '
	tui_keys 1 / inst1_worker1 Enter
	tui_wait_re 'answered .* error: .*(imeout|HTTP 50[24])'
	kill -CONT "$(cluster_pid inst1_worker1)"
	tui_wait_re 'inst1_worker1 +worker +up'
}

@test "a frontend that crashes: its error on its line, its nodes gone, the others up" {
	tui_start
	tui_wait_re 'inst1_worker1 +worker +up'
	kill -KILL "$(cat "$T/fe-fe1.pid")" # no deregistration: the registry still lists it
	tui_wait_re "frontend $FE1_URL +.*(onnect|refused)"
	tui_wait_re 'inst1_worker1 +worker +gone'
	tui_wait_re 'inst1_scheduler +scheduler +gone'
	assert_regex "$(tui_line 'inst2_worker1 ')" 'inst2_worker1 +worker +up'
	assert_equal "$(tui_screen | grep -c "frontend $FE1_URL")" 1
	assert_regex "$(tui_screen)" 'nodes 3, 3 up, 3 gone'
}

@test "a frontend that stops deregisters: its nodes are gone" {
	tui_start
	tui_wait_re 'inst1_worker1 +worker +up'
	kill -TERM "$(cat "$T/fe-fe1.pid")"
	tui_wait_re 'inst1_worker1 +worker +gone'
	assert_regex "$(tui_line 'inst2_worker1 ')" 'inst2_worker1 +worker +up'
}

@test "--url shows one node, its role from its name" {
	LMCACHE_REGISTRY= tui_start --url "$FE1_URL/proxy2/inst1_worker0"
	tui_wait "node $FE1_URL/proxy2/inst1_worker0"
	tui_wait_re "$FE1_URL/proxy2/inst1_worker0 +worker +up "
	assert_regex "$(tui_screen)" 'nodes 1, 1 up'
	tui_keys 6
	tui_wait_re 'worker_id +0$'
}

@test "lmcache-top(1)'s examples: a cluster read-only every 5 s; one node on its socket" {
	tui_start --registry "$REGISTRY_URL" --readonly -d 5
	tui_wait '[read-only]'
	tui_wait 'every 5s'
	tui_wait_re 'inst2_worker1 +worker +up'
	tui_stop
	LMCACHE_REGISTRY= tui_start --socket "$(cluster_sock inst1_worker0)"
	tui_wait 'nodes 1, 1 up'
	tui_wait_re "$(cluster_sock inst1_worker0) +- +up"
}
