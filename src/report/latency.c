/* Latency distribution: one counter per millisecond up to a minute. */
#include "report/latency.h"

#include <stdlib.h>

const uint64_t latency_bin_edges[LATENCY_BINS + 1] = {
    0, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 30000, 60000, UINT64_MAX};

int latency_stats_init(struct latency_stats *stats)
{
	stats->per_ms = calloc(LATENCY_EXACT_MS + 1, sizeof(*stats->per_ms));
	stats->count = stats->longer = stats->max_ms = 0;
	return stats->per_ms ? 0 : -1;
}

void latency_stats_add(struct latency_stats *stats, uint64_t latency_ms)
{
	stats->count++;
	if (latency_ms > stats->max_ms)
		stats->max_ms = latency_ms;
	if (latency_ms > LATENCY_EXACT_MS)
		stats->longer++;
	else if (stats->per_ms[latency_ms] < UINT32_MAX)
		stats->per_ms[latency_ms]++;
}

uint64_t latency_stats_percentile(const struct latency_stats *stats, unsigned permille)
{
	if (stats->count == 0)
		return 0;
	/* nearest rank: the ceil(p * n)-th smallest value, at least the first */
	uint64_t rank = (stats->count * permille + 999) / 1000;
	if (rank == 0)
		rank = 1;
	uint64_t seen = 0;
	for (uint64_t ms = 0; ms <= LATENCY_EXACT_MS; ms++) {
		seen += stats->per_ms[ms];
		if (seen >= rank)
			return ms;
	}
	return stats->max_ms;
}

void latency_stats_bins(const struct latency_stats *stats, uint64_t bins[LATENCY_BINS])
{
	size_t bin = 0;
	for (size_t index = 0; index < LATENCY_BINS; index++)
		bins[index] = 0;
	for (uint64_t ms = 0; ms <= LATENCY_EXACT_MS; ms++) {
		while (ms >= latency_bin_edges[bin + 1])
			bin++;
		bins[bin] += stats->per_ms[ms];
	}
	bins[LATENCY_BINS - 1] += stats->longer;
}

void latency_stats_release(struct latency_stats *stats)
{
	free(stats->per_ms);
	stats->per_ms = NULL;
}
