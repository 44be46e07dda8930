/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * metrics.h: a small HTTP/1.1 server of one document, for `gotl watch
 * --metrics ADDR` (cli/metrics.c): GET /metrics answers the latest
 * OpenMetrics text the caller set. No thread: the caller's poll loop gives
 * it its file descriptors' events. Only cli/ includes it.
 */
#ifndef GOTL_METRICS_H
#define GOTL_METRICS_H

#include <poll.h>
#include <stddef.h>

struct msrv;

#define MSRV_MAX_CLIENTS	16
#define MSRV_FDS		(MSRV_MAX_CLIENTS + 1)

/*
 * Listen on addr: "HOST:PORT", "[V6]:PORT" or ":PORT" (every address).
 * Returns 0, -EINVAL (addr is not of that form: err says why) or -errno of
 * the socket (err says which).
 */
int msrv__new(const char *addr, struct msrv **out, char *err, size_t errlen);
void msrv__free(struct msrv *m);
/* The address it listens on, as "HOST:PORT" (the port chosen when 0 was asked). */
const char *msrv__addr(const struct msrv *m);
/* What GET /metrics answers from now on (copied). 0 or -ENOMEM. */
int msrv__set(struct msrv *m, const char *body, size_t len);
/* The descriptors to poll (at most MSRV_FDS) and the longest wait in ms it allows (-1: any). */
int msrv__pollfds(struct msrv *m, struct pollfd *fds, int *timeout_ms);
/* Handle what poll said of them (the same array, as filled). */
void msrv__handle(struct msrv *m, const struct pollfd *fds, int n);
/* Requests answered so far. */
unsigned long msrv__served(const struct msrv *m);

#endif /* GOTL_METRICS_H */
