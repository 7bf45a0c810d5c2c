/* libcurl's multi handle moved on socket by socket (curl_multi_socket_action)
 * instead of by curl_multi_perform, which moves every transfer at once. Eight
 * large answers arriving together were read in one perform call, so the
 * first one's connection got its next request only once the eighth was read;
 * one socket at a time lets the caller hand out the next request as soon as
 * its transfer ends, and read answers only when no socket has bytes waiting. */
#ifndef LATTIGO_MULTI_EVENTS_H
#define LATTIGO_MULTI_EVENTS_H

#include <curl/curl.h>
#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct multi_events {
	CURLM *multi;
	struct pollfd *watched; /* the sockets libcurl asked to watch, and for what */
	size_t watched_count, watched_capacity;
	struct pollfd *ready; /* a sweep's ready sockets, copied: callbacks change watched */
	size_t ready_capacity;
	int64_t timer_due_ms; /* when libcurl wants its timers run, -1: never */
	bool failed;          /* a socket could not be tracked (out of memory) */
};

/* Called after each socket (or libcurl's timers) moved transfers on. */
typedef void (*multi_events_moved)(void *context);

/* Creates the multi handle (events->multi) wired to events. Returns 0, or -1
 * out of memory. */
int multi_events_init(struct multi_events *events);
/* Cleans up the multi handle and what events tracks (handles are the caller's). */
void multi_events_release(struct multi_events *events);
/* Runs libcurl's due timers: a transfer just added goes onto the wire here. */
void multi_events_run_timers(struct multi_events *events);
/* Waits up to wait_ms for a socket or a timer, then moves each ready socket's
 * transfer on in turn, calling moved after each. Returns how many sockets
 * and timers moved (0: the wait ended with none), -1 when a socket could not
 * be tracked or poll failed. */
int multi_events_sweep(struct multi_events *events, int wait_ms, multi_events_moved moved,
                       void *context);

#endif
