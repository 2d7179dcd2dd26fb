/* Pure helpers for etcd's JSON gateway: keys and values travel base64-encoded, and a
 * prefix listing is the range [prefix, prefix with its last byte incremented). */
#ifndef LMC_DISCOVERY_ETCD_CODEC_H
#define LMC_DISCOVERY_ETCD_CODEC_H

#include <jansson.h>
#include <stddef.h>

#include "entry.h"

char *b64_encode(const void *data, size_t len);
/* Returns NULL on invalid input; *len gets the decoded length (a NUL follows the bytes). */
char *b64_decode(const char *text, size_t *len);
/* The end of the key range covering every key that starts with prefix (a fresh string;
 * "\0" when the prefix is all 0xff bytes, meaning "to the end"). */
char *etcd_prefix_end(const char *prefix, size_t *len);
/* The key of an entry: prefix + api_address. */
char *etcd_entry_key(const char *prefix, const char *api_address);
/* An int64 member: the gateway writes them as strings; absent means zero. */
long long etcd_int64(const json_t *obj, const char *key);
/* The entry stored in a key-value object of the gateway ({"key", "value"} in base64). */
int etcd_decode_entry(const json_t *kv, struct dentry *e, char **cause);
/* The api_address of a key-value object's key under prefix, or NULL (a foreign key). */
char *etcd_key_address(const json_t *kv, const char *prefix);

#endif
