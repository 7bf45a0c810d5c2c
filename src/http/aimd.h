/* Adaptive concurrency (additive increase, multiplicative decrease): repeated
 * 429s halve the calls in flight, sustained success wins them back one at a
 * time, never above what the user asked for. */
#ifndef LATTIGO_AIMD_H
#define LATTIGO_AIMD_H

#include <stdbool.h>
#include <stdint.h>

/* Repeated 429s make each step back up this many times slower at most. */
#define AIMD_MAX_SLOWDOWN 8
/* What the write engine and the export loop both pace with (aimd_init). */
#define AIMD_RECOVER_AFTER 16
#define AIMD_COOLDOWN_MS   1000

struct aimd {
	unsigned ceiling;       /* --concurrency */
	unsigned current;       /* calls allowed in flight now, 1..ceiling */
	unsigned successes;     /* since the last change */
	unsigned recover_after; /* successes needed per step up, times current */
	unsigned slowdown;      /* 1..AIMD_MAX_SLOWDOWN: doubles per decrease, halves per step up */
	int64_t cooldown_ms;    /* one decrease per cooldown: a burst of 429s is one signal */
	int64_t last_decrease_ms;
	bool decreased_once;
};

/* Starts at ceiling calls in flight. */
void aimd_init(struct aimd *aimd, unsigned ceiling, unsigned recover_after, int64_t cooldown_ms);
/* A call was throttled (429) at now_ms: halve, floor 1, at most once per cooldown. */
void aimd_on_throttled(struct aimd *aimd, int64_t now_ms);
/* A call got an answer that was not a 429: step up by one after
 * recover_after × current × slowdown of them. */
void aimd_on_success(struct aimd *aimd);

#endif
