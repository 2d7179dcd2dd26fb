#include "config.h"
#include "daemon-log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static const char *const names[] = { "error", "warn", "info", "debug" };
static enum log_level threshold = LOG_INFO;
static const char *program = "lmcache";

int log_level_parse(const char *name)
{
	for (int i = 0; i < 4; i++)
		if (strcasecmp(name, names[i]) == 0)
			return i;
	if (strcasecmp(name, "warning") == 0)
		return LOG_WARN;
	return -1;
}

void log_setup(const char *name, enum log_level level)
{
	program = name;
	threshold = level;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	char stamp[32], line[1024];
	struct tm tm;
	time_t now = time(NULL);
	va_list ap;

	if (level > threshold)
		return;
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* One write per line, so lines from several threads do not interleave. */
	fprintf(stderr, "%s %s %s: %s\n", stamp, program, names[level], line);
}

void log_mhd(void *cls, const char *fmt, va_list ap)
{
	char line[512];

	(void)cls;
	vsnprintf(line, sizeof(line), fmt, ap);
	line[strcspn(line, "\n")] = '\0';
	log_debug("http: %s", line);
}
