/* Exponential backoff with full jitter, and the job-wide retry budget that
 * keeps a failing service from turning a job into a retry storm. */
#ifndef LATTIGO_BACKOFF_H
#define LATTIGO_BACKOFF_H

#include <stdbool.h>
#include <stdint.h>

/* The upper bound of the wait before retry number retry (0 = first retry):
 * min(cap_ms, base_ms * 2^retry). */
int64_t backoff_ceiling_ms(unsigned retry, int64_t base_ms, int64_t cap_ms);

/* A wait drawn uniformly from [0, ceiling] using random (full jitter: retries
 * of many calls spread out instead of arriving together). */
int64_t backoff_delay_ms(unsigned retry, int64_t base_ms, int64_t cap_ms, uint64_t random);

/* The budget the write engine and the export loop both allow. */
#define RETRY_BUDGET_RATIO   0.5
#define RETRY_BUDGET_RESERVE 20

/* Retries of failed calls (5xx, 408, transport errors) may not exceed
 * ratio × first attempts + reserve over the whole job. 429s do not spend it:
 * the server paces those itself through Retry-After. */
struct retry_budget {
	uint64_t first_attempts;
	uint64_t retries;
	double ratio;
	uint64_t reserve;
};

/* Prepares a budget allowing ratio retries per call plus reserve. */
void retry_budget_init(struct retry_budget *budget, double ratio, uint64_t reserve);
/* Counts a call sent for the first time. */
void retry_budget_count_call(struct retry_budget *budget);
/* Spends one retry and returns true, or returns false when the budget is exhausted. */
bool retry_budget_try_spend(struct retry_budget *budget);

#endif
