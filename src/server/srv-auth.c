/* The one authorisation hook of the three daemons. Every request that found its route
 * passes here before the handler runs, with the role the route requires: the caller is
 * found (unix peer, bearer token, TLS client certificate), its role compared with the
 * route's, and a refusal answered 401 (no valid credential) or 403 (role too low) in
 * FastAPI's shape. Also here: the audit line and the exposure rule (lmcache-security(7)). */
#include "config.h"
#include "srv.h"
#include "auth.h"

#include <arpa/inet.h>
#include <gnutls/gnutls.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "buf.h"
#include "srv-watch.h"
#include "strutil.h"
#include "xalloc.h"

enum srv_role srv_route_role(const struct srv_route *r, const char *method)
{
	if (r->role != SRV_ROLE_DEFAULT)
		return r->role;
	if (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0)
		return SRV_ROLE_VIEWER;
	return SRV_ROLE_OPERATOR;
}

/* ---- who is calling ---- */

static int peer_fd(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);

	return ci ? ci->connect_fd : -1;
}

/* The connection's state in the core (srv-watch.h), or NULL. */
static struct srv_conn *conn_state(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return ci != NULL ? ci->socket_context : NULL;
}

/* The peer's uid on a unix socket, or -1 (TCP). The core already refused other users and
 * found the uid when the connection started: no system call per request. */
static long unix_peer_uid(struct MHD_Connection *conn)
{
	const struct srv_conn *c = conn_state(conn);
	struct ucred cred;
	socklen_t len = sizeof cred;
	int domain = 0, fd;
	socklen_t dlen = sizeof domain;

	if (c != NULL)
		return c->uid;
	fd = peer_fd(conn);
	if (fd < 0 || getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &dlen) < 0 ||
	    domain != AF_UNIX || getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
		return -1;
	return (long)cred.uid;
}

void srv_address_text(const struct sockaddr *sa, char *out, size_t n)
{
	snprintf(out, n, "unix");
	if (sa != NULL && sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, out, (socklen_t)n);
	else if (sa != NULL && sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, out,
			  (socklen_t)n);
}

void srv_peer_address(struct MHD_Connection *conn, char *out, size_t n)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);

	srv_address_text(ci ? ci->client_addr : NULL, out, n);
}

/* With --tls-client-ca, a client must present a certificate that CA signed. libmicrohttpd
 * asks for one; checking it is ours. */
static bool client_cert_ok(struct MHD_Connection *conn, struct srv_auth *auth)
{
	const union MHD_ConnectionInfo *ci;
	unsigned int status = 0;
	unsigned int n = 0;

	if (srv_auth_tls_client_ca(auth) == NULL)
		return true;
	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_GNUTLS_SESSION);
	if (ci == NULL || ci->tls_session == NULL ||
	    gnutls_certificate_get_peers(ci->tls_session, &n) == NULL || n == 0)
		return false;
	return gnutls_certificate_verify_peers2(ci->tls_session, &status) == 0 && status == 0;
}

/* The bearer token of rq, or NULL. */
static const char *bearer(const struct srv_request *rq)
{
	const char *h = MHD_lookup_connection_value(rq->conn, MHD_HEADER_KIND,
						    MHD_HTTP_HEADER_AUTHORIZATION);

	if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0)
		return NULL;
	return h + 7 + strspn(h + 7, " ");
}

static bool unauthorised(struct srv_reply *rp, const char *why)
{
	srv_reply_detail(rp, 401, "%s", why);
	srv_reply_header(rp, "WWW-Authenticate: Bearer");
	return false;
}

/* The caller's address, found when the connection started. */
static void caller_from(struct MHD_Connection *conn, struct srv_caller *c)
{
	const struct srv_conn *sc = conn_state(conn);

	if (sc != NULL)
		snprintf(c->from, sizeof c->from, "%s", sc->from);
	else
		srv_peer_address(conn, c->from, sizeof c->from);
}

