#include "config.h"
#include "daemon-log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char *const names[] = { "error", "warn", "info", "debug" };
static enum log_level threshold = LOG_INFO;
static const char *program = "lmcache";
/* syslog priorities of the levels, for journald's "<N>" line prefix (sd-daemon(3)). */
static const int priorities[] = { 3, 4, 6, 7 };
static int journal = -1; /* stderr is journald's stream: 1, not: 0, unknown: -1 */

/* Whether stderr is the stream systemd named in JOURNAL_STREAM ("DEV:INODE"), as
 * sd_journal_stream_fd(3) documents; a redirected stderr inherits the variable, not the
 * stream, so the device and inode must match. */
static int stderr_is_journal(void)
{
	const char *env = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	if (env == NULL || sscanf(env, "%llu:%llu", &dev, &ino) != 2 || fstat(STDERR_FILENO, &st) < 0)
		return 0;
	return (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}

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
	journal = stderr_is_journal();
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	char stamp[32], line[1024];
	struct tm tm;
	time_t now = time(NULL);
	va_list ap;

	if (level > threshold)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	for (char *nl = line; (nl = strchr(nl, '\n')) != NULL;)
		*nl = ' '; /* one line per event, whatever the text holds */
	if (journal > 0) { /* journald stamps and names the line itself */
		fprintf(stderr, "<%d>%s: %s\n", priorities[level], names[level], line);
		return;
	}
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
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
