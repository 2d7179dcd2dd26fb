/* Open addressing with linear probing; grows at half full so probes stay short. */
#include "config.h"
#include "prom-map.h"
#include "xalloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint64_t hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

void prom_map_init(struct prom_map *m, size_t expected)
{
	m->cap = 16;
	while (m->cap < expected * 2)
		m->cap *= 2;
	m->keys = xcalloc(m->cap, sizeof *m->keys);
	m->values = xcalloc(m->cap, sizeof *m->values);
	m->count = 0;
}

void prom_map_free(struct prom_map *m)
{
	free(m->keys);
	free(m->values);
	memset(m, 0, sizeof *m);
}

static size_t slot(const struct prom_map *m, const char *key)
{
	size_t i = (size_t)hash(key) & (m->cap - 1);

	while (m->keys[i] && strcmp(m->keys[i], key) != 0)
		i = (i + 1) & (m->cap - 1);
	return i;
}

size_t prom_map_get(const struct prom_map *m, const char *key)
{
	size_t i = slot(m, key);

	return m->keys[i] ? m->values[i] : (size_t)-1;
}

static void grow(struct prom_map *m)
{
	struct prom_map bigger;

	prom_map_init(&bigger, m->cap);
	for (size_t i = 0; i < m->cap; i++)
		if (m->keys[i])
			prom_map_put(&bigger, m->keys[i], m->values[i]);
	prom_map_free(m);
	*m = bigger;
}

void prom_map_put(struct prom_map *m, const char *key, size_t value)
{
	size_t i;

	if ((m->count + 1) * 2 > m->cap)
		grow(m);
	i = slot(m, key);
	if (!m->keys[i])
		m->count++;
	m->keys[i] = key;
	m->values[i] = value;
}