/* Fills rq->caller; false with a 401 in rp when no credential is valid. */
static bool identify(struct srv_request *rq, struct srv_auth *auth, struct srv_reply *rp)
{
	struct srv_caller *c = &rq->caller;
	long uid = unix_peer_uid(rq->conn);
	const char *tok;

	caller_from(rq->conn, c);
	c->role = SRV_ROLE_ADMIN;
	snprintf(c->name, sizeof c->name, "anonymous");
	if (uid >= 0) { /* the daemon's own user (or root): tokens are not needed */
		snprintf(c->name, sizeof c->name, "uid:%ld", uid);
		return true;
	}
	if (auth != NULL && !client_cert_ok(rq->conn, auth)) {
		c->role = SRV_ROLE_DEFAULT;
		srv_reply_detail(rp, 403, "a client certificate signed by the server's CA is needed");
		return false;
	}
	if (!srv_auth_has_tokens(auth))
		return true;
	c->role = SRV_ROLE_DEFAULT; /* until a token says otherwise */
	if ((tok = bearer(rq)) == NULL)
		return unauthorised(rp, "Not authenticated: send Authorization: Bearer <token>");
	c->role = srv_auth_lookup(auth, tok, c->name);
	if (c->role == SRV_ROLE_DEFAULT) {
		snprintf(c->name, sizeof c->name, "invalid-token");
		return unauthorised(rp, "Invalid token");
	}
	c->by_token = true;
	return true;
}

bool srv_authorise(struct srv_request *rq, struct srv_auth *auth, enum srv_role need,
		   struct srv_reply *rp)
{
	if (!identify(rq, auth, rp))
		return false;
	if (srv_role_allows(rq->caller.role, need))
		return true;
	srv_reply_detail(rp, 403, "%s (role %s) may not %s %s: it needs role %s",
			 rq->caller.name, srv_role_name(rq->caller.role), rq->method, rq->path,
			 srv_role_name(need));
	return false;
}

/* ---- the uid behind a loopback TCP connection ---- */

static bool is_loopback(const struct sockaddr_storage *ss);

/* An IPv4 client of a dual-stack socket has an IPv4 socket of its own: look for that. */
static void unmap_v4(struct sockaddr_storage *ss)
{
	struct sockaddr_in6 a6 = *(struct sockaddr_in6 *)ss;
	struct sockaddr_in *a4 = (struct sockaddr_in *)ss;

	if (ss->ss_family != AF_INET6 || !IN6_IS_ADDR_V4MAPPED(&a6.sin6_addr))
		return;
	memset(ss, 0, sizeof *ss);
	a4->sin_family = AF_INET;
	a4->sin_port = a6.sin6_port;
	memcpy(&a4->sin_addr, &a6.sin6_addr.s6_addr[12], 4);
}

/* An address's words and port as sock_diag wants them (network order). */
static void diag_end(const struct sockaddr_storage *ss, __be32 addr[4], __be16 *port)
{
	if (ss->ss_family == AF_INET) {
		addr[0] = ((const struct sockaddr_in *)ss)->sin_addr.s_addr;
		*port = ((const struct sockaddr_in *)ss)->sin_port;
	} else {
		memcpy(addr, &((const struct sockaddr_in6 *)ss)->sin6_addr, 16);
		*port = ((const struct sockaddr_in6 *)ss)->sin6_port;
	}
}

/* The uid of the TCP socket whose local end is local and remote end remote, asked of the
 * kernel's sock_diag: one exact lookup, where reading /proc/net/tcp walks every socket of
 * the machine (milliseconds on a busy host, paid by every audited request). */
static long diag_uid(const struct sockaddr_storage *local, const struct sockaddr_storage *remote)
{
	struct {
		struct nlmsghdr nh;
		struct inet_diag_req_v2 r;
	} req = { { sizeof req, SOCK_DIAG_BY_FAMILY, NLM_F_REQUEST, 1, 0 },
		  { .sdiag_family = (__u8)local->ss_family, .sdiag_protocol = IPPROTO_TCP,
		    .idiag_states = ~0U } };
	union {
		struct nlmsghdr nh;
		char bytes[1024];
	} ans;
	int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	ssize_t n;

	if (fd < 0)
		return -1;
	diag_end(local, req.r.id.idiag_src, &req.r.id.idiag_sport);
	diag_end(remote, req.r.id.idiag_dst, &req.r.id.idiag_dport);
	req.r.id.idiag_cookie[0] = req.r.id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;
	n = send(fd, &req, sizeof req, 0) == (ssize_t)sizeof req ? recv(fd, &ans, sizeof ans, 0)
								    : -1;
	close(fd);
	if (n < (ssize_t)NLMSG_LENGTH(sizeof(struct inet_diag_msg)) ||
	    ans.nh.nlmsg_type != SOCK_DIAG_BY_FAMILY)
		return -1;
	return (long)((const struct inet_diag_msg *)NLMSG_DATA(&ans.nh))->idiag_uid;
}

