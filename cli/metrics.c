// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * metrics.c: the server behind `gotl watch --metrics` (see metrics.h). Each
 * connection sends one request, gets one answer (a copy of the document as
 * it was then) and is closed: "Connection: close", as a scraper expects.
 * Non-blocking sockets throughout, at most MSRV_MAX_CLIENTS at a time (a
 * new one past that takes the oldest one's place), a request of at most
 * 8 KiB, 10 s for a client to send it and take the answer; past that the
 * connection is dropped, never the watch. Must not block, print, or serve
 * anything but the document.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include "metrics.h"

#define REQ_MAX		8192
#define CLIENT_NS	(10ull * 1000000000ull)
#define CONTENT_TYPE	"application/openmetrics-text; version=1.0.0; charset=utf-8"

struct client {
	int fd;
	uint64_t deadline;
	char req[REQ_MAX];
	size_t nreq;
	char *out; /* the answer, once the request is complete */
	size_t nout, sent;
};

struct msrv {
	int lfd;
	char addr[128];
	char *doc;
	size_t ndoc;
	struct client c[MSRV_MAX_CLIENTS];
	unsigned long served;
};

static uint64_t mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* "HOST:PORT", "[V6]:PORT", ":PORT" into host (NULL: any) and port. */
static int split(const char *addr, char *host, size_t hlen, char *port, size_t plen)
{
	const char *colon;
	size_t n;

	if (addr[0] == '[') {
		const char *end = strchr(addr, ']');

		if (!end || end[1] != ':')
			return -EINVAL;
		n = (size_t)(end - addr - 1);
		colon = end + 1;
		if (n >= hlen)
			return -EINVAL;
		memcpy(host, addr + 1, n);
		host[n] = 0;
	} else {
		colon = strrchr(addr, ':');
		if (!colon)
			return -EINVAL;
		n = (size_t)(colon - addr);
		if (n >= hlen || memchr(addr, ':', n))
			return -EINVAL;
		memcpy(host, addr, n);
		host[n] = 0;
	}
	n = strlen(colon + 1);
	if (!n || n >= plen || strspn(colon + 1, "0123456789") != n || atoi(colon + 1) > 65535)
		return -EINVAL;
	memcpy(port, colon + 1, n + 1);
	return 0;
}

int msrv__new(const char *addr, struct msrv **out, char *err, size_t errlen)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC,
				  .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_PASSIVE | AI_NUMERICSERV };
	struct addrinfo *ai = NULL, *p;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char host[64], port[16], hbuf[64];
	struct msrv *m;
	int ret, one = 1, i;

	*out = NULL;
	if (split(addr, host, sizeof(host), port, sizeof(port))) {
		snprintf(err, errlen,
			 "invalid --metrics address '%s': want HOST:PORT, e.g. "
			 "127.0.0.1:9464",
			 addr);
		return -EINVAL;
	}
	ret = getaddrinfo(host[0] ? host : NULL, port, &hints, &ai);
	if (ret) {
		snprintf(err, errlen, "invalid --metrics address '%s': %s", addr,
			 gai_strerror(ret));
		return -EINVAL;
	}
	m = calloc(1, sizeof(*m));
	if (!m) {
		freeaddrinfo(ai);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	for (i = 0; i < MSRV_MAX_CLIENTS; i++)
		m->c[i].fd = -1;
	m->lfd = -1;
	ret = -EADDRNOTAVAIL;
	for (p = ai; p; p = p->ai_next) {
		int fd = socket(p->ai_family, p->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

		if (fd < 0) {
			ret = -errno;
			continue;
		}
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, p->ai_addr, p->ai_addrlen) || listen(fd, MSRV_MAX_CLIENTS)) {
			ret = -errno;
			close(fd);
			continue;
		}
		m->lfd = fd;
		break;
	}
	freeaddrinfo(ai);
	if (m->lfd < 0) {
		snprintf(err, errlen, "cannot serve metrics on %s: %s", addr, strerror(-ret));
		free(m);
		return ret;
	}
	if (!getsockname(m->lfd, (struct sockaddr *)&ss, &sl)) {
		if (ss.ss_family == AF_INET6) {
			struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;

			inet_ntop(AF_INET6, &a->sin6_addr, hbuf, sizeof(hbuf));
			snprintf(m->addr, sizeof(m->addr), "[%s]:%u", hbuf, ntohs(a->sin6_port));
		} else {
			struct sockaddr_in *a = (struct sockaddr_in *)&ss;

			inet_ntop(AF_INET, &a->sin_addr, hbuf, sizeof(hbuf));
			snprintf(m->addr, sizeof(m->addr), "%s:%u", hbuf, ntohs(a->sin_port));
		}
	}
	*out = m;
	return 0;
}

static void drop(struct client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	free(c->out);
	c->fd = -1;
	c->out = NULL;
	c->nreq = c->nout = c->sent = 0;
}

void msrv__free(struct msrv *m)
{
	if (!m)
		return;
	for (int i = 0; i < MSRV_MAX_CLIENTS; i++)
		drop(&m->c[i]);
	if (m->lfd >= 0)
		close(m->lfd);
	free(m->doc);
	free(m);
}

const char *msrv__addr(const struct msrv *m)
{
	return m->addr;
}

