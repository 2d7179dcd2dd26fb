/* GET /loglevel: list every logger, read one (logger_name), or set one (logger_name and
 * level). Levels shown are effective levels (after inheritance), so a child that follows
 * its parent shows the level it actually logs at rather than NOTSET. Reading a logger
 * that does not exist answers NOTSET, as LMCache does, but creates nothing: a read-only
 * request must not make the node grow. Names are written with their control characters
 * escaped, so a name cannot forge lines (docs/protocol.md 3.2 and 7). */
#include "config.h"
#include "host-hooks.h"
#include "buf.h"
#include "strutil.h"
#include "xalloc.h"

#include <ctype.h>
#include <stdlib.h>

static char *upper_copy(const char *s)
{
	char *u = xstrdup(s);

	for (char *p = u; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	return u;
}

static void add_line(void *arg, const char *name, lmca_level effective)
{
	char *safe = str_escape_ctl(name);

	buf_printf(arg, "%s: %s\n", safe, lmca_level_name(effective));
	free(safe);
}

static void list_levels(lmca_agent *agent, lmca_response *res)
{
	struct buf b = BUF_INIT;

	buf_puts(&b, "=== Loggers and Levels ===\n");
	log_tree_foreach(agent, add_line, &b);
	respond_owned(res, 200, NULL, buf_steal(&b));
}

static void set_level(lmca_agent *agent, const char *name, const char *text,
                      lmca_response *res)
{
	lmca_level level;
	char *upper, *safe;

	if (lmca_level_parse(text, &level) < 0) {
		safe = str_escape_ctl(text);
		respond_owned(res, 400, NULL, xasprintf("Invalid log level: %s", safe));
		free(safe);
		return;
	}
	lmca_logger_set_level(lmca_logger_get(agent, name), level);
	upper = upper_copy(text);
	safe = str_escape_ctl(name);
	respond_owned(res, 200, NULL,
	              xasprintf("Set %s level to %s (including all handlers)", safe, upper));
	free(safe);
	free(upper);
}

static void get_level(lmca_agent *agent, const char *name, lmca_response *res)
{
	lmca_logger *logger = log_tree_find(agent, name);
	char *safe = str_escape_ctl(name);

	respond_owned(res, 200, NULL,
	              xasprintf("%s: %s", safe,
	                        lmca_level_name(logger ? lmca_logger_effective_level(logger)
	                                               : LMCA_LOG_NOTSET)));
	free(safe);
}

static void get_loglevel(lmca_agent *agent, const lmca_request *req, lmca_response *res)
{
	const char *name = lmca_request_arg(req, "logger_name");
	const char *level = lmca_request_arg(req, "level");

	if (host_loglevel(agent, req, res))
		return;
	if ((name == NULL || *name == '\0') && (level == NULL || *level == '\0')) {
		list_levels(agent, res);
	} else if (name == NULL || *name == '\0') {
		/* LMCache's handler falls through and FastAPI answers its None as null */
		respond_owned(res, 200, "application/json", xstrdup("null"));
	} else if (level == NULL || *level == '\0') {
		get_level(agent, name, res);
	} else {
		set_level(agent, name, level, res);
	}
}

static const struct endpoint endpoints[] = {
	{ "GET", "/loglevel", get_loglevel, SRV_ROLE_VIEWER, "level" }, /* setting: operator */
	{ 0 },
};

const struct endpoint_family ep_loglevel = { "loglevel", endpoints };
