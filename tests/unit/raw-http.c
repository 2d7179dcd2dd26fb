/* raw-http.h: one request, read until the server closes. */
#include "config.h"
#include "raw-http.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

char *raw_http(int port, const char *method, const char *path)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	char req[512], *out = calloc(1, 65536);
	size_t len = 0;
	ssize_t n;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		close(fd);
		free(out);
		return NULL;
	}
	snprintf(req, sizeof req, "%s %s HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
		 method, path);
	if (write(fd, req, strlen(req)) == (ssize_t)strlen(req))
		while (len < 65535 && (n = read(fd, out + len, 65535 - len)) > 0)
			len += (size_t)n;
	close(fd);
	return out;
}
