/* A string -> index hash table (open addressing): the Prometheus parser and merger, the
 * listings, the frontend's index of node names.
 * Keys are borrowed, not copied: they must outlive the map. */
#ifndef LMC_COMMON_PROM_MAP_H
#define LMC_COMMON_PROM_MAP_H

#include <stddef.h>

struct prom_map {
	const char **keys;
	size_t *lens;
	size_t *values;
	size_t cap; /* a power of two */
	size_t count;
};

void prom_map_init(struct prom_map *m, size_t expected);
void prom_map_free(struct prom_map *m);
/* The value of key, or (size_t)-1. */
size_t prom_map_get(const struct prom_map *m, const char *key);
void prom_map_put(struct prom_map *m, const char *key, size_t value);
/* The same for a key of n bytes (not NUL-terminated). */
size_t prom_map_getn(const struct prom_map *m, const char *key, size_t n);
void prom_map_putn(struct prom_map *m, const char *key, size_t n, size_t value);

#endif