/* The uid behind a loopback TCP connection, asked of the kernel; -1 for any other. */
static long tcp_peer_uid(struct MHD_Connection *conn)
{
	struct sockaddr_storage me = { 0 }, peer = { 0 };
	socklen_t ml = sizeof me, pl = sizeof peer;
	int fd = peer_fd(conn);

	if (fd < 0 || getsockname(fd, (struct sockaddr *)&me, &ml) < 0 ||
	    getpeername(fd, (struct sockaddr *)&peer, &pl) < 0 || !is_loopback(&peer) ||
	    (peer.ss_family != AF_INET && peer.ss_family != AF_INET6))
		return -1;
	unmap_v4(&peer);
	unmap_v4(&me);
	/* The client's socket: its local end is our peer, its remote end is us. */
	return diag_uid(&peer, &me);
}

/* A socket's owner never changes, so a connection asks the kernel once (a lookup's six
 * system calls were three quarters of a heartbeat's). A failed lookup is tried again. */
long srv_peer_uid(struct MHD_Connection *conn)
{
	struct srv_conn *c = conn_state(conn);
	long uid = unix_peer_uid(conn);

	if (uid >= 0)
		return uid;
	if (c != NULL && c->tcp_uid >= 0)
		return c->tcp_uid;
	uid = tcp_peer_uid(conn);
	if (c != NULL)
		c->tcp_uid = uid;
	return uid;
}

/* ---- audit ---- */

static bool change_arg_given(const struct srv_request *rq)
{
	const char *v;

	if (rq->route == NULL || rq->route->change_arg == NULL)
		return false;
	v = MHD_lookup_connection_value(rq->conn, MHD_GET_ARGUMENT_KIND, rq->route->change_arg);
	return v != NULL && *v != '\0';
}

bool srv_request_changes(const struct srv_request *rq)
{
	if (strcmp(rq->method, "GET") != 0 && strcmp(rq->method, "HEAD") != 0)
		return true;
	return rq->route != NULL && ((rq->route->flags & SRV_NO_HEAD) || change_arg_given(rq));
}

enum srv_role srv_request_role(const struct srv_request *rq)
{
	enum srv_role need = srv_route_role(rq->route, rq->method);

	if (change_arg_given(rq) && need == SRV_ROLE_VIEWER)
		need = SRV_ROLE_OPERATOR;
	return need;
}

/* Bytes outside printable ASCII (and spaces, '%') as %XX: one request, one line. The
 * printable ASCII that is not unreserved stays as it is. */
static void put_escaped(struct buf *b, const char *s)
{
	char *e = str_percent_encode(s, "!\"#$&'()*+,/:;<=>?@[\\]^`{|}");

	buf_puts(b, e);
	free(e);
}

char *srv_audit_line(const struct srv_request *rq, unsigned int status)
{
	const struct srv_caller *c = &rq->caller;
	struct buf b = BUF_INIT;

	long uid = strcmp(c->name, "anonymous") == 0 ? srv_peer_uid(rq->conn) : -1;

	buf_puts(&b, "audit who=");
	if (uid >= 0) /* no token: the local user behind a loopback connection */
		buf_printf(&b, "uid:%ld", uid);
	else
		put_escaped(&b, c->name[0] ? c->name : "unknown");
	buf_printf(&b, " role=%s from=%s method=", c->name[0] ? srv_role_name(c->role) : "none",
		   c->from[0] ? c->from : "unknown");
	put_escaped(&b, rq->method);
	buf_puts(&b, " path=");
	put_escaped(&b, rq->path);
	buf_printf(&b, " status=%u result=%s", status,
		   status == 401 || status == 403 ? "refused" : status < 400 ? "ok" : "failed");
	return buf_steal(&b);
}

/* ---- exposure ---- */

static bool is_loopback(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return (ntohl(((const struct sockaddr_in *)ss)->sin_addr.s_addr) >> 24) == 127;
	if (ss->ss_family == AF_INET6) {
		const struct in6_addr *a = &((const struct sockaddr_in6 *)ss)->sin6_addr;

		return IN6_IS_ADDR_LOOPBACK(a) ||
		       (IN6_IS_ADDR_V4MAPPED(a) && a->s6_addr[12] == 127);
	}
	return true; /* unix: peer credentials guard it */
}

bool srv_exposed(int fd)
{
	struct sockaddr_storage ss = { 0 };
	socklen_t len = sizeof ss;

	return getsockname(fd, (struct sockaddr *)&ss, &len) == 0 && !is_loopback(&ss);
}

int srv_check_exposure(const struct srv_config *cfg, char **cause)
{
	if (!srv_exposed(cfg->fd) || srv_auth_has_tokens(cfg->auth) ||
	    srv_auth_insecure(cfg->auth))
		return 0;
	*cause = xstrdup("refusing to listen beyond loopback without a token file: give "
			 "--token-file FILE (lmcache-security(7)), listen on 127.0.0.1, or say "
			 "--insecure");
	return -1;
}
