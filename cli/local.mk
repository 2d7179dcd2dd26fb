# cli: lmcctl, one file per command (cmd-*.c) in the table of commands.c. See lmcctl(1).
lmcctl_commands = \
	cli/cmd-nodes.c cli/cmd-version.c cli/cmd-health.c cli/cmd-metrics.c \
	cli/cmd-threads.c cli/cmd-log-level.c cli/cmd-set-log-level.c \
	cli/cmd-config-get.c cli/cmd-config-set.c cli/cmd-config-diff.c \
	cli/cmd-meta.c cli/cmd-inference.c cli/cmd-env.c cli/cmd-run-script.c \
	cli/cmd-plugins.c cli/cmd-profile.c cli/cmd-diagnose.c cli/cmd-call.c \
	cli/cmd-completion.c cli/cmd-help.c cli/cmd-wait.c cli/cmd-context.c

# Everything but main.c, so unit tests can link the pure parts.
noinst_LTLIBRARIES += cli/liblmcctl.la
cli_liblmcctl_la_SOURCES = cli/lmcctl.h cli/cli.h cli/commands.c cli/run.c cli/cluster.c \
	cli/options.c cli/select.c cli/fanout.c cli/batch.c cli/report.c cli/output.c cli/output-yaml.c \
	cli/simple.c cli/changes.c cli/input.c cli/context.c \
	$(lmcctl_commands)
cli_liblmcctl_la_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS) $(CURL_CFLAGS) $(YAML_CFLAGS)
cli_liblmcctl_la_LIBADD = src/common/libcommon.la $(JANSSON_LIBS) $(CURL_LIBS) $(YAML_LIBS)

bin_PROGRAMS += cli/lmcctl
cli_lmcctl_SOURCES = cli/main.c
cli_lmcctl_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)
cli_lmcctl_LDADD = cli/liblmcctl.la

# Bash and zsh completion, generated from the command table by the lmcctl just built.
bashcompdir = $(datadir)/bash-completion/completions
bashcomp_DATA = cli/completion/lmcctl
cli/completion/lmcctl: cli/lmcctl$(EXEEXT)
	$(AM_V_GEN)$(MKDIR_P) cli/completion && ./cli/lmcctl$(EXEEXT) completion bash >$@.tmp && mv $@.tmp $@
zshcompdir = $(datadir)/zsh/vendor-completions
zshcomp_DATA = cli/completion/_lmcctl
cli/completion/_lmcctl: cli/lmcctl$(EXEEXT)
	$(AM_V_GEN)$(MKDIR_P) cli/completion && ./cli/lmcctl$(EXEEXT) completion zsh >$@.tmp && mv $@.tmp $@
CLEANFILES += cli/completion/lmcctl cli/completion/_lmcctl

dist_man_MANS += man/lmcctl.1

# Tests: unit tests of the pure parts and of the shared pieces lmcctl brought to libcommon
# (http-multi, nodelist, agentfmt); bats tests against real local clusters.
lmcctl_units = tests/unit/test-cli tests/unit/test-cli-parsers tests/unit/test-cli-http
check_PROGRAMS += $(lmcctl_units)
TESTS += $(lmcctl_units)
tests_unit_test_cli_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS) -I$(top_srcdir)/cli
tests_unit_test_cli_LDADD = cli/liblmcctl.la
tests_unit_test_cli_parsers_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)
tests_unit_test_cli_parsers_LDADD = src/common/libcommon.la src/common/libutil.la
tests_unit_test_cli_http_CFLAGS = $(AM_CFLAGS) $(MHD_CFLAGS)
tests_unit_test_cli_http_LDADD = src/common/libcommon.la src/common/libutil.la $(MHD_LIBS)


lmcctl_bats = tests/bats/lmcctl-cluster.bats tests/bats/lmcctl-commands.bats \
	tests/bats/lmcctl-usage.bats tests/bats/lmcctl-lmcache.bats tests/bats/lmcctl-nginx.bats \
	tests/bats/lmcctl-runbook.bats tests/bats/lmcctl-examples.bats \
	tests/bats/lmcctl-profile.bats tests/bats/lmcctl-diagnose.bats
TESTS += $(lmcctl_bats)
EXTRA_DIST += $(lmcctl_bats) tests/helpers/cluster.bash tests/helpers/outliers.bash \
	tests/fixtures/lmcctl/lmcache-node/version.json \
	tests/fixtures/lmcctl/lmcache-node/healthcheck.json \
	tests/fixtures/lmcctl/lmcache-node/threads.txt tests/fixtures/lmcctl/lmcache-node/loglevel.txt \
	tests/fixtures/lmcctl/lmcache-node/conf.txt tests/fixtures/lmcctl/lmcache-node/meta.txt \
	tests/fixtures/lmcctl/lmcache-node/metrics.txt
