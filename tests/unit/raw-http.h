/* One HTTP/1.1 exchange on a loopback TCP port written by hand, for unit tests that check
 * a server's bytes without a client library in between. */
#ifndef LMC_UNIT_RAW_HTTP_H
#define LMC_UNIT_RAW_HTTP_H

/* METHOD path on 127.0.0.1:port with "Connection: close"; the whole response (status
 * line, headers, body; malloc'd, at most 64 KB), or NULL when it cannot connect. */
char *raw_http(int port, const char *method, const char *path);

#endif