unsigned long msrv__served(const struct msrv *m)
{
	return m->served;
}

int msrv__set(struct msrv *m, const char *body, size_t len)
{
	char *d = malloc(len + 1);

	if (!d)
		return -ENOMEM;
	memcpy(d, body, len);
	d[len] = 0;
	free(m->doc);
	m->doc = d;
	m->ndoc = len;
	return 0;
}

int msrv__pollfds(struct msrv *m, struct pollfd *fds, int *timeout_ms)
{
	int n = 0, i;

	*timeout_ms = -1;
	fds[n++] = (struct pollfd){ .fd = m->lfd, .events = POLLIN };
	for (i = 0; i < MSRV_MAX_CLIENTS; i++) {
		if (m->c[i].fd < 0)
			continue;
		fds[n++] = (struct pollfd){ .fd = m->c[i].fd,
					    .events = m->c[i].out ? POLLOUT : POLLIN };
		*timeout_ms = 1000; /* to drop it when its time is up */
	}
	return n;
}

/* The answer to a complete request. */
static int answer(struct msrv *m, struct client *c)
{
	char method[8] = "", target[256] = "", head[512];
	const char *status = "200 OK", *type = CONTENT_TYPE, *body = m->doc ? m->doc : "# EOF\n";
	size_t nbody;
	int nh;

	if (sscanf(c->req, "%7s %255s", method, target) != 2)
		status = "400 Bad Request";
	else if (strcmp(method, "GET") && strcmp(method, "HEAD"))
		status = "405 Method Not Allowed";
	else if (!strcmp(target, "/"))
		body = "gotl watch: the metrics are at /metrics\n";
	else if (strcmp(target, "/metrics") && strncmp(target, "/metrics?", 9))
		status = "404 Not Found";
	if (strncmp(status, "200", 3)) {
		snprintf(head, sizeof(head), "%s\n", status);
		body = head;
	}
	if (body != m->doc)
		type = "text/plain; charset=utf-8";
	nbody = body == m->doc ? m->ndoc : strlen(body);
	c->out = malloc(sizeof(head) + nbody);
	if (!c->out)
		return -ENOMEM;
	memcpy(c->out + sizeof(head), body, nbody); /* head may be the body: copy it first */
	nh = snprintf(c->out, sizeof(head),
		      "HTTP/1.1 %s\r\nContent-Type: %s\r\n"
		      "Content-Length: %zu\r\nConnection: close\r\n\r\n",
		      status, type, nbody);
	memmove(c->out + nh, c->out + sizeof(head), strcmp(method, "HEAD") ? nbody : 0);
	c->nout = (size_t)nh + (strcmp(method, "HEAD") ? nbody : 0);
	m->served++;
	return 0;
}

static void on_client(struct msrv *m, struct client *c, short revents)
{
	ssize_t r;

	if (revents & (POLLERR | POLLNVAL)) {
		drop(c);
		return;
	}
	if (!c->out) {
		r = recv(c->fd, c->req + c->nreq, sizeof(c->req) - 1 - c->nreq, 0);
		if (r <= 0) {
			if (r == 0 || (errno != EAGAIN && errno != EINTR))
				drop(c);
			return;
		}
		c->nreq += (size_t)r;
		c->req[c->nreq] = 0;
		if (!strstr(c->req, "\r\n\r\n") && !strstr(c->req, "\n\n")) {
			if (c->nreq >= sizeof(c->req) - 1)
				drop(c); /* a request that never ends */
			return;
		}
		if (answer(m, c)) {
			drop(c);
			return;
		}
	}
	r = send(c->fd, c->out + c->sent, c->nout - c->sent, MSG_NOSIGNAL);
	if (r < 0) {
		if (errno != EAGAIN && errno != EINTR)
			drop(c);
		return;
	}
	c->sent += (size_t)r;
	if (c->sent == c->nout)
		drop(c);
}

void msrv__handle(struct msrv *m, const struct pollfd *fds, int n)
{
	uint64_t now = mono();
	int i, k;

	for (k = 1; k < n; k++) {
		for (i = 0; i < MSRV_MAX_CLIENTS; i++)
			if (m->c[i].fd == fds[k].fd)
				break;
		if (i < MSRV_MAX_CLIENTS && fds[k].revents)
			on_client(m, &m->c[i], fds[k].revents);
	}
	for (i = 0; i < MSRV_MAX_CLIENTS; i++)
		if (m->c[i].fd >= 0 && now > m->c[i].deadline)
			drop(&m->c[i]);
	if (n < 1 || !(fds[0].revents & POLLIN))
		return;
	for (;;) {
		int fd = accept4(m->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0)
			return;
		for (i = 0; i < MSRV_MAX_CLIENTS && m->c[i].fd >= 0; i++)
			;
		if (i == MSRV_MAX_CLIENTS) {
			/* all taken: the oldest goes, so that clients that never finish their
			 * request cannot keep a scraper out */
			int old = 0;

			for (i = 1; i < MSRV_MAX_CLIENTS; i++)
				if (m->c[i].deadline < m->c[old].deadline)
					old = i;
			drop(&m->c[old]);
			i = old;
		}
		m->c[i].fd = fd;
		m->c[i].deadline = now + CLIENT_NS;
	}
}
