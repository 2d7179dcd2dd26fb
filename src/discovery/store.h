/* Where the registry keeps its entries: a small vtable with one implementation per file
 * (store-memory.c, store-file.c, store-etcd.c). Every operation may be called from several
 * server threads at once. */
#ifndef LMC_DISCOVERY_STORE_H
#define LMC_DISCOVERY_STORE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "entry.h"

#include <stdbool.h>

/* Failures of put(); the server maps them to HTTP statuses. */
enum store_status {
	STORE_OK = 0,
	STORE_UNAVAILABLE = -1, /* backend down or failing: 503 */
	STORE_FULL = -2,	/* --max-entries reached: 507 */
	STORE_NOT_YOURS = -3,	/* another token registered it: 403 */
};

/* How the registry reaches a protected etcd (lmcache-security(7)): --etcd-* flags. */
struct etcd_security {
	char *cacert;	     /* CA of etcd's certificate (etcds://); NULL: the system's */
	char *cert, *key;    /* client certificate, when etcd asks for one */
	char *user;	     /* etcd's username/password authentication... */
	char *password_file; /* ...the password in a file of mode 0600 */
};

struct store_spec {
	enum { STORE_MEMORY, STORE_FILE, STORE_ETCD } kind;
	bool tls; /* etcds:// */
	const struct etcd_security *sec; /* the options' (not owned); may be NULL */
	char *path;   /* file: the state file */
	char *host;   /* etcd */
	int port;     /* etcd */
	char *prefix; /* etcd: starts and ends with '/' */
};

#define ETCD_DEFAULT_PREFIX "/lmcache/discovery/"

struct store_limits {
	int ttl;	    /* seconds an entry lives without a heartbeat */
	size_t max_entries; /* a new entry beyond this is refused */
};

struct store;

typedef int (*store_visit_fn)(const struct dentry *e, void *arg);

struct store_ops {
	const char *name;
	struct store *(*open)(const struct store_spec *spec, const struct store_limits *lim,
			      char **cause);
	/* Registers or refreshes e (an existing entry keeps its start_time); sets *created.
	 * STORE_NOT_YOURS when an existing entry has another owner (entry_owned_by_other),
	 * unless force (an admin's heartbeat takes the entry over). */
	enum store_status (*put)(struct store *s, const struct dentry *e, bool force,
				 bool *created, char **cause);
	/* 1 removed, 0 not registered, -1 error, STORE_NOT_YOURS (owner is the caller's token
	 * name, NULL for anyone's: an admin's, or no tokens). */
	int (*remove)(struct store *s, const char *api_address, const char *owner, char **cause);
	/* Visits live entries; -1 with cause when the backend cannot be read. */
	int (*foreach)(struct store *s, store_visit_fn cb, void *arg, char **cause);
	/* Live entries, or -1 when the backend cannot be read. */
	long (*count)(struct store *s, char **cause);
	/* Drops expired entries; returns how many, and the time the next one is due (0: none). */
	size_t (*expire)(struct store *s, time_t now, time_t *next_due);
	void (*close)(struct store *s);
};

/* A store is its ops plus the implementation's own state after this header. */
struct store {
	const struct store_ops *ops;
};

extern const struct store_ops store_memory_ops;
extern const struct store_ops store_file_ops;
extern const struct store_ops store_etcd_ops;

/* Parses memory | file:PATH | etcd://HOST:PORT[/PREFIX]. */
int store_spec_parse(struct store_spec *spec, const char *text, char **cause);
void store_spec_clear(struct store_spec *spec);
/* Describes the store for logs and /health (no secrets: the spec holds none). */
char *store_spec_describe(const struct store_spec *spec);
struct store *store_open(const struct store_spec *spec, const struct store_limits *lim,
			 char **cause);

#endif
