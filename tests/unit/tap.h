/* A minimal TAP producer for the C unit tests (parsed by automake's tap-driver.sh).
 * Usage: plan(N) or no_plan(); ok(cond, "name"); is_int(a, b, "name"); is_str(a, b, "name");
 * return done_testing(); */
#ifndef LMC_UNIT_TAP_H
#define LMC_UNIT_TAP_H

#include <stdio.h>
#include <string.h>

static int tap_count, tap_failed, tap_planned;

static inline void plan(int n) { tap_planned = n; printf("1..%d\n", n); }
static inline void no_plan(void) { tap_planned = -1; }

static inline int tap_result(int pass, const char *file, int line, const char *name)
{
	tap_count++;
	printf("%sok %d - %s\n", pass ? "" : "not ", tap_count, name);
	if (!pass) {
		tap_failed++;
		printf("#   Failed test '%s'\n#   at %s line %d.\n", name, file, line);
	}
	fflush(stdout);
	return pass;
}

#define ok(cond, name) tap_result(!!(cond), __FILE__, __LINE__, (name))

#define is_int(got, want, name)                                                         \
	do {                                                                            \
		long long g_ = (long long)(got), w_ = (long long)(want);                \
		if (!tap_result(g_ == w_, __FILE__, __LINE__, (name)))                  \
			printf("#          got: %lld\n#     expected: %lld\n", g_, w_); \
	} while (0)

#define is_str(got, want, name)                                                           \
	do {                                                                              \
		const char *g_ = (got), *w_ = (want);                                     \
		int same_ = (g_ == NULL && w_ == NULL) ||                                 \
			    (g_ != NULL && w_ != NULL && strcmp(g_, w_) == 0);            \
		if (!tap_result(same_, __FILE__, __LINE__, (name)))                       \
			printf("#          got: '%s'\n#     expected: '%s'\n",              \
			       g_ ? g_ : "(null)", w_ ? w_ : "(null)");                   \
	} while (0)

static inline int done_testing(void)
{
	if (tap_planned < 0)
		printf("1..%d\n", tap_count);
	return tap_failed ? 1 : 0;
}

#endif
