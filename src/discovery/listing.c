/* The listing is written by hand into one buffer: a jansson tree of 10,000 entries costs
 * several times more than the text itself. Each stored entry carries its member of the
 * document, rendered when it was stored (listing_render), so listing 100,000 entries is a
 * concatenation plus a version check per entry; an entry without one (read from a backend)
 * is rendered on the way, its times through a small cache. Distinct versions live in a hash
 * set. Shape and field names follow LMCache's simple discover service; ipAddress carries
 * the heartbeat's peer address (LMCache: null).
 *
 * The document is written into a block kept between listings (prom-out.h): 100,000 entries
 * are 24 MB, and writing them into fresh memory each time cost 6,000 page faults, most of a
 * listing's CPU on a paravirtualised host (260 ms against 24-34 ms now). */
#include "config.h"
#include "listing.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prom-out.h"
#include "xalloc.h"

struct prom_out_slot listing_slot = PROM_OUT_SLOT_INIT;
/* The length of the last listing: the next one's first block is a little more. */
static _Atomic size_t listing_last_len;

/* Room for n more bytes: a block twice as large (or as large as needed), the text moved. */
static void grow(struct listing *l, size_t n)
{
	size_t need = l->len + n + 1;
	char *to = prom_out_take(&listing_slot, need > 2 * l->room ? need : 2 * l->room);

	memcpy(to, l->out, l->len);
	prom_out_give(&listing_slot, l->out);
	l->out = to;
	l->room = prom_out_room(to);
}

static void put(struct listing *l, const char *s, size_t n)
{
	if (l->len + n + 1 > l->room)
		grow(l, n);
	memcpy(l->out + l->len, s, n);
	l->len += n;
	l->out[l->len] = '\0';
}

void listing_text_free(void *text)
{
	prom_out_give(&listing_slot, text);
}

void json_quote(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const char *run = s;

	buf_putc(b, '"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		buf_append(b, run, (size_t)(s - run));
		if (c == '"' || c == '\\') {
			buf_putc(b, '\\');
			buf_putc(b, (char)c);
		} else {
			char esc[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };

			buf_append(b, esc, sizeof(esc));
		}
		run = s + 1;
	}
	buf_append(b, run, (size_t)(s - run));
	buf_putc(b, '"');
}

void listing_time(char out[32], time_t t)
{
	struct tm tm;

	if (localtime_r(&t, &tm) == NULL || strftime(out, 32, "%Y-%m-%d %H:%M:%S", &tm) == 0)
		snprintf(out, 32, "%lld", (long long)t);
}

void listing_begin(struct listing *l, time_t since)
{
	size_t last = atomic_load(&listing_last_len);

	memset(l, 0, sizeof(*l));
	l->since = since;
	for (size_t i = 0; i < LISTING_TIMES; i++)
		l->times[i] = (time_t)-1;
	prom_map_init(&l->version_index, 16);
	l->out = prom_out_take(&listing_slot, last + last / 16 + 4096);
	l->room = prom_out_room(l->out);
	put(l, "{\"processInfos\":{", 17);
}

/* The listing's copy of version v, added when new. */
static const char *remember_version(struct listing *l, const char *v)
{
	size_t i = prom_map_get(&l->version_index, v);

	if (i != (size_t)-1)
		return l->versions[i];
	if (l->nversions == l->capversions) {
		l->capversions = l->capversions ? 2 * l->capversions : 16;
		l->versions = xreallocarray(l->versions, l->capversions, sizeof(*l->versions));
	}
	l->versions[l->nversions] = xstrdup(v);
	prom_map_put(&l->version_index, l->versions[l->nversions], l->nversions);
	return l->versions[l->nversions++];
}

/* Time t in LMCache's format, through a small direct-mapped cache: entries' times fall in a
 * few dozen distinct seconds. */
static const char *time_text(struct listing *l, time_t t)
{
	size_t slot = (size_t)t % LISTING_TIMES;

	if (l->times[slot] != t) {
		listing_time(l->time_text[slot], t);
		l->times[slot] = t;
	}
	return l->time_text[slot];
}

/* ,"pid":N without printf (null when negative). */
static void put_pid(struct buf *b, long long pid)
{
	char digits[24], *d = digits + sizeof digits;

	buf_puts(b, ",\"pid\":");
	if (pid < 0) {
		buf_puts(b, "null");
		return;
	}
	*--d = '\0';
	do
		*--d = (char)('0' + pid % 10);
	while ((pid /= 10) > 0);
	buf_puts(b, d);
}

/* Time t in LMCache's format: through the listing's cache, or formatted here (l NULL). */
static void put_time(struct buf *b, struct listing *l, time_t t)
{
	char text[32];

	if (l != NULL) {
		buf_puts(b, time_text(l, t));
		return;
	}
	listing_time(text, t);
	buf_puts(b, text);
}

/* "apiAddress":{"count":1,"lmCacheInfoEntities":[{...}]}, e's member of processInfos. */
static void put_member(struct buf *b, struct listing *l, const struct dentry *e)
{
	json_quote(b, e->api_address);
	buf_puts(b, ":{\"count\":1,\"lmCacheInfoEntities\":[{\"ipAddress\":");
	if (e->ip_address)
		json_quote(b, e->ip_address);
	else
		buf_puts(b, "null");
	put_pid(b, e->pid);
	buf_puts(b, ",\"apiAddress\":");
	json_quote(b, e->api_address);
	buf_puts(b, ",\"version\":");
	json_quote(b, e->version);
	buf_puts(b, ",\"startTime\":\"");
	put_time(b, l, e->start_time);
	buf_puts(b, "\",\"lastReportTime\":\"");
	put_time(b, l, e->last_seen);
	buf_puts(b, "\",\"otherInfo\":");
	json_quote(b, e->other_info);
	buf_puts(b, "}]}");
}

void listing_render(struct dentry *e)
{
	struct buf b = BUF_INIT;

	put_member(&b, NULL, e);
	free(e->listed);
	e->listed_len = b.len;
	e->listed = xrealloc(buf_steal(&b), e->listed_len + 1); /* no slack kept per entry */
}

int listing_add(const struct dentry *e, void *arg)
{
	struct listing *l = arg;

	if (l->since != 0 && e->last_seen < l->since)
		return 0;
	if (l->count++ > 0)
		put(l, ",", 1);
	if (e->listed != NULL) {
		put(l, e->listed, e->listed_len);
	} else {
		buf_reset(&l->member);
		put_member(&l->member, l, e);
		put(l, l->member.data, l->member.len);
	}
	/* Entries mostly share a version: comparing with the last one skips the hash. */
	if (l->last_version == NULL || strcmp(l->last_version, e->version) != 0)
		l->last_version = remember_version(l, e->version);
	return 0;
}

void listing_end(struct listing *l)
{
	char tail[128];
	int n = snprintf(tail, sizeof(tail),
			 "},\"processCount\":%zu,\"versionCount\":%zu,\"versions\":null}",
			 l->count, l->nversions);

	put(l, tail, (size_t)n);
	atomic_store(&listing_last_len, l->len);
	prom_map_free(&l->version_index);
	for (size_t i = 0; i < l->nversions; i++)
		free(l->versions[i]);
	free(l->versions);
	buf_free(&l->member);
	l->versions = NULL;
	l->last_version = NULL;
	l->nversions = l->capversions = 0;
}
