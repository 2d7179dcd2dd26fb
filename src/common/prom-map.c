/* Open addressing with linear probing; grows at half full so probes stay short. Keys are
 * byte spans, so the merger can look names up in the text without copying them. */
#include "config.h"
#include "prom-map.h"
#include "xalloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Eight bytes per multiply: metric names are long (40 bytes is common) and the merger hashes
 * one per family of every node, so a byte-at-a-time hash showed in its profile. The last
 * word is mixed twice: the table's index is the low bits, which after one multiply depend
 * only on the low bytes of the word, so names differing only further on ("worker7",
 * "worker12": the same first bytes, in the same last word) all fell on a few slots (1,024
 * names like bench_worker<N>: 47 slots, 73 probes each; now 1.4). */
static uint64_t hash(const char *s, size_t n)
{
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ n, w;

	for (; n >= 8; s += 8, n -= 8) {
		memcpy(&w, s, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdULL;
		h ^= h >> 32;
	}
	w = 0;
	memcpy(&w, s, n);
	h = (h ^ w) * 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 32;
	h *= 0xff51afd7ed558ccdULL;
	return h ^ (h >> 29);
}

void prom_map_init(struct prom_map *m, size_t expected)
{
	m->cap = 16;
	while (m->cap < expected * 2)
		m->cap *= 2;
	m->keys = xcalloc(m->cap, sizeof *m->keys);
	m->lens = xreallocarray(NULL, m->cap, sizeof *m->lens);
	m->values = xreallocarray(NULL, m->cap, sizeof *m->values);
	m->count = 0;
}

void prom_map_free(struct prom_map *m)
{
	free(m->keys);
	free(m->lens);
	free(m->values);
	memset(m, 0, sizeof *m);
}

static size_t slot(const struct prom_map *m, const char *key, size_t n)
{
	size_t i = (size_t)hash(key, n) & (m->cap - 1);

	while (m->keys[i] && (m->lens[i] != n || memcmp(m->keys[i], key, n) != 0))
		i = (i + 1) & (m->cap - 1);
	return i;
}

size_t prom_map_getn(const struct prom_map *m, const char *key, size_t n)
{
	size_t i = slot(m, key, n);

	return m->keys[i] ? m->values[i] : (size_t)-1;
}

size_t prom_map_get(const struct prom_map *m, const char *key)
{
	return prom_map_getn(m, key, strlen(key));
}

static void grow(struct prom_map *m)
{
	struct prom_map bigger;

	prom_map_init(&bigger, m->cap);
	for (size_t i = 0; i < m->cap; i++)
		if (m->keys[i])
			prom_map_putn(&bigger, m->keys[i], m->lens[i], m->values[i]);
	prom_map_free(m);
	*m = bigger;
}

void prom_map_putn(struct prom_map *m, const char *key, size_t n, size_t value)
{
	size_t i;

	if ((m->count + 1) * 2 > m->cap)
		grow(m);
	i = slot(m, key, n);
	if (!m->keys[i])
		m->count++;
	m->keys[i] = key;
	m->lens[i] = n;
	m->values[i] = value;
}

void prom_map_put(struct prom_map *m, const char *key, size_t value)
{
	prom_map_putn(m, key, strlen(key), value);
}
