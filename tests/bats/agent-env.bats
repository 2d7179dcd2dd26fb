#!/usr/bin/env bats
# GET /env: the environment as text JSON, secrets redacted.

load ../helpers/common
load ../helpers/agent

setup() {
	lmc_setup
	export HF_TOKEN=hf_very_secret AWS_SECRET_ACCESS_KEY=aws_very_secret \
		DB_PASSWORD=pw_very_secret LMC_PLAIN_VALUE=visible-value
	agent_start_pair
}
teardown() { lmc_teardown_checked; }

@test "env: the environment as JSON, sorted by name, with secret-looking values redacted" {
	for via in unix tcp; do
		http $via GET /env
		assert_equal "$code" 200
		assert_equal "$ctype" application/json
		json_true 'keys_unsorted == keys' <"$T/body"
		json_true '.LMC_PLAIN_VALUE == "visible-value"' <"$T/body"
		json_true '.HF_TOKEN == "<redacted>" and .DB_PASSWORD == "<redacted>"' <"$T/body"
		json_true '.AWS_SECRET_ACCESS_KEY == "<redacted>"' <"$T/body"
		run grep -c very_secret "$T/body"
		assert_output 0
	done
}
