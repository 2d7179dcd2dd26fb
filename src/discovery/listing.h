/* Builds LMCache's /lmcache_infos document in one buffer, entry by entry: out, len bytes
 * (NUL-terminated), freed with listing_text_free. */
#ifndef LMC_DISCOVERY_LISTING_H
#define LMC_DISCOVERY_LISTING_H

#include <stddef.h>
#include <time.h>

#include "buf.h"
#include "entry.h"
#include "prom-map.h"
#include "prom-out.h"

#define LISTING_TIMES 128

struct listing {
	char *out; /* the document so far (a block of prom-out.h) */
	size_t len, room;
	struct buf member; /* an entry without its rendered member is rendered here */
	time_t since; /* entries last seen before this are left out (0: none) */
	size_t count;
	char **versions; /* distinct versions seen (copies) */
	size_t nversions, capversions;
	struct prom_map version_index; /* version -> index in versions */
	const char *last_version;      /* the version of the entry added last (a copy) */
	time_t times[LISTING_TIMES]; /* times already formatted, by t % LISTING_TIMES */
	char time_text[LISTING_TIMES][32];
};

/* Where listings' blocks are kept between listings. */
extern struct prom_out_slot listing_slot;

void listing_begin(struct listing *l, time_t since);
/* Renders e->listed, e's member of the document (after its times and fields are final). */
void listing_render(struct dentry *e);
/* Adds e when it passes the filter; returns 0 (a store's foreach callback). */
int listing_add(const struct dentry *e, void *listing);
/* Closes the document: processCount, versionCount (distinct versions), versions. */
void listing_end(struct listing *l);
/* Frees a listing's out (once sent): its block is kept for the next listing. */
void listing_text_free(void *text);

/* Appends s as a JSON string literal (quotes included). */
void json_quote(struct buf *b, const char *s);
/* LMCache's time format, "%Y-%m-%d %H:%M:%S" in local time. */
void listing_time(char out[32], time_t t);

#endif
