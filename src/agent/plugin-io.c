/* The supervisor's reading side: a plugin's output lines and its shim's reports. */
#include "config.h"
#include "plugin.h"
#include "xalloc.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A line longer than this is logged in pieces, so a plugin cannot grow the host's memory. */
#define LINE_MAX_LEN 16384

static void log_line(lmca_logger *log, struct plugin *p, const char *s, size_t n)
{
	if (n > 0 && s[n - 1] == '\r')
		n--;
	lmca_log(log, LMCA_LOG_INFO, "[%s] %.*s", p->path, (int)n, s);
}

/* Logs every complete line in p->out_line and keeps the rest. */
static void log_complete_lines(lmca_logger *log, struct plugin *p)
{
	struct buf *b = &p->out_line;
	size_t start = 0;
	char *nl;

	while ((nl = memchr(b->data + start, '\n', b->len - start)) != NULL) {
		log_line(log, p, b->data + start, (size_t)(nl - (b->data + start)));
		start = (size_t)(nl - b->data) + 1;
	}
	if (b->len - start >= LINE_MAX_LEN) {
		log_line(log, p, b->data + start, b->len - start);
		start = b->len;
	}
	if (start > 0) {
		struct buf rest = BUF_INIT;

		buf_append(&rest, b->data + start, b->len - start);
		buf_free(b);
		*b = rest;
	}
}

bool plugin_read_output(lmca_logger *log, struct plugin *p, bool at_eof)
{
	char chunk[4096];
	ssize_t n;

	while (p->out_fd >= 0) {
		n = read(p->out_fd, chunk, sizeof chunk);
		if (n > 0) {
			buf_append(&p->out_line, chunk, (size_t)n);
			log_complete_lines(log, p);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN && !at_eof)
			return true;
		close(p->out_fd);
		p->out_fd = -1;
	}
	if (p->out_line.len > 0)
		log_line(log, p, p->out_line.data, p->out_line.len);
	buf_reset(&p->out_line);
	return false;
}

/* One report line of the shim: "pid N", "exit STATUS" or "spawn-error ERRNO". */
static void status_report(lmca_logger *log, struct plugin *p, const char *line)
{
	long v;

	if (sscanf(line, "pid %ld", &v) == 1) {
		p->pid = (pid_t)v;
	} else if (sscanf(line, "exit %ld", &v) == 1) {
		p->exit_reported = true;
		p->exit_code = plugin_exit_code((int)v);
	} else if (sscanf(line, "spawn-error %ld", &v) == 1) {
		free(p->error);
		p->error = xasprintf("cannot execute %s: %s", p->cmd[0], strerror((int)v));
		p->exit_reported = true;
		p->exit_code = 127;
		lmca_log(log, LMCA_LOG_ERROR,
		         "Failed to launch plugin %s: %s", p->path, p->error);
	}
}

bool plugin_read_status(lmca_logger *log, struct plugin *p)
{
	char chunk[256];
	ssize_t n;
	char *nl;

	for (;;) {
		n = read(p->status_fd, chunk, sizeof chunk);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return true;
		if (n <= 0)
			break;
		buf_append(&p->status_line, chunk, (size_t)n);
		while ((nl = memchr(p->status_line.data, '\n', p->status_line.len)) != NULL) {
			struct buf rest = BUF_INIT;

			*nl = '\0';
			status_report(log, p, p->status_line.data);
			buf_append(&rest, nl + 1,
			           p->status_line.len - (size_t)(nl + 1 - p->status_line.data));
			buf_free(&p->status_line);
			p->status_line = rest;
		}
	}
	close(p->status_fd);
	p->status_fd = -1;
	buf_reset(&p->status_line);
	return false;
}
