#include "config.h"
#include "etcd-codec.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jsonutil.h"
#include "xalloc.h"

static const char alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

char *b64_encode(const void *data, size_t len)
{
	const unsigned char *p = data;
	char *out = xmalloc(4 * ((len + 2) / 3) + 1), *o = out;

	for (size_t i = 0; i < len; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16;

		if (i + 1 < len)
			v |= (uint32_t)p[i + 1] << 8;
		if (i + 2 < len)
			v |= p[i + 2];
		*o++ = alphabet[(v >> 18) & 63];
		*o++ = alphabet[(v >> 12) & 63];
		*o++ = i + 1 < len ? alphabet[(v >> 6) & 63] : '=';
		*o++ = i + 2 < len ? alphabet[v & 63] : '=';
	}
	*o = '\0';
	return out;
}

/* A table, not strchr over the alphabet: a listing decodes every entry's value. */
static signed char sextets[256];
static pthread_once_t sextets_once = PTHREAD_ONCE_INIT;

static void fill_sextets(void)
{
	memset(sextets, -1, sizeof sextets);
	for (int i = 0; i < 64; i++)
		sextets[(unsigned char)alphabet[i]] = (signed char)i;
}

static int sextet(char c)
{
	return sextets[(unsigned char)c];
}

char *b64_decode(const char *text, size_t *len)
{
	size_t n = strlen(text), pad = 0;
	char *out, *o;

	if (n % 4 != 0)
		return NULL;
	pthread_once(&sextets_once, fill_sextets);
	if (n >= 1 && text[n - 1] == '=')
		pad++;
	if (n >= 2 && text[n - 2] == '=')
		pad++;
	out = o = xmalloc(n / 4 * 3 + 1);
	for (size_t i = 0; i < n; i += 4) {
		int a = sextet(text[i]), b = sextet(text[i + 1]);
		int c = (i + 4 == n && pad >= 2) ? 0 : sextet(text[i + 2]);
		int d = (i + 4 == n && pad >= 1) ? 0 : sextet(text[i + 3]);
		uint32_t v;

		if (a < 0 || b < 0 || c < 0 || d < 0) {
			free(out);
			return NULL;
		}
		v = (uint32_t)a << 18 | (uint32_t)b << 12 | (uint32_t)c << 6 | (uint32_t)d;
		*o++ = (char)(v >> 16);
		*o++ = (char)(v >> 8);
		*o++ = (char)v;
	}
	*len = (size_t)(o - out) - pad;
	out[*len] = '\0';
	return out;
}

char *etcd_prefix_end(const char *prefix, size_t *len)
{
	size_t n = strlen(prefix);
	char *end = xstrdup(prefix);

	while (n > 0 && (unsigned char)end[n - 1] == 0xff)
		n--;
	if (n == 0) {
		end[0] = '\0';
		*len = 1;
		return end;
	}
	end[n - 1] = (char)((unsigned char)end[n - 1] + 1);
	end[n] = '\0';
	*len = n;
	return end;
}

char *etcd_entry_key(const char *prefix, const char *api_address)
{
	return xasprintf("%s%s", prefix, api_address);
}

long long etcd_int64(const json_t *obj, const char *key)
{
	const json_t *v = json_object_get(obj, key);

	if (json_is_integer(v))
		return json_integer_value(v);
	return json_is_string(v) ? strtoll(json_string_value(v), NULL, 10) : 0;
}

int etcd_decode_entry(const json_t *kv, struct dentry *e, char **cause)
{
	size_t len;
	char *text = b64_decode(json_str_member(kv, "value", ""), &len);
	json_t *obj = text ? json_parse_text(text, len, NULL) : NULL;
	int rc = entry_from_json(e, obj, cause);

	json_decref(obj);
	free(text);
	return rc;
}

char *etcd_key_address(const json_t *kv, const char *prefix)
{
	size_t len, n = strlen(prefix);
	char *key = b64_decode(json_str_member(kv, "key", ""), &len), *addr = NULL;

	if (key != NULL && len > n && strlen(key) == len && memcmp(key, prefix, n) == 0)
		addr = xstrdup(key + n);
	free(key);
	return addr;
}
