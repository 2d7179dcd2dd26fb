/* Plugin discovery (order, recursion, missing locations) and interpreter resolution, on
 * real files in a temporary directory. */
#include "config.h"
#include "plugin-interp.h"
#include "plugin-scan.h"
#include "strutil.h"
#include "tap.h"
#include "xalloc.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[64];

static char *at(const char *rel) { return xasprintf("%s/%s", dir, rel); }

static void put(const char *rel, const char *text, int mode)
{
	char *p = at(rel);
	FILE *f = fopen(p, "w");

	fputs(text, f);
	fclose(f);
	chmod(p, (mode_t)mode);
	free(p);
}

static void mkd(const char *rel)
{
	char *p = at(rel);

	mkdir(p, 0700);
	free(p);
}

static void link_to(const char *target, const char *rel)
{
	char *p = at(rel);

	if (symlink(target, p) != 0)
		perror("symlink");
	free(p);
}

static void ok_which(const char *word, const char *path, bool found, const char *name)
{
	char *w = plugin_which(word, path);

	ok((w != NULL) == found, name);
	free(w);
}

static int warnings;
static char last_warning[512];

static void warn(void *arg, const char *msg)
{
	(void)arg;
	warnings++;
	snprintf(last_warning, sizeof last_warning, "%s", msg);
}

static void test_scan(void)
{
	char *d = at("p"), *one = at("p/b.sh"), *missing = at("nope");
	const char *locs[] = { d, missing, one };
	char **files;
	char *want[] = { at("p/a.py"), at("p/sub/deeper/z.py"), at("p/sub/y.py"),
		         at("p/b.sh"), at("p/sub/c.sh"), NULL };
	size_t n = 0;

	mkd("p"), mkd("p/sub"), mkd("p/sub/deeper"), mkd("p/sub/x.py");
	put("p/sub/y.py", "", 0644), put("p/a.py", "", 0644), put("p/sub/deeper/z.py", "", 0644);
	put("p/sub/c.sh", "", 0644), put("p/b.sh", "", 0644), put("p/readme.txt", "", 0644);
	put("p/sub/x.pyc", "", 0644);
	link_to(d, "p/sub/loop"); /* a link back up must not loop */
	files = plugin_scan(locs, 3, warn, NULL);
	while (files[n])
		n++;
	is_int(n, 5, "five plugin files (directories, other suffixes and duplicates left out)");
	for (size_t i = 0; i < 5 && i < n; i++)
		is_str(files[i], want[i], "*.py first, then *.sh, each sorted by path");
	is_int(warnings, 1, "a missing location is one warning");
	ok(strstr(last_warning, "nope") && strstr(last_warning, "does not exist"), "naming it");
	str_list_free(files);
	for (size_t i = 0; want[i]; i++)
		free(want[i]);
	free(d), free(one), free(missing);
}

/* The scripts test_interp_* run: suffixes, #! lines, and an executable interpreter. */
static void interp_files(void)
{
	char *local = at("i/tool"), *direct = xasprintf("#!%s -a  -b\n", local);

	mkd("i");
	put("i/x.py", "#!/usr/bin/env python3\nprint(1)\n", 0644);
	put("i/x.sh", "echo hi\n", 0644);
	put("i/x.rb", "#!/usr/bin/env no-such-interpreter-here\n", 0644);
	put("i/x.txt", "hello\n", 0644);
	put("i/bad.py", "#!/no/such/python -u\n", 0644);
	put("i/tool", "#!/bin/sh\n", 0755);
	put("i/direct.rb", direct, 0644);
	free(direct), free(local);
}

static void test_interp_shebang(void)
{
	char *path = getenv("PATH");
	char *py = at("i/x.py"), *sh = at("i/x.sh"), *rb = at("i/x.rb"), *bad = at("i/bad.py");
	char *warning = NULL, *cause = NULL;
	char **cmd;

	cmd = plugin_command(py, path, &warning, &cause);
	ok(cmd && str_ends_with(cmd[0], "/env") && strcmp(cmd[1], "python3") == 0 &&
	   strcmp(cmd[2], py) == 0 && cmd[3] == NULL, "#!/usr/bin/env python3 is split into words");
	ok(warning == NULL, "without a warning");
	str_list_free(cmd);

	cmd = plugin_command(sh, path, &warning, &cause);
	ok(cmd && str_ends_with(cmd[0], "/bash") && strcmp(cmd[1], sh) == 0, ".sh runs with bash");
	str_list_free(cmd);

	cmd = plugin_command(bad, path, &warning, &cause);
	ok(cmd && str_ends_with(cmd[0], "/python3") && strcmp(cmd[1], bad) == 0,
	   "an unresolved #! falls back to python3 for .py");
	ok(warning && strstr(warning, "/no/such/python"), "with a warning naming the interpreter");
	free(warning), warning = NULL;
	str_list_free(cmd);

	cmd = plugin_command(rb, path, &warning, &cause);
	ok(cmd == NULL && cause && strstr(cause, "not supported"),
	   "env with a missing program and no known suffix: a clear error");
	ok(warning && strstr(warning, "no-such-interpreter-here"),
	   "the warning names env's program");
	free(warning), free(cause);
	free(py), free(sh), free(rb), free(bad);
}

static void test_interp_other(void)
{
	char *path = getenv("PATH");
	char *py = at("i/x.py"), *txt = at("i/x.txt"), *local = at("i/tool");
	char *direct = at("i/direct.rb"), *cause = NULL;
	char **cmd;

	cmd = plugin_command(txt, path, NULL, &cause);
	ok(cmd == NULL && cause && strstr(cause, "'.txt'"), "no #! and an unknown suffix");
	free(cause), cause = NULL;

	cmd = plugin_command(py, "/nonexistent", NULL, &cause);
	ok(cmd == NULL && cause && strstr(cause, "No valid interpreter"),
	   "no interpreter on PATH at all");
	free(cause), cause = NULL;

	cmd = plugin_command(direct, path, NULL, &cause);
	ok(cmd && strcmp(cmd[0], local) == 0 && strcmp(cmd[1], "-a") == 0 &&
	   strcmp(cmd[2], "-b") == 0 && strcmp(cmd[3], direct) == 0 && cmd[4] == NULL,
	   "any suffix runs with a #! that resolves; its arguments are kept");
	str_list_free(cmd);

	ok_which("sh", "/nonexistent::/bin", true, "which searches PATH");
	ok_which("sh", "", false, "an empty PATH finds nothing");
	ok_which(txt, path, false, "a file that is not executable is no interpreter");
	free(py), free(txt), free(local), free(direct);
}

int main(void)
{
	char *cmd;

	snprintf(dir, sizeof dir, "/tmp/lmc-plugin-scan.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return 99;
	no_plan();
	test_scan();
	interp_files();
	test_interp_shebang();
	test_interp_other();
	cmd = xasprintf("rm -rf '%s'", dir);
	if (system(cmd) != 0)
		perror("rm");
	free(cmd);
	return done_testing();
}
