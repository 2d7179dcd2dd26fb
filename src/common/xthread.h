/* Threads: a condition variable whose timed waits take CLOCK_MONOTONIC deadlines, so a wall
 * clock step (NTP, an operator) neither cuts a wait short nor stretches it. */
#ifndef LMC_COMMON_XTHREAD_H
#define LMC_COMMON_XTHREAD_H

#include <pthread.h>

void cond_init_monotonic(pthread_cond_t *c);

#endif
