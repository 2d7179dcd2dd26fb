/* GET /loglevel: list every logger, read one (logger_name), or set one (logger_name and
 * level). Levels shown are effective levels (after inheritance), so a child that follows
 * its parent shows the level it actually logs at rather than NOTSET. */
#include "config.h"
#include "host-hooks.h"
#include "buf.h"
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
	buf_printf(arg, "%s: %s\n", name, lmca_level_name(effective));
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
	char *upper, *msg;

	if (lmca_level_parse(text, &level) < 0) {
		msg = xasprintf("Invalid log level: %s", text);
		respond_owned(res, 400, NULL, msg);
		return;
	}
	lmca_logger_set_level(lmca_logger_get(agent, name), level);
	upper = upper_copy(text);
	respond_owned(res, 200, NULL,
	              xasprintf("Set %s level to %s (including all handlers)", name, upper));
	free(upper);
}

static void get_loglevel(lmca_agent *agent, const lmca_request *req, lmca_response *res)
{
	const char *name = lmca_request_arg(req, "logger_name");
	const char *level = lmca_request_arg(req, "level");
	lmca_logger *logger;

	if (host_loglevel(agent, req, res))
		return;
	if ((name == NULL || *name == '\0') && (level == NULL || *level == '\0')) {
		list_levels(agent, res);
	} else if (name == NULL || *name == '\0') {
		lmca_respond_error(res, 400, "Bad Request", "level needs logger_name");
	} else if (level == NULL || *level == '\0') {
		logger = lmca_logger_get(agent, name);
		respond_owned(res, 200, NULL,
		              xasprintf("%s: %s", name,
		                        lmca_level_name(lmca_logger_effective_level(logger))));
	} else {
		set_level(agent, name, level, res);
	}
}

static const struct endpoint endpoints[] = {
	{ "GET", "/loglevel", get_loglevel, SRV_ROLE_VIEWER },
	{ 0 },
};

const struct endpoint_family ep_loglevel = { "loglevel", endpoints };
