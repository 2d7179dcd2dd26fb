/* Interpreter resolution. LMCache looks the whole "#!" text up as one program name, so
 * "#!/usr/bin/env python3" never resolves there; here the line is split into words. */
#include "config.h"
#include "plugin-interp.h"
#include "strutil.h"
#include "xalloc.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SHEBANG_MAX 1024
#define SPACE " \t\r\n"

static bool is_executable_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

char *plugin_which(const char *word, const char *search_path)
{
	char **dirs;
	char *found = NULL;

	if (word == NULL || *word == '\0')
		return NULL;
	if (strchr(word, '/') != NULL)
		return is_executable_file(word) ? xstrdup(word) : NULL;
	if (search_path == NULL || *search_path == '\0')
		return NULL;
	dirs = str_split(search_path, ':', NULL);
	for (char **d = dirs; *d && found == NULL; d++) {
		char *cand = xasprintf("%s/%s", **d ? *d : ".", word);

		if (is_executable_file(cand))
			found = cand;
		else
			free(cand);
	}
	str_list_free(dirs);
	return found;
}

/* The words after "#!" on the first line of path, or NULL when there is no such line. */
static char **shebang_words(const char *path, size_t *n)
{
	char line[SHEBANG_MAX];
	char **words = xcalloc(SHEBANG_MAX / 2 + 2, sizeof *words);
	FILE *f = fopen(path, "re");
	char *save = NULL;

	*n = 0;
	if (f == NULL || fgets(line, sizeof line, f) == NULL || strncmp(line, "#!", 2) != 0) {
		if (f)
			fclose(f);
		free(words);
		return NULL;
	}
	fclose(f);
	for (char *w = strtok_r(line + 2, SPACE, &save); w; w = strtok_r(NULL, SPACE, &save))
		words[(*n)++] = xstrdup(w);
	return words;
}

/* For "env [options] program", the program env would run (NULL when there is none). */
static const char *env_program(char **words, size_t n)
{
	const char *base = strrchr(words[0], '/');

	base = base ? base + 1 : words[0];
	if (strcmp(base, "env") != 0)
		return NULL;
	for (size_t i = 1; i < n; i++)
		if (words[i][0] != '-' && strchr(words[i], '=') == NULL)
			return words[i];
	return NULL;
}

/* The "#!" command with its interpreter resolved, or NULL with *warning saying why not. */
static char **shebang_command(const char *path, const char *search_path, size_t *n,
                              char **warning)
{
	char **words = shebang_words(path, n);
	const char *prog;
	char *exe, *inner = NULL;

	if (words == NULL)
		return NULL;
	exe = *n > 0 ? plugin_which(words[0], search_path) : NULL;
	prog = exe && *n > 1 ? env_program(words, *n) : NULL;
	if (exe != NULL && (prog == NULL || (inner = plugin_which(prog, search_path)) != NULL)) {
		free(inner);
		free(words[0]);
		words[0] = exe;
		return words;
	}
	if (warning)
		*warning = xasprintf("interpreter '%s' of its #! line not found",
		                     *n == 0 ? "" : exe && prog ? prog : words[0]);
	free(exe);
	str_list_free(words);
	return NULL;
}

static const char *suffix_of(const char *path)
{
	const char *base = strrchr(path, '/');
	const char *dot;

	base = base ? base + 1 : path;
	dot = strrchr(base, '.');
	return dot && dot != base ? dot : "";
}

/* python3 or python for .py, bash for .sh: a one-word command, or NULL with *cause. */
static char **default_command(const char *path, const char *search_path, char **cause)
{
	static const char *const py[] = { "python3", "python", NULL };
	static const char *const sh[] = { "bash", NULL };
	const char *suffix = suffix_of(path);
	bool is_py = strcmp(suffix, ".py") == 0;
	const char *const *cands = is_py ? py : strcmp(suffix, ".sh") == 0 ? sh : NULL;
	char **cmd;

	if (cands == NULL) {
		*cause = xasprintf("Plugin type '%s' not supported (use .py, .sh or a #! line)",
		                   suffix);
		return NULL;
	}
	cmd = xcalloc(3, sizeof *cmd);
	for (; *cands; cands++)
		if ((cmd[0] = plugin_which(*cands, search_path)) != NULL)
			return cmd;
	free(cmd);
	*cause = xasprintf("No valid interpreter found (tried %s)",
	                   is_py ? "python3, python" : "bash");
	return NULL;
}

char **plugin_command(const char *path, const char *search_path, char **warning, char **cause)
{
	size_t n = 0;
	char **cmd = shebang_command(path, search_path, &n, warning);
	char *why = NULL;

	if (cmd == NULL) {
		n = 1;
		cmd = default_command(path, search_path, &why);
	}
	if (cmd == NULL) {
		if (cause)
			*cause = why;
		else
			free(why);
		return NULL;
	}
	cmd = xreallocarray(cmd, n + 2, sizeof *cmd);
	cmd[n] = xstrdup(path);
	cmd[n + 1] = NULL;
	return cmd;
}
