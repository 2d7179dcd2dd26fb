/* Replies and request accessors. */
#include "config.h"
#include "srv.h"

#include <jansson.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

void srv_reply_take(struct srv_reply *rp, unsigned int status, const char *content_type,
		    char *body, size_t len)
{
	free(rp->content_type);
	(rp->body_free ? rp->body_free : free)(rp->body);
	rp->body_free = NULL;
	rp->status = status;
	rp->content_type = content_type ? xstrdup(content_type) : NULL;
	rp->body = body;
	rp->len = len;
}

void srv_reply_detail(struct srv_reply *rp, unsigned int status, const char *fmt, ...)
{
	va_list ap;
	char *msg, *text;
	json_t *doc;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		abort();
	va_end(ap);
	doc = json_pack("{s:s}", "detail", msg);
	text = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
	free(msg);
	if (text == NULL)
		abort();
	srv_reply_take(rp, status, "application/json", text, strlen(text));
}

void srv_reply_header(struct srv_reply *rp, const char *line)
{
	rp->headers = xreallocarray(rp->headers, rp->nheaders + 1, sizeof(*rp->headers));
	rp->headers[rp->nheaders++] = xstrdup(line);
}

void srv_reply_clear(struct srv_reply *rp)
{
	if (rp->stream_free != NULL)
		rp->stream_free(rp->stream_cls);
	free(rp->content_type);
	(rp->body_free ? rp->body_free : free)(rp->body);
	for (size_t i = 0; i < rp->nheaders; i++)
		free(rp->headers[i]);
	free(rp->headers);
	free(rp->allow);
	*rp = (struct srv_reply){ 0 };
}

