/* lmcache-top: options, then the screen loop. The loop sleeps in poll() on the terminal and
 * on a pipe the collector writes after each round, so it wakes for a key, a new round or
 * the clock (once a second), never to spin. */
#include "config.h"
#include "top.h"
#include "hot.h"
#include "client-auth.h"
#include "xalloc.h"

#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <locale.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
	got_signal = sig;
}

static void usage(FILE *f)
{
	fputs("Usage: lmcache-top [options]\n"
	      "  --registry URL         the cluster's registry (default: $LMCACHE_REGISTRY)\n"
	      "  --frontend URL         one frontend instead of a registry\n"
	      "  --socket PATH          one node on a unix socket\n"
	      "  --url URL              one node at a URL (e.g. <frontend>/proxy2/<node>)\n"
	      "  -d, --delay SECONDS    refresh interval (default 2)\n"
	      "  --max-iterations N     exit after N refreshes (tests, scripts)\n"
	      "  --readonly             no mutating actions (log levels, config)\n"
	      "  --no-color             no colours (also when NO_COLOR is set)\n"
	      "  --no-unicode           ASCII lines and sparklines only\n"
	      "  --no-mouse             leave the mouse to the terminal (select and paste)\n"
	      "  --token-file FILE      bearer token to send (default: $LMCACHE_TOKEN)\n"
	      "  --cacert FILE          CA certificates for https addresses\n"
	      "  --cert FILE --key FILE client certificate (mutual TLS)\n"
	      "  -h, --help, -V, --version\n"
	      "Keys: press ? or F1 inside for the key table. See lmcache-top(1).\n",
	      f);
}

static int bad_usage(char *msg)
{
	fprintf(stderr, "lmcache-top: %s (try --help)\n", msg);
	free(msg);
	return 2;
}

static int number(const char *s, double min, double max, double *v)
{
	char *end;

	*v = strtod(s, &end);
	return end != s && *end == '\0' && *v >= min && *v <= max ? 0 : -1;
}

static const struct option long_opts[] = {
	{ "registry", required_argument, NULL, 'r' },
	{ "frontend", required_argument, NULL, 'f' },
	{ "socket", required_argument, NULL, 's' },
	{ "url", required_argument, NULL, 'u' },
	{ "delay", required_argument, NULL, 'd' },
	{ "max-iterations", required_argument, NULL, 'm' },
	{ "readonly", no_argument, NULL, 'R' },
	{ "no-color", no_argument, NULL, 'C' },
	{ "no-colour", no_argument, NULL, 'C' },
	{ "no-unicode", no_argument, NULL, 'U' },
	{ "no-mouse", no_argument, NULL, 'M' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ "token-file", required_argument, NULL, 'T' },
	{ "cacert", required_argument, NULL, 'A' },
	{ "cert", required_argument, NULL, 'c' },
	{ "key", required_argument, NULL, 'k' },
	{ NULL, 0, NULL, 0 },
};

/* --token-file, --cacert, --cert, --key (lmcache-security(7)). */
static const char *auth_opt[4];

/* What holds without options: NO_COLOR, LMCACHE_REGISTRY. */
static void defaults(struct topts *o)
{
	const char *nc = getenv("NO_COLOR");

	*o = (struct topts){ .color = nc == NULL || *nc == '\0', .unicode = true, .mouse = true,
			     .delay = 2.0 };
	o->src.registry = getenv("LMCACHE_REGISTRY");
	if (o->src.registry != NULL && *o->src.registry == '\0')
		o->src.registry = NULL;
}

/* One option; 0, or the exit status of a usage error. */
static int apply_opt(struct topts *o, int c, char **argv)
{
	double v;

	switch (c) {
	case 'r': o->src.registry = optarg; break;
	case 'f': o->src.frontend = optarg; break;
	case 's': o->src.socket = optarg; break;
	case 'u': o->src.url = optarg; break;
	case 'd':
		if (number(optarg, 0.1, 3600, &o->delay) < 0)
			return bad_usage(xasprintf("bad --delay %s: seconds, 0.1 to 3600", optarg));
		break;
	case 'm':
		if (number(optarg, 1, 1e9, &v) < 0)
			return bad_usage(xasprintf("bad --max-iterations %s: a number >= 1", optarg));
		o->max_iterations = (long)v;
		break;
	case 'R': o->readonly = true; break;
	case 'C': o->color = false; break;
	case 'U': o->unicode = false; break;
	case 'M': o->mouse = false; break;
	case 'T': auth_opt[0] = optarg; break;
	case 'A': auth_opt[1] = optarg; break;
	case 'c': auth_opt[2] = optarg; break;
	case 'k': auth_opt[3] = optarg; break;
	case 'h': usage(stdout); exit(0);
	case 'V': printf("lmcache-top %s\n", PACKAGE_VERSION); exit(0);
	default: return bad_usage(xasprintf("bad option '%s'", argv[optind - 1]));
	}
	return 0;
}

