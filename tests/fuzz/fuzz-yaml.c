/* libFuzzer target: an agent's YAML configuration file (src/agent/conf-yaml.c and the value
 * coercion behind it), loaded into a fresh agent from a memory file. */
#define _GNU_SOURCE
#include "config.h"
#include "lmcagent.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd = memfd_create("conf.yaml", MFD_CLOEXEC);
	char path[64], *why = NULL;
	lmca_agent *agent;

	if (fd < 0 || write(fd, data, size) != (ssize_t)size)
		abort();
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	if ((agent = lmca_agent_new(LMCA_ROLE_WORKER, 0, 1, &why)) == NULL)
		abort();
	lmca_agent_load_config_file(agent, path, &why);
	free(why);
	lmca_agent_free(agent);
	close(fd);
	return 0;
}
