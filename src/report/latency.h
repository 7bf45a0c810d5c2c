/* Latency distribution of a job's exchanges: exact to the millisecond up to
 * LATENCY_EXACT_MS, in constant memory, with percentiles and a log-scale
 * histogram for the report.
 * Ownership: a latency_stats owns its counter array (latency_stats_release). */
#ifndef LATTIGO_REPORT_LATENCY_H
#define LATTIGO_REPORT_LATENCY_H

#include <stddef.h>
#include <stdint.h>

#define LATENCY_EXACT_MS 60000u /* longer latencies are counted together */

struct latency_stats {
	uint32_t *per_ms; /* per_ms[n]: exchanges of n ms; LATENCY_EXACT_MS + 1 entries */
	uint64_t count;   /* exchanges recorded */
	uint64_t longer;  /* exchanges above LATENCY_EXACT_MS */
	uint64_t max_ms;
};

/* The log-scale bins of the histogram: bin i holds latencies in
 * [latency_bin_edges[i], latency_bin_edges[i + 1]). */
#define LATENCY_BINS 16
extern const uint64_t latency_bin_edges[LATENCY_BINS + 1];

/* Allocates the counters. Returns 0 or -1 (out of memory). */
int latency_stats_init(struct latency_stats *stats);
/* Records one exchange's latency. */
void latency_stats_add(struct latency_stats *stats, uint64_t latency_ms);
/* Returns the smallest latency L such that at least permille/1000 of the
 * exchanges took L ms or less (nearest-rank); 0 when nothing was recorded.
 * Above LATENCY_EXACT_MS the answer is max_ms. */
uint64_t latency_stats_percentile(const struct latency_stats *stats, unsigned permille);
/* Fills bins[LATENCY_BINS] with the exchanges per histogram bin. */
void latency_stats_bins(const struct latency_stats *stats, uint64_t bins[LATENCY_BINS]);
/* Frees the counters; the struct may be reused after latency_stats_init. */
void latency_stats_release(struct latency_stats *stats);

#endif
