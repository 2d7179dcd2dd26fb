/* The token file's grammar and the order of roles (src/server/srv-token.c). */
#include "config.h"
#include "auth.h"
#include "tap.h"

#include <stdlib.h>
#include <string.h>

struct seen {
	int n;
	enum srv_role last;
	char name[64];
};

static void add(void *arg, const char *tok, enum srv_role r, const char *name, int line)
{
	struct seen *s = arg;

	(void)tok, (void)line;
	s->n++;
	s->last = r;
	strcpy(s->name, name ? name : "(none)");
}

static int parse(const char *text, struct seen *s, char **why)
{
	memset(s, 0, sizeof *s);
	*why = NULL;
	return srv_tokens_parse(text, "f", add, s, why);
}

static void refused(const char *text, const char *want)
{
	struct seen s;
	char *why;

	ok(parse(text, &s, &why) < 0 && why && strstr(why, want), want);
	free(why);
}

int main(void)
{
	struct seen s;
	char *why;

	no_plan();
	ok(parse("# c\n\n  0123456789abcdef viewer\n0123456789abcdefX agent fe1\n", &s, &why) == 0,
	   "comments, blank lines, two tokens");
	is_int(s.n, 2, "two entries");
	ok(s.last == SRV_ROLE_AGENT && strcmp(s.name, "fe1") == 0, "role and name");
	refused("short viewer\n", "16 to 256");
	refused("0123456789abcdef root\n", "unknown role 'root'");
	refused("0123456789abcdef\n", "line 1: expected");
	refused("\n0123456789abcdef viewer a b\n", "line 2: expected");
	ok(srv_role_allows(SRV_ROLE_OPERATOR, SRV_ROLE_VIEWER), "operator may view");
	ok(!srv_role_allows(SRV_ROLE_VIEWER, SRV_ROLE_OPERATOR), "viewer may not operate");
	ok(!srv_role_allows(SRV_ROLE_OPERATOR, SRV_ROLE_ADMIN), "operator is no admin");
	ok(srv_role_allows(SRV_ROLE_ADMIN, SRV_ROLE_AGENT), "admin may heartbeat");
	ok(!srv_role_allows(SRV_ROLE_AGENT, SRV_ROLE_VIEWER), "agent may not read");
	ok(!srv_role_allows(SRV_ROLE_OPERATOR, SRV_ROLE_AGENT), "operator may not heartbeat");
	ok(!srv_role_allows(SRV_ROLE_DEFAULT, SRV_ROLE_VIEWER), "no role, nothing");
	ok(srv_role_parse("admin") == SRV_ROLE_ADMIN && srv_role_parse("none") == SRV_ROLE_DEFAULT,
	   "role names");
	return done_testing();
}
