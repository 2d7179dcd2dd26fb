/* loadgen: HTTP/1.1 keep-alive GET load over a unix socket or TCP, for the benchmarks
 * (wrk speaks TCP only). N connections spread over T threads, each thread one epoll loop,
 * one request in flight per connection, for a fixed duration. Prints one JSON line:
 * requests/s and latency percentiles. Non-2xx answers count as errors. */
#include "config.h"
#include "buf.h"
#include "http-resp.h"
#include "xalloc.h"

#include <errno.h>
#include <getopt.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

struct opts {
	const char *unix_path; /* or NULL for TCP */
	const char *host, *port;
	const char *path;
	int conns, threads;
	double duration;
};

struct conn {
	int fd;
	struct buf in;
	struct timespec sent;
};

struct worker {
	const struct opts *o;
	pthread_t tid;
	int nconn;
	struct conn *c;
	uint32_t *lat_us; /* one latency per completed request */
	size_t nlat, caplat;
	long errors, reconnects, failed_connects;
	long stalled; /* connections whose last request went unanswered for over a second */
};

static char *request;
static size_t request_len;
static struct timespec deadline;

static double ts_diff(const struct timespec *a, const struct timespec *b)
{
	return (double)(a->tv_sec - b->tv_sec) + (double)(a->tv_nsec - b->tv_nsec) / 1e9;
}

static int connect_unix(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof sa.sun_path)
		return -1;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int connect_tcp(const char *host, const char *port)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res;
	int fd, one = 1;

	if (getaddrinfo(host, port, &hints, &res) != 0)
		return -1;
	fd = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0 && connect(fd, res->ai_addr, res->ai_addrlen) < 0) {
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	/* Small requests on a keep-alive connection: do not let Nagle hold them back. */
	if (fd >= 0)
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	return fd;
}

static int open_conn(const struct opts *o)
{
	return o->unix_path ? connect_unix(o->unix_path) : connect_tcp(o->host, o->port);
}

static int send_request(struct conn *c)
{
	clock_gettime(CLOCK_MONOTONIC, &c->sent);
	return send(c->fd, request, request_len, MSG_NOSIGNAL) == (ssize_t)request_len ? 0 : -1;
}

static void record(struct worker *w, const struct conn *c)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (w->nlat == w->caplat) {
		w->caplat = w->caplat ? 2 * w->caplat : 4096;
		w->lat_us = xreallocarray(w->lat_us, w->caplat, sizeof *w->lat_us);
	}
	w->lat_us[w->nlat++] = (uint32_t)(ts_diff(&now, &c->sent) * 1e6);
}

static int add_conn(struct worker *w, int ep, struct conn *c)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = c };

	c->fd = open_conn(w->o);
	if (c->fd < 0) {
		w->failed_connects++;
		return -1;
	}
	buf_reset(&c->in);
	epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev);
	return send_request(c);
}

static void reconnect(struct worker *w, int ep, struct conn *c)
{
	close(c->fd);
	w->reconnects++;
	if (add_conn(w, ep, c) < 0 && c->fd >= 0) {
		close(c->fd);
		c->fd = -1;
	}
}

/* Consume every complete response in c's buffer; -1 when the connection must be redone. */
static int drain(struct worker *w, struct conn *c)
{
	int status;
	bool close_after;
	size_t len;

	while ((len = http_response_len(c->in.data, c->in.len, &status, &close_after)) > 0) {
		record(w, c);
		if (status < 200 || status > 299)
			w->errors++;
		memmove(c->in.data, c->in.data + len, c->in.len - len);
		c->in.len -= len;
		c->in.data[c->in.len] = '\0';
		if (close_after)
			return -1;
		if (send_request(c) < 0)
			return -1;
	}
	return 0;
}

