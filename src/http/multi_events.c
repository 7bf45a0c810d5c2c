/* libcurl's multi_socket interface on poll(2): libcurl says which sockets to
 * watch (on_socket) and when its timers fall due (on_timer); a sweep polls
 * them and hands each ready one to curl_multi_socket_action. The sockets are
 * few (one per transfer in flight), so a plain array serves. */
#include "http/multi_events.h"

#include <errno.h>
#include <stdlib.h>

#include "common/clock.h"

static struct pollfd *find_watched(struct multi_events *events, curl_socket_t socket)
{
	for (size_t index = 0; index < events->watched_count; index++)
		if (events->watched[index].fd == socket)
			return &events->watched[index];
	return NULL;
}

static int on_socket(CURL *easy, curl_socket_t socket, int what, void *context,
                     void *socket_context)
{
	struct multi_events *events = context;
	(void)easy;
	(void)socket_context;
	struct pollfd *entry = find_watched(events, socket);
	if (what == CURL_POLL_REMOVE) {
		if (entry)
			*entry = events->watched[--events->watched_count];
		return 0;
	}
	if (!entry) {
		if (events->watched_count == events->watched_capacity) {
			size_t capacity =
			    events->watched_capacity ? events->watched_capacity * 2 : 16;
			struct pollfd *grown = realloc(events->watched, capacity * sizeof(*grown));
			if (!grown) {
				events->failed = true;
				return -1;
			}
			events->watched = grown;
			events->watched_capacity = capacity;
		}
		entry = &events->watched[events->watched_count++];
		entry->fd = socket;
	}
	entry->events =
	    (short)((what & CURL_POLL_IN ? POLLIN : 0) | (what & CURL_POLL_OUT ? POLLOUT : 0));
	entry->revents = 0;
	return 0;
}

static int on_timer(CURLM *multi, long timeout_ms, void *context)
{
	struct multi_events *events = context;
	(void)multi;
	/* never early: a sweep that ran libcurl's timers before they fell due
	 * would clear timer_due_ms with nothing expired, and libcurl reports a
	 * timer only when it changes, so it would be lost (the clock's
	 * milliseconds are truncated: one more) */
	if (timeout_ms < 0)
		events->timer_due_ms = -1;
	else
		events->timer_due_ms = clock_monotonic_ms() + timeout_ms + (timeout_ms > 0);
	return 0;
}

int multi_events_init(struct multi_events *events)
{
	*events = (struct multi_events){.timer_due_ms = -1};
	events->multi = curl_multi_init();
	if (!events->multi)
		return -1;
	CURLMcode status = curl_multi_setopt(events->multi, CURLMOPT_SOCKETFUNCTION, on_socket);
	if (status == CURLM_OK)
		status = curl_multi_setopt(events->multi, CURLMOPT_SOCKETDATA, events);
	if (status == CURLM_OK)
		status = curl_multi_setopt(events->multi, CURLMOPT_TIMERFUNCTION, on_timer);
	if (status == CURLM_OK)
		status = curl_multi_setopt(events->multi, CURLMOPT_TIMERDATA, events);
	if (status != CURLM_OK) {
		multi_events_release(events);
		return -1;
	}
	return 0;
}

void multi_events_release(struct multi_events *events)
{
	if (events->multi)
		curl_multi_cleanup(events->multi);
	free(events->watched);
	free(events->ready);
	*events = (struct multi_events){.timer_due_ms = -1};
}

void multi_events_run_timers(struct multi_events *events)
{
	int running = 0;
	events->timer_due_ms = -1; /* on_timer sets the next one */
	curl_multi_socket_action(events->multi, CURL_SOCKET_TIMEOUT, 0, &running);
}

/* What poll's revents tell libcurl: a hang-up is read (the answer's end). */
static int select_mask(short revents)
{
	int mask = 0;
	if (revents & (POLLIN | POLLHUP))
		mask |= CURL_CSELECT_IN;
	if (revents & POLLOUT)
		mask |= CURL_CSELECT_OUT;
	if (revents & POLLERR)
		mask |= CURL_CSELECT_ERR;
	return mask;
}

/* Copies the sockets poll found ready: acting on one changes watched. */
static int collect_ready(struct multi_events *events, size_t *count)
{
	*count = 0;
	if (events->ready_capacity < events->watched_count) {
		struct pollfd *grown =
		    realloc(events->ready, events->watched_count * sizeof(*grown));
		if (!grown)
			return -1;
		events->ready = grown;
		events->ready_capacity = events->watched_count;
	}
	for (size_t index = 0; index < events->watched_count; index++)
		if (events->watched[index].revents)
			events->ready[(*count)++] = events->watched[index];
	return 0;
}

int multi_events_sweep(struct multi_events *events, int wait_ms, multi_events_moved moved,
                       void *context)
{
	if (events->failed)
		return -1;
	int timeout = wait_ms < 0 ? 0 : wait_ms;
	if (events->timer_due_ms >= 0) {
		int64_t until = events->timer_due_ms - clock_monotonic_ms();
		if (until < timeout)
			timeout = until < 0 ? 0 : (int)until;
	}
	int polled = poll(events->watched, (nfds_t)events->watched_count, timeout);
	if (polled < 0)
		return errno == EINTR ? 0 : -1;
	size_t ready = 0;
	if (polled > 0 && collect_ready(events, &ready) < 0)
		return -1;
	int count = 0;
	for (size_t index = 0; index < ready; index++) {
		/* an earlier socket's transfer may have closed this one */
		struct pollfd *watched = find_watched(events, events->ready[index].fd);
		if (!watched)
			continue;
		if (events->ready[index].revents & POLLNVAL) {
			/* closed without a word from libcurl: polling it again would spin */
			*watched = events->watched[--events->watched_count];
			continue;
		}
		int running = 0;
		curl_multi_socket_action(events->multi, events->ready[index].fd,
		                         select_mask(events->ready[index].revents), &running);
		count++;
		if (moved)
			moved(context);
	}
	if (events->timer_due_ms >= 0 && clock_monotonic_ms() >= events->timer_due_ms) {
		multi_events_run_timers(events);
		count++;
		if (moved)
			moved(context);
	}
	return events->failed ? -1 : count;
}
