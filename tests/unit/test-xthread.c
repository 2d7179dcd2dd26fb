/* Unit test of cond_init_monotonic: its timed waits take CLOCK_MONOTONIC deadlines. */
#include "config.h"
#include "tap.h"
#include "xthread.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <time.h>

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond;
static bool signalled;

static void *signal_later(void *arg)
{
	struct timespec pause = { 0, 20 * 1000 * 1000 };

	(void)arg;
	nanosleep(&pause, NULL);
	pthread_mutex_lock(&mu);
	signalled = true;
	pthread_cond_signal(&cond);
	pthread_mutex_unlock(&mu);
	return NULL;
}

/* A deadline a minute ahead on the monotonic clock lies decades in the past on the wall
 * clock: a wall-clock condition variable would time out at once, before the signal. */
static int wait_monotonic(int seconds)
{
	struct timespec until;
	int rc = 0;

	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += seconds;
	pthread_mutex_lock(&mu);
	while (!signalled && rc == 0)
		rc = pthread_cond_timedwait(&cond, &mu, &until);
	pthread_mutex_unlock(&mu);
	return rc;
}

int main(void)
{
	pthread_t t;

	plan(2);
	cond_init_monotonic(&cond);
	pthread_create(&t, NULL, signal_later, NULL);
	is_int(wait_monotonic(60), 0, "a monotonic deadline a minute ahead waits for the signal");
	pthread_join(t, NULL);
	signalled = false;
	is_int(wait_monotonic(-1), ETIMEDOUT, "a monotonic deadline in the past times out");
	pthread_cond_destroy(&cond);
	return done_testing();
}