static int parse_opts(int argc, char **argv, struct topts *o)
{
	char *why = NULL;
	int c, rc;

	defaults(o);
	opterr = 0; /* our message names the program, not its path */
	while ((c = getopt_long(argc, argv, "d:hV", long_opts, NULL)) != -1)
		if ((rc = apply_opt(o, c, argv)) != 0)
			return rc;
	if (optind < argc)
		return bad_usage(xasprintf("unexpected argument %s", argv[optind]));
	if (!o->src.registry && !o->src.frontend && !o->src.socket && !o->src.url)
		return bad_usage(xstrdup("no cluster given: use --registry URL (or LMCACHE_REGISTRY), "
					 "--frontend URL, --socket PATH or --url URL"));
	if (client_auth_setup(auth_opt[0], NULL, auth_opt[1], auth_opt[2], auth_opt[3], &why) < 0)
		return bad_usage(why);
	return 0;
}

static char *source_name(const struct topts *o)
{
	if (o->src.socket != NULL)
		return xasprintf("socket %s", o->src.socket);
	if (o->src.url != NULL)
		return xasprintf("node %s", o->src.url);
	if (o->src.frontend != NULL)
		return xasprintf("frontend %s", o->src.frontend);
	return xasprintf("registry %s", o->src.registry);
}

static void handle_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static void drain(int fd)
{
	char b[64];

	while (read(fd, b, sizeof b) > 0)
		;
}

/* What the collector changed that the UI takes up before drawing: a selection that names
 * no node (the first node then), results of a bulk action to show. */
static void take_model(struct ui *u)
{
	struct model *m = u->m;

	ui_fix_selection(u);
	if (m->results_ready && u->mode == M_NORMAL) {
		m->results_ready = false;
		ui_show_results(u);
	}
}

/* One wake-up: keys, then a frame. Returns false to stop. */
static bool step(struct ui *u, long max_iterations)
{
	struct model *m = u->m;
	int ch;
	bool last;

	pthread_mutex_lock(&m->lock);
	take_model(u);
	while ((ch = getch()) != ERR && !u->quit) {
		if (ch == KEY_RESIZE)
			continue;
		u->keys++;
		keys_handle(u, ch);
		compose_frame(u); /* the next key acts on what this one changed (cursor row) */
	}
	last = max_iterations > 0 && m->rounds >= (unsigned long)max_iterations;
	draw_frame(u);
	pthread_mutex_unlock(&m->lock);
	return !u->quit && !last && !got_signal;
}

static void loop(struct ui *u, int notify, long max_iterations)
{
	struct pollfd p[2] = { { .fd = 0, .events = POLLIN }, { .fd = notify, .events = POLLIN } };

	while (step(u, max_iterations)) {
		if (poll(p, 2, 1000) < 0 && errno != EINTR)
			break;
		if (p[0].revents & (POLLHUP | POLLERR | POLLNVAL))
			break; /* the terminal is gone: polling it again would spin */
		if (p[1].revents & POLLIN)
			drain(notify);
	}
}

static void ui_free(struct ui *u)
{
	for (int t = 0; t < ntabs; t++)
		free(u->ts[t].filter);
	free(u->ts);
	for (size_t i = 0; i < u->nconfirm; i++)
		free(u->confirm[i]);
	free(u->confirm);
	free(u->menu_title);
	free(u->expanded);
	action_free(u->confirm_action);
	free(u->cur_key);
	free(u->edit_key);
	detail_free(u);
}

/* The model, and the pipe the collector wakes the UI with. */
static int model_open(struct model *m, const struct topts *o, int fds[2])
{
	char *src;

	if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) < 0) {
		perror("lmcache-top: pipe");
		return -1;
	}
	src = source_name(o);
	top_model_init(m, src, fds[1], ntabs);
	free(src);
	m->interval = o->delay;
	return 0;
}

/* A round's answers (a frontend's merged /metrics is 100 KB at 64 nodes) are freed as
 * they are read, and glibc gives the emptied heap back to the kernel at once: the next round
 * faulted every page in again, 1,500 page faults a round at 4,096 nodes. Freed memory is
 * kept up to the size of a round's answers in flight instead. */
static void keep_freed_memory(void)
{
	mallopt(M_MMAP_THRESHOLD, 1 << 20);
	mallopt(M_TRIM_THRESHOLD, 16 << 20);
}

int main(int argc, char **argv)
{
	struct topts o;
	struct model m;
	struct ui u = { 0 };
	struct collector *c;
	int rc, fds[2];

	setlocale(LC_ALL, "");
	keep_freed_memory();
	if ((rc = parse_opts(argc, argv, &o)) != 0)
		return rc;
	if (model_open(&m, &o, fds) < 0)
		return 1;
	u = (struct ui){ .m = &m, .o = &o, .tabs = tab_table, .ntabs = ntabs, .follow = true,
			 .back_tab = -1,
			 .ts = xcalloc((size_t)ntabs, sizeof *u.ts) };
	handle_signals();
	xalloc_set_fatal_hook(screen_end);
	screen_init(o.color, o.unicode, o.mouse);
	if ((c = collector_start(&m, &o.src, tab_table)) == NULL) {
		screen_end();
		fprintf(stderr, "lmcache-top: cannot start the collector thread\n");
		return 1;
	}
	loop(&u, fds[0], o.max_iterations);
	screen_end();
	collector_stop(c);
	hot_shutdown();
	ui_free(&u);
	top_model_free(&m);
	close(fds[0]);
	close(fds[1]);
	return 0;
}
