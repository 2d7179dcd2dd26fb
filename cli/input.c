/* Where a command's input comes from: standard input ("-" or "@-", read once), a file
 * ("@FILE"), or the argument itself; as curl's -d does. */
#include "config.h"
#include "cli.h"
#include "xalloc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static bool stdin_used;

static int read_stdin(struct buf *b, char **cause)
{
	char chunk[8192];
	ssize_t n;

	if (stdin_used) {
		*cause = xstrdup("standard input can be read only once");
		return -1;
	}
	stdin_used = true;
	while ((n = read(STDIN_FILENO, chunk, sizeof chunk)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			*cause = xasprintf("cannot read standard input: %s", strerror(errno));
			return -1;
		}
		buf_append(b, chunk, (size_t)n);
	}
	return 0;
}

char *input_text(const char *arg, char **cause)
{
	struct buf b = BUF_INIT;

	if (strcmp(arg, "-") == 0 || strcmp(arg, "@-") == 0) {
		if (read_stdin(&b, cause) < 0) {
			buf_free(&b);
			return NULL;
		}
	} else if (arg[0] == '@') {
		if (buf_read_file(&b, arg + 1) < 0) {
			*cause = xasprintf("cannot read %s: %s", arg + 1, strerror(errno));
			buf_free(&b);
			return NULL;
		}
	} else {
		buf_puts(&b, arg);
	}
	return buf_steal(&b);
}

char *input_file(const char *arg, char **cause)
{
	char *text, path[] = "/tmp/lmcctl-stdin.XXXXXX";
	int fd;
	size_t len;

	if (strcmp(arg, "-") != 0 && access(arg, R_OK) != 0) {
		*cause = xasprintf("cannot read %s: %s", arg, strerror(errno));
		return NULL;
	}
	if (strcmp(arg, "-") != 0)
		return xstrdup(arg);
	if ((text = input_text(arg, cause)) == NULL)
		return NULL;
	len = strlen(text);
	fd = mkstemp(path); /* 0600: a script may hold secrets */
	if (fd < 0 || write(fd, text, len) != (ssize_t)len) {
		*cause = xasprintf("cannot keep standard input in %s: %s", path, strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(path);
		}
		free(text);
		return NULL;
	}
	close(fd);
	free(text);
	return xstrdup(path);
}
