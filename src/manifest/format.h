/* The manifest formats, apart from the reader so that the sniffer (which
 * guesses one) and the reader (which opens one) do not depend on each other. */
#ifndef LATTIGO_MANIFEST_FORMAT_H
#define LATTIGO_MANIFEST_FORMAT_H

enum manifest_format {
	MANIFEST_FORMAT_AUTO = 0,
	MANIFEST_FORMAT_CSV,
	MANIFEST_FORMAT_JSONL,
	MANIFEST_FORMAT_XLSX,
};

#endif
