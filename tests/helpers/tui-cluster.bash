# lmcache-top against the local cluster of ../helpers/cluster (registry -> two frontends ->
# six demo nodes): loads common, cluster and tui, and gives the test file its setup and
# teardown. `load ../helpers/tui-cluster` is all a tests/bats file of this kind loads (the
# paths below are relative to it).
#
#   select_node NAME    selects NAME in the Overview by filtering the tree down to it

load ../helpers/common
load ../helpers/cluster
load ../helpers/tui

setup() {
	lmc_setup
	cluster_start
}

teardown() {
	tui_stop
	cluster_teardown
}

select_node() {
	tui_keys 1 / "$1" Enter
	tui_wait_re "selected: $1\$"
}