static void on_readable(struct worker *w, int ep, struct conn *c)
{
	char chunk[65536];
	ssize_t n = read(c->fd, chunk, sizeof chunk);

	if (n <= 0) {
		if (n < 0 && errno == EINTR)
			return;
		w->errors++;
		reconnect(w, ep, c);
		return;
	}
	buf_append(&c->in, chunk, (size_t)n);
	if (drain(w, c) < 0)
		reconnect(w, ep, c);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	int ep = epoll_create1(EPOLL_CLOEXEC);
	struct epoll_event evs[64];
	struct timespec now;

	for (int i = 0; i < w->nconn; i++)
		add_conn(w, ep, &w->c[i]);
	for (;;) {
		int n = epoll_wait(ep, evs, 64, 50);

		for (int i = 0; i < n; i++)
			on_readable(w, ep, evs[i].data.ptr);
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (ts_diff(&now, &deadline) >= 0)
			break;
	}
	for (int i = 0; i < w->nconn; i++) {
		if (w->c[i].fd < 0)
			continue;
		if (ts_diff(&now, &w->c[i].sent) > 1.0)
			w->stalled++;
		close(w->c[i].fd);
	}
	close(ep);
	return NULL;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

static double pct_ms(const uint32_t *v, size_t n, double p)
{
	size_t i = (size_t)(p * (double)(n - 1) + 0.5);

	return n ? v[i] / 1000.0 : 0;
}

static void report(const struct opts *o, struct worker *w, double secs)
{
	size_t n = 0, k = 0;
	long errors = 0, reconnects = 0, failed = 0, stalled = 0;
	uint32_t *all;

	for (int t = 0; t < o->threads; t++)
		n += w[t].nlat;
	all = xcalloc(n ? n : 1, sizeof *all);
	for (int t = 0; t < o->threads; t++) {
		if (w[t].nlat)
			memcpy(all + k, w[t].lat_us, w[t].nlat * sizeof *all);
		k += w[t].nlat;
		errors += w[t].errors;
		reconnects += w[t].reconnects;
		failed += w[t].failed_connects;
		stalled += w[t].stalled;
	}
	qsort(all, n, sizeof *all, cmp_u32);
	printf("{\"transport\":\"%s\",\"path\":\"%s\",\"connections\":%d,\"threads\":%d,"
	       "\"seconds\":%.2f,\"requests\":%zu,\"errors\":%ld,\"reconnects\":%ld,"
	       "\"failed_connects\":%ld,\"stalled\":%ld,\"rps\":%.0f,\"p50_ms\":%.3f,\"p90_ms\":%.3f,"
	       "\"p99_ms\":%.3f,\"max_ms\":%.3f}\n",
	       o->unix_path ? "unix" : "tcp", o->path, o->conns, o->threads, secs, n, errors,
	       reconnects, failed, stalled, (double)n / secs, pct_ms(all, n, 0.5), pct_ms(all, n, 0.9),
	       pct_ms(all, n, 0.99), pct_ms(all, n, 1.0));
	free(all);
}

static void usage(FILE *f)
{
	fputs("usage: loadgen (-u SOCKET | -t HOST:PORT) [-c CONNS] [-T THREADS] [-d SECONDS] "
	      "PATH\n  HTTP/1.1 keep-alive GETs of PATH; prints one JSON line (rps, latency "
	      "percentiles)\n", f);
}

static int parse_target(struct opts *o, char *hostport)
{
	char *colon = strrchr(hostport, ':');

	if (!colon)
		return -1;
	*colon = '\0';
	o->host = hostport;
	o->port = colon + 1;
	return 0;
}

static int parse_args(struct opts *o, int argc, char **argv)
{
	int c;

	while ((c = getopt(argc, argv, "u:t:c:T:d:h")) != -1) {
		switch (c) {
		case 'u': o->unix_path = optarg; break;
		case 't': if (parse_target(o, optarg) < 0) return -1; break;
		case 'c': o->conns = atoi(optarg); break;
		case 'T': o->threads = atoi(optarg); break;
		case 'd': o->duration = atof(optarg); break;
		case 'h': usage(stdout); exit(0);
		default: return -1;
		}
	}
	if (optind != argc - 1 || (!o->unix_path == !o->host) || o->conns < 1 ||
	    o->threads < 1 || o->duration <= 0)
		return -1;
	o->path = argv[optind];
	if (o->threads > o->conns)
		o->threads = o->conns;
	return 0;
}

static int probe(const struct opts *o)
{
	int fd = open_conn(o);

	if (fd < 0) {
		fprintf(stderr, "loadgen: cannot connect to %s%s%s: %s\n",
		        o->unix_path ? o->unix_path : o->host, o->unix_path ? "" : ":",
		        o->unix_path ? "" : o->port, strerror(errno));
		return -1;
	}
	close(fd);
	return 0;
}

/* The workers stop at start + duration seconds. */
static void set_deadline(const struct timespec *start, double duration)
{
	deadline = *start;
	deadline.tv_sec += (time_t)duration;
	deadline.tv_nsec += (long)((duration - (double)(time_t)duration) * 1e9);
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}
}

int main(int argc, char **argv)
{
	struct opts o = { .conns = 16, .threads = 1, .duration = 5 };
	struct worker *w;
	struct timespec start, end;

	if (parse_args(&o, argc, argv) < 0) {
		usage(stderr);
		return 2;
	}
	if (probe(&o) < 0)
		return 1;
	request = xasprintf("GET %s HTTP/1.1\r\nHost: localhost\r\nUser-Agent: loadgen\r\n\r\n",
	                    o.path);
	request_len = strlen(request);
	w = xcalloc((size_t)o.threads, sizeof *w);
	clock_gettime(CLOCK_MONOTONIC, &start);
	set_deadline(&start, o.duration);
	for (int t = 0; t < o.threads; t++) {
		w[t].o = &o;
		w[t].nconn = o.conns / o.threads + (t < o.conns % o.threads);
		w[t].c = xcalloc((size_t)w[t].nconn, sizeof *w[t].c);
		pthread_create(&w[t].tid, NULL, worker_main, &w[t]);
	}
	for (int t = 0; t < o.threads; t++)
		pthread_join(w[t].tid, NULL);
	clock_gettime(CLOCK_MONOTONIC, &end);
	report(&o, w, ts_diff(&end, &start));
	for (int t = 0; t < o.threads; t++) {
		for (int i = 0; i < w[t].nconn; i++)
			buf_free(&w[t].c[i].in);
		free(w[t].c);
		free(w[t].lat_us);
	}
	free(w);
	free(request);
	return 0;
}
