/* Plugin discovery: locations to an ordered list of files. */
#include "config.h"
#include "plugin-scan.h"
#include "strutil.h"
#include "xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct list {
	char **v;
	size_t n;
};

static void list_add(struct list *l, char *s)
{
	l->v = xreallocarray(l->v, l->n + 2, sizeof *l->v);
	l->v[l->n++] = s;
	l->v[l->n] = NULL;
}

static int cmp_path(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Adds the regular files under dir ending in suffix to l (any order). */
static void walk(const char *dir, const char *suffix, struct list *l)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		struct stat lst, st;
		char *p;

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		p = xasprintf("%s/%s", dir, e->d_name);
		if (lstat(p, &lst) == 0 && S_ISDIR(lst.st_mode)) {
			walk(p, suffix, l);
		} else if (str_ends_with(e->d_name, suffix) && stat(p, &st) == 0 &&
		           S_ISREG(st.st_mode)) {
			list_add(l, p);
			continue;
		}
		free(p);
	}
	closedir(d);
}

static void add_directory(const char *dir, struct list *out)
{
	static const char *const suffixes[] = { ".py", ".sh" };

	for (size_t i = 0; i < 2; i++) {
		struct list found = { NULL, 0 };

		walk(dir, suffixes[i], &found);
		if (found.n > 0)
			qsort(found.v, found.n, sizeof *found.v, cmp_path);
		for (size_t j = 0; j < found.n; j++)
			list_add(out, found.v[j]);
		free(found.v);
	}
}

/* Drops later copies of a file (same device and inode) from l. */
static void dedupe(struct list *l)
{
	struct stat *ids = xcalloc(l->n ? l->n : 1, sizeof *ids);
	size_t kept = 0;

	for (size_t i = 0; i < l->n; i++) {
		bool dup = false;

		if (stat(l->v[i], &ids[kept]) != 0)
			memset(&ids[kept], 0, sizeof ids[kept]);
		else
			for (size_t j = 0; j < kept && !dup; j++)
				dup = ids[j].st_dev == ids[kept].st_dev &&
				      ids[j].st_ino == ids[kept].st_ino;
		if (dup)
			free(l->v[i]);
		else
			l->v[kept++] = l->v[i];
	}
	l->n = kept;
	if (l->v)
		l->v[kept] = NULL;
	free(ids);
}

char **plugin_scan(const char *const *locations, size_t n, plugin_warn_fn warn, void *arg)
{
	struct list out = { NULL, 0 };

	for (size_t i = 0; i < n; i++) {
		struct stat st;
		char *msg;

		if (stat(locations[i], &st) != 0) {
			msg = xasprintf("Runtime plugin location %s does not exist", locations[i]);
			warn(arg, msg);
			free(msg);
		} else if (S_ISDIR(st.st_mode)) {
			add_directory(locations[i], &out);
		} else {
			list_add(&out, xstrdup(locations[i]));
		}
	}
	dedupe(&out);
	if (out.v == NULL)
		out.v = xcalloc(1, sizeof *out.v);
	return out.v;
}
