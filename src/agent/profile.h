/* The sampling profiler behind GET /profile (ep-profile.c): every thread's stack sampled
 * hz times a second for some seconds through the stack capture signal (stacks.c), names
 * resolved once at the end (symbols.c). Running threads are counted apart from off-CPU
 * (sleeping, waiting) ones. */
#ifndef LMC_AGENT_PROFILE_H
#define LMC_AGENT_PROFILE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#define PROFILE_MAX_SECONDS 30 /* well under a frontend's proxy timeout (60 s) */
#define PROFILE_MAX_HZ 1000

/* One distinct stack and how many samples saw it. names[0] is the thread's name, then the
 * functions from the outermost to the innermost (where the thread was). */
struct prof_stack {
	char **names;
	int n;
	long count;
};

struct prof_result {
	int seconds, hz;
	long ticks;   /* sampling rounds done */
	long late;    /* rounds skipped because the previous one overran its period */
	long dropped; /* samples not kept: the table of distinct stacks was full */
	struct prof_stack *on, *off; /* running threads, off-CPU threads */
	size_t non, noff;
};

/* ---- profile.c ---- */
/* Claims the one profile of the process; false when one is running. */
bool profile_begin(void);
void profile_end(void);
/* Samples every thread but the caller's for seconds at hz with signal signo. */
struct prof_result *profile_run(int signo, int seconds, int hz);
void prof_result_free(struct prof_result *r);

/* ---- profile-report.c (pure) ---- */
/* Samples in the stacks. */
long prof_samples(const struct prof_stack *s, size_t n);
/* Brendan Gregg's folded format: "thread;outer;...;inner count" per line, identical lines
 * merged, sorted. Caller frees. */
char *prof_folded(const struct prof_stack *s, size_t n);
/* [{"function", "self", "total"}] by self, then total, descending: self counts samples
 * where the function is innermost, total those where it is anywhere (once per sample). */
json_t *prof_functions(const struct prof_stack *s, size_t n);
/* A frame name safe in a folded line (no ';', spaces or control characters). Caller
 * frees. */
char *prof_frame_name(const char *name);

#endif
