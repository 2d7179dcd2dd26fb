/* GET /conf answers from a cached rendering: every way the host (or a plugin through it)
 * changes the store must show in the very next GET /conf. Each case first GETs /conf so the
 * cache is warm, changes the store one way, and GETs again; a writer that does not move the
 * store's change counter fails its case. (POST /conf: tests/bats/agent-conf.bats.) */
#include "config.h"
#include "lmcagent.h"
#include "raw-http.h"
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static lmca_agent *agent;
static int port;

static char *get_conf(void)
{
	char *r = raw_http(port, "GET", "/conf");

	if (r == NULL || strstr(r, "200 OK") == NULL) {
		printf("Bail out! GET /conf: %s\n", r ? r : "no answer");
		exit(1);
	}
	return r;
}

/* Warms the cache, runs change(), and checks the next GET /conf holds want. */
static void after(void (*change)(void), const char *want, const char *name)
{
	char *r = get_conf();

	printf("# %s\n", name);
	ok(strstr(r, want) == NULL, "not there before");
	free(r);
	change();
	r = get_conf();
	ok(strstr(r, want) != NULL, "seen by the next GET /conf");
	if (strstr(r, want) == NULL)
		printf("# wanted %s in:\n# %s\n", want, r);
	free(r);
}

static void load_yaml(const char *text)
{
	char path[] = "/tmp/lmc-conf-cache-XXXXXX";
	int fd = mkstemp(path);
	char *cause = NULL;

	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text) ||
	    lmca_agent_load_config_file(agent, path, &cause) < 0) {
		printf("Bail out! load %s: %s\n", path, cause ? cause : "write failed");
		exit(1);
	}
	close(fd);
	unlink(path);
}

static void set_known(void) { lmca_conf_set(agent, "chunk_size", "512", NULL); }
static void register_new(void)
{
	lmca_conf_register(agent, "cache_test_new", LMCA_CONF_STRING, "\"fresh\"", true, NULL);
}
static void load_known(void) { load_yaml("chunk_size: 1024\n"); }
static void load_unknown(void) { load_yaml("cache_test_loaded: 7\n"); }
static void load_unknown_again(void) { load_yaml("cache_test_loaded: 8\n"); }
static void adopt_loaded(void)
{
	lmca_conf_register(agent, "cache_test_loaded", LMCA_CONF_FLOAT, "1", true, NULL);
}

static int refuse(lmca_agent *a, const char *key, const char *value_json, void *arg,
                  char **cause)
{
	char *r = get_conf(); /* renders the refused value while it is in the store */

	(void)a, (void)key, (void)value_json, (void)arg;
	free(r);
	*cause = strdup("no");
	return -1;
}

static void refused_set(void)
{
	lmca_conf_on_change(agent, "chunk_size", refuse, NULL, NULL);
	lmca_conf_set(agent, "chunk_size", "4096", NULL);
}

int main(void)
{
	char *r;

	no_plan();
	agent = lmca_agent_new(LMCA_ROLE_SCHEDULER, -1, 1, NULL);
	lmca_conf_set(agent, "internal_api_server_enabled", "true", NULL);
	lmca_conf_set(agent, "internal_api_server_port_start", "0", NULL);
	lmca_conf_register(agent, "chunk_size", LMCA_CONF_INT, "256", true, NULL);
	if (lmca_agent_start(agent, NULL) < 0 || (port = lmca_agent_bound_port(agent)) <= 0) {
		printf("Bail out! the agent does not start\n");
		return 1;
	}
	after(set_known, "\"chunk_size\": 512", "lmca_conf_set");
	after(register_new, "\"cache_test_new\": \"fresh\"", "lmca_conf_register of a new key");
	after(load_known, "\"chunk_size\": 1024", "a config file sets a registered key");
	after(load_unknown, "\"cache_test_loaded\": 7", "a config file adds an unknown key");
	after(load_unknown_again, "\"cache_test_loaded\": 8", "a config file changes it");
	after(adopt_loaded, "\"cache_test_loaded\": 8.0", "registering a loaded key retypes it");
	refused_set();
	r = get_conf();
	ok(strstr(r, "\"chunk_size\": 1024") != NULL && strstr(r, "4096") == NULL,
	   "a refused change, rendered while in the store, is rolled back in the next GET");
	free(r);
	lmca_agent_free(agent);
	return done_testing();
}
