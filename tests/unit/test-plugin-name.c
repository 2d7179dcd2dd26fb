/* The plugin name grammar (docs/protocol.md section 4), as a table: which process runs which
 * file. */
#include "config.h"
#include "plugin-name.h"
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>

#define S LMCA_ROLE_SCHEDULER
#define W LMCA_ROLE_WORKER

static const struct {
	const char *path;
	lmca_role role;
	int worker_id;
	bool runs;
} cases[] = {
	/* one part: every process */
	{ "foo.py", S, -1, true },
	{ "foo.py", W, 0, true },
	{ "foo.sh", W, 7, true },
	{ "/a/b_c/plain.sh", S, -1, true }, /* directories do not count */
	{ "noext", W, 1, true },
	/* first part: all or the role */
	{ "all_plugin.sh", S, -1, true },
	{ "all_plugin.sh", W, 3, true },
	{ "scheduler_x.py", S, -1, true },
	{ "scheduler_x.py", W, 0, false },
	{ "worker_x.py", W, 0, true },
	{ "worker_x.py", S, -1, false },
	{ "foo_bar.py", S, -1, false },
	{ "foo_bar.py", W, 0, false },
	{ "workers_x.py", W, 0, false },
	{ "_x.py", W, 0, false },
	/* two parts: the digits are a name, not a worker id */
	{ "worker_0.py", W, 0, true },
	{ "worker_0.py", W, 1, true },
	{ "worker_5.sh", W, 2, true },
	{ "all_0.sh", S, -1, true },
	/* three parts and digits: one worker id only */
	{ "all_0_x.sh", W, 0, true },
	{ "all_0_x.sh", W, 1, false },
	{ "all_0_x.sh", S, -1, false },
	{ "worker_0_stats.py", W, 0, true },
	{ "worker_0_stats.py", W, 10, false },
	{ "worker_10_stats.py", W, 10, true },
	{ "worker_007_stats.py", W, 7, true },
	{ "scheduler_0_x.py", S, -1, false }, /* the scheduler's id is -1, never 0 */
	{ "worker_1_a_b_c.py", W, 1, true },
	{ "worker_99999999999999999999999_x.py", W, 0, false },
	{ "worker_-1_x.py", W, 0, true }, /* "-1" is not all digits: no id filter */
	{ "all_1x_y.sh", W, 0, true },
	{ "all__y.sh", W, 0, true }, /* empty second part is not digits */
	/* case-insensitive */
	{ "ALL_plugin.SH", W, 0, true },
	{ "Worker_0_Stats.py", W, 0, true },
	{ "SCHEDULER_x.py", S, -1, true },
	{ "Foo_Bar.py", W, 0, false },
	/* the stem drops only the last extension; a leading dot is part of the name */
	{ "worker_x.tar.py", W, 0, true },
	{ "foo.bar_x.py", W, 0, false },
	{ ".hidden_x.sh", W, 0, false },
	{ ".sh", W, 0, true },
};

int main(void)
{
	static const struct {
		const char *path, *stem;
	} stems[] = {
		{ "/x/y/All_0_Foo.sh", "all_0_foo" }, { "a.b.c", "a.b" }, { ".sh", ".sh" },
		{ "x.", "x." },                        { "dir/", "" },      { "plain", "plain" },
	};
	char name[256];

	no_plan();
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *why = NULL;
		bool runs = plugin_eligible(cases[i].path, cases[i].role, cases[i].worker_id, &why);

		snprintf(name, sizeof name, "%s %s on %s %d", cases[i].path,
		         cases[i].runs ? "runs" : "is skipped",
		         cases[i].role == S ? "scheduler" : "worker",
		         cases[i].worker_id);
		ok(runs == cases[i].runs, name);
		ok(runs ? why == NULL : why != NULL, "a skip says why");
	}
	for (size_t i = 0; i < sizeof stems / sizeof stems[0]; i++) {
		char *stem = plugin_stem(stems[i].path);

		is_str(stem, stems[i].stem, stems[i].path);
		free(stem);
	}
	return done_testing();
}
