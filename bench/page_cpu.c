/* The CPU a page of the device listing costs on each side of the preflight's
 * read (issue 10, bench/throughput.sh section 8): lattigo-sim writing the
 * pages of its built-in account (store_device_write, what GET
 * v2/devices?details=true does for each device of a page) and lattigo-batch
 * taking them into a snapshot (live_snapshot_add_devices_text, what the read
 * does with each page's answer). No sockets, no latency: the process's own
 * CPU clock over ROUNDS reads of the whole account.
 *   page_cpu [DEVICES [PER_PAGE [ROUNDS]]]   (defaults 20000 834 20)
 * Prints one line per side: milliseconds of CPU a page, and the page size. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "common/strbuf.h"
#include "live/snapshot.h"
#include "sim/store.h"

static double cpu_ms(void)
{
	struct timespec now;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
	return (double)now.tv_sec * 1e3 + (double)now.tv_nsec / 1e6;
}

/* Writes the page of devices [first, first + count) as the listing does. */
static int write_page(struct store *store, size_t first, size_t count, struct strbuf *page)
{
	strbuf_reset(page);
	int result = strbuf_append_char(page, '[');
	for (size_t index = first; result == 0 && index < first + count; index++) {
		if (index > first)
			result = strbuf_append_char(page, ',');
		result |= store_device_write(store, &store->devices[index], page);
	}
	return result | strbuf_append_char(page, ']');
}

static size_t argument(int argc, char **argv, int index, size_t fallback)
{
	return argc > index ? (size_t)strtoull(argv[index], NULL, 10) : fallback;
}

int main(int argc, char **argv)
{
	size_t devices = argument(argc, argv, 1, 20000);
	size_t per_page = argument(argc, argv, 2, 834);
	size_t rounds = argument(argc, argv, 3, 20);
	if (!devices || !per_page || !rounds)
		return fprintf(stderr, "usage: page_cpu [DEVICES [PER_PAGE [ROUNDS]]]\n"), 2;
	size_t pages = (devices + per_page - 1) / per_page;
	struct store store;
	if (store_init(&store, 1) != 0 || store_fill_default(&store, devices) != 0)
		return fprintf(stderr, "page_cpu: out of memory\n"), 1;
	/* the pages kept as the client receives them, written once more each round */
	struct strbuf *texts = calloc(pages, sizeof(*texts));
	if (!texts)
		return 1;
	for (size_t page = 0; page < pages; page++)
		strbuf_init(&texts[page], SIZE_MAX);
	double sim_ms = 0, client_ms = 0, bytes = 0;
	for (size_t round = 0; round < rounds; round++) {
		double started = cpu_ms();
		for (size_t page = 0; page < pages; page++) {
			size_t first = page * per_page;
			size_t count = first + per_page <= devices ? per_page : devices - first;
			if (write_page(&store, first, count, &texts[page]) != 0)
				return fprintf(stderr, "page_cpu: out of memory\n"), 1;
		}
		double written = cpu_ms();
		struct live_snapshot *snapshot = live_snapshot_new();
		for (size_t page = 0; snapshot && page < pages; page++) {
			size_t count = 0;
			if (live_snapshot_add_devices_text(snapshot, texts[page].data,
			                                   texts[page].length, false, &count) != 0)
				return fprintf(stderr, "page_cpu: page %zu not taken\n", page + 1),
				       1;
		}
		if (!snapshot || live_snapshot_device_count(snapshot) != devices)
			return fprintf(stderr, "page_cpu: the snapshot lost devices\n"), 1;
		live_snapshot_free(snapshot);
		sim_ms += written - started;
		client_ms += cpu_ms() - written;
	}
	for (size_t page = 0; page < pages; page++) {
		bytes += (double)texts[page].length;
		strbuf_release(&texts[page]);
	}
	free(texts);
	store_release(&store);
	double reads = (double)(pages * rounds);
	printf("sim    writes a page: %.3f ms CPU (%zu devices, %.0f bytes a page)\n",
	       sim_ms / reads, per_page, bytes / (double)pages);
	printf("client takes a page:  %.3f ms CPU (parse and snapshot insert)\n",
	       client_ms / reads);
	return 0;
}
