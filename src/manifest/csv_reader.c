/* CSV rows through libcsv, fed one physical line at a time so every row
 * knows the line and byte offset where it starts. Memory stays bounded: a
 * field past MANIFEST_MAX_FIELD is discarded as it streams by, and a row
 * stores at most MANIFEST_MAX_LINE bytes. A line without CR, NUL, a line end
 * inside quotes or a blank around a field takes a fast path that splits it
 * in place with the same result (split_plain_line). */
#include "manifest_internal.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "common/csv_writer.h"
#include "common/utf8.h"
#include "manifest/column_name.h"

/* libcsv's parser states (libcsv.c does not export them). */
enum { CSV_ROW_NOT_BEGUN = 0, CSV_FIELD_NOT_BEGUN = 1, CSV_FIELD_BEGUN = 2 };

#define CSV_GROW_STEP 4096u
/* libcsv's field buffer may not grow past this: a longer field is discarded
 * as it streams by (see discard_overlong_field). */
#define CSV_FIELD_BUFFER_CAP (MANIFEST_MAX_FIELD + CSV_GROW_STEP)
#define NO_FIELD             SIZE_MAX

static void *capped_realloc(void *pointer, size_t size)
{
	if (size > CSV_FIELD_BUFFER_CAP)
		return NULL;
	return realloc(pointer, size);
}

static int store_offset(struct csv_state *state, size_t index, size_t offset)
{
	if (index >= state->field_capacity) {
		size_t capacity = state->field_capacity ? state->field_capacity * 2 : 32;
		while (capacity <= index)
			capacity *= 2;
		size_t *grown = realloc(state->field_offsets, capacity * sizeof(*grown));
		if (!grown)
			return -1;
		state->field_offsets = grown;
		state->field_capacity = capacity;
	}
	state->field_offsets[index] = offset;
	return 0;
}

/* libcsv field callback: stores the field unless it is too long or past the
 * header's count. Called for every field of the file, so the common case
 * (room in the reused buffers) makes no calls. */
static void on_field(void *text, size_t length, void *data)
{
	struct manifest *manifest = data;
	struct csv_state *state = &manifest->csv;
	size_t index = state->field_count++;
	if (index >= state->store_limit) {
		/* an overlong field past the header's columns is not this row's
		 * problem, and must not become the next row's first field's */
		state->field_overflow = false;
		state->overflow_in_quotes = false;
		return;
	}
	size_t offset = NO_FIELD;
	if (state->field_overflow || length > MANIFEST_MAX_FIELD) {
		manifest_row_problem(
		    manifest, "field %zu longer than %u bytes%s", index + 1, MANIFEST_MAX_FIELD,
		    state->overflow_in_quotes ? " (is a quote opened and never closed?)" : "");
		state->field_overflow = false;
		state->overflow_in_quotes = false;
	} else if (state->text.length + length + 1 < state->text.capacity) {
		offset = state->text.length;
		if (length)
			memcpy(state->text.data + offset, text, length);
		state->text.data[offset + length] = '\0';
		state->text.length += length + 1;
	} else {
		size_t start = state->text.length;
		if (strbuf_append(&state->text, text ? text : "", length) == STRBUF_OK &&
		    strbuf_append_char(&state->text, '\0') == STRBUF_OK)
			offset = start;
		else
			manifest_row_problem(manifest, "row longer than %u bytes",
			                     MANIFEST_MAX_LINE);
	}
	if (index < state->field_capacity)
		state->field_offsets[index] = offset;
	else if (store_offset(state, index, offset) < 0)
		manifest_row_problem(manifest, "out of memory");
}

static void on_row(int terminator, void *data)
{
	(void)terminator;
	struct manifest *manifest = data;
	manifest->csv.row_complete = true;
}

/* libcsv stops when its field buffer reaches the cap. Forget the field's
 * text but keep the parser's state (inside quotes or not), so parsing goes
 * on exactly as if the field had been read, and only the row is rejected. */
static void discard_overlong_field(struct csv_state *state)
{
	struct csv_parser *parser = &state->parser;
	state->field_overflow = true;
	state->overflow_in_quotes = parser->quoted && parser->pstate == CSV_FIELD_BEGUN;
	if (parser->pstate == CSV_FIELD_BEGUN || parser->pstate == CSV_ROW_NOT_BEGUN ||
	    parser->pstate == CSV_FIELD_NOT_BEGUN) {
		parser->entry_pos = 0;
	} else {
		/* after a quote that may close the field: libcsv drops that quote later */
		parser->entry_buf[0] = parser->quote_char;
		parser->entry_pos = 1;
	}
	parser->spaces = 0;
	parser->status = 0;
}

static int feed(struct manifest *manifest, const char *data, size_t length, struct error *error)
{
	struct csv_state *state = &manifest->csv;
	while (length > 0) {
		size_t used = csv_parse(&state->parser, data, length, on_field, on_row, manifest);
		if (used == length)
			return 0;
		if (csv_error(&state->parser) != CSV_ENOMEM ||
		    state->parser.entry_size + CSV_GROW_STEP <= CSV_FIELD_BUFFER_CAP)
			return error_set_at(error, manifest->path, manifest->lines.line,
			                    "cannot parse CSV: %s",
			                    csv_strerror(csv_error(&state->parser)));
		discard_overlong_field(state);
		data += used;
		length -= used;
	}
	return 0;
}

static bool inside_quotes(const struct csv_parser *parser)
{
	return parser->pstate == CSV_FIELD_BEGUN && parser->quoted;
}

/* Feeds one piece of a line. In a file with LF line ends a CR that is not
 * part of CRLF would end the row inside libcsv; outside quotes it is damage,
 * so it is blanked out and the row rejected. */
static int feed_piece(struct manifest *manifest, struct line_piece *piece, struct error *error)
{
	struct csv_state *state = &manifest->csv;
	char *data = piece->data;
	char *end = data + piece->length;
	if (memchr(data, '\0', piece->length))
		manifest_row_problem(manifest, "NUL byte in line %llu (binary data?)",
		                     (unsigned long long)piece->line);
	if (!manifest->lines.cr_line_ends) {
		char *scan = data;
		char *carriage = NULL;
		while ((carriage = memchr(scan, '\r', (size_t)(end - scan))) != NULL) {
			scan = carriage + 1;
			if (carriage + 1 == end || carriage[1] == '\n')
				continue;
			if (feed(manifest, data, (size_t)(carriage - data), error) < 0)
				return -1;
			data = carriage;
			if (state->parser.pstate == CSV_ROW_NOT_BEGUN ||
			    inside_quotes(&state->parser))
				continue;
			*carriage = ' ';
			manifest_row_problem(manifest,
			                     "stray carriage return (CR) on line %llu outside "
			                     "quotes; re-save the file with LF or CRLF line ends",
			                     (unsigned long long)piece->line);
		}
	}
	return feed(manifest, data, (size_t)(end - data), error);
}

static void reset_row(struct csv_state *state)
{
	strbuf_reset(&state->text);
	state->field_count = 0;
	state->row_started = false;
	state->row_complete = false;
	state->plain_row = false;
}

static bool is_blank(char byte)
{
	return byte == ' ' || byte == '\t';
}

/* The fast path. A whole line whose fields are either plain (no quote, CR,
 * LF or NUL byte, and, when stored, no space or tab at either end) or quoted
 * from their first byte to a closing quote right before the delimiter or the
 * line end (inside: anything but CR, LF and NUL, quotes doubled) is exactly
 * what libcsv would make of it: the plain fields as they are, the quoted
 * ones without their quotes and with each doubled quote single, no problem.
 * The values are NUL-terminated (a quoted one with doubled quotes first
 * shifted left over them) where they lie in the line reader's block (valid
 * until the next line is read, i.e. the next manifest_next): no libcsv state
 * machine, no callbacks, no copy. Any other line (blank, a quote inside a
 * plain field, a line end inside quotes, a field too long...) returns false
 * with the block untouched, and libcsv reads it as before;
 * tests/unit/test_manifest_csv.c compares the two paths. */
/* Bytes of word equal to 0, as their high bit; the lowest one is exact
 * (a flag above a zero byte may be false), which is all next_special needs. */
static uint64_t zero_bytes(uint64_t word)
{
	return (word - UINT64_C(0x0101010101010101)) & ~word & UINT64_C(0x8080808080808080);
}

/* The first byte from scan on that is stop (the delimiter outside quotes,
 * the quote inside them) or needs libcsv (byte_class 2: quote, CR, LF,
 * NUL), or end: sixteen bytes a step with SSE2 (every x86-64 has it), else
 * eight, while they fit before end, then one at a time. */
static char *next_special(const struct csv_state *state, char *scan, char *end, char stop)
{
#ifdef __SSE2__
	const __m128i stop_bytes = _mm_set1_epi8(stop);
	const __m128i quote = _mm_set1_epi8('"');
	const __m128i carriage = _mm_set1_epi8('\r');
	const __m128i newline = _mm_set1_epi8('\n');
	const __m128i nul = _mm_setzero_si128();
	while (end - scan >= 16) {
		__m128i bytes = _mm_loadu_si128((const __m128i *)(const void *)scan);
		__m128i special = _mm_or_si128(
		    _mm_or_si128(_mm_cmpeq_epi8(bytes, stop_bytes), _mm_cmpeq_epi8(bytes, quote)),
		    _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(bytes, carriage),
		                              _mm_cmpeq_epi8(bytes, newline)),
		                 _mm_cmpeq_epi8(bytes, nul)));
		unsigned mask = (unsigned)_mm_movemask_epi8(special);
		if (mask)
			return scan + __builtin_ctz(mask);
		scan += 16;
	}
#endif
	const uint64_t ones = UINT64_C(0x0101010101010101);
	const uint64_t stop_word = ones * (unsigned char)stop;
	while (end - scan >= 8) {
		uint64_t word;
		memcpy(&word, scan, sizeof(word));
		uint64_t special = zero_bytes(word ^ stop_word) | zero_bytes(word ^ (ones * '"')) |
		                   zero_bytes(word ^ (ones * '\r')) |
		                   zero_bytes(word ^ (ones * '\n')) | zero_bytes(word);
		if (special)
			return scan + (__builtin_ctzll(special) >> 3);
		scan += 8;
	}
	while (scan < end && *scan != stop && state->byte_class[(unsigned char)*scan] != 2)
		scan++;
	return scan;
}

/* The end of the quoted field whose opening quote is at start: its closing
 * quote, with *pairs the doubled quotes inside; NULL when the field is not
 * one the fast path takes (a CR, LF or NUL inside, no closing quote, or
 * something other than the delimiter or the line end after it). */
static char *closing_quote(const struct csv_state *state, char *start, char *end, size_t *pairs)
{
	*pairs = 0;
	for (char *scan = start + 1;;) {
		char *quote = next_special(state, scan, end, '"');
		if (quote == end || *quote != '"')
			return NULL;
		if (quote + 1 < end && quote[1] == '"') {
			(*pairs)++;
			scan = quote + 2;
			continue;
		}
		if (quote + 1 < end && quote[1] != state->delimiter)
			return NULL;
		return quote;
	}
}

/* Takes the doubled quotes out of a quoted value in place (each pair becomes
 * one quote) and NUL-terminates it at its new end. */
static void unescape_quotes(char *value, const char *stop)
{
	char *write = value;
	for (const char *read = value; read < stop;) {
		char byte = *read++;
		*write++ = byte;
		if (byte == '"')
			read++; /* the pair's second quote */
	}
	*write = '\0';
}

/* Lines this long or shorter are mapped in one pass (delimiter_map). */
#define MAPPED_LINE_MAX 256u
#define MAP_WORDS       (MAPPED_LINE_MAX / 64u)

/* One pass over a line of at most MAPPED_LINE_MAX bytes: the positions of
 * the delimiter as bits of map (bit i of map[i / 64]), and whether every
 * byte is ASCII. False when the line holds a quote, CR, LF or NUL (the
 * field-by-field loop in split_plain_line takes it then). */
static bool delimiter_map(const struct csv_state *state, const char *line, size_t length,
                          uint64_t map[MAP_WORDS], bool *ascii)
{
	memset(map, 0, MAP_WORDS * sizeof(*map));
	unsigned special = 0;
	unsigned high = 0;
	size_t at = 0;
#ifdef __SSE2__
	if (length >= 16) {
		const __m128i delimiter = _mm_set1_epi8(state->delimiter);
		const __m128i quote = _mm_set1_epi8('"');
		const __m128i carriage = _mm_set1_epi8('\r');
		const __m128i newline = _mm_set1_epi8('\n');
		const __m128i nul = _mm_setzero_si128();
		for (; at < length; at += 16) {
			/* the last chunk ends at the line's end, overlapping the one before */
			size_t from = at + 16 <= length ? at : length - 16;
			unsigned skip = (unsigned)(at - from);
			__m128i bytes =
			    _mm_loadu_si128((const __m128i *)(const void *)(line + from));
			unsigned found =
			    (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(bytes, delimiter)) >> skip;
			special |= (unsigned)_mm_movemask_epi8(_mm_or_si128(
			               _mm_or_si128(_mm_cmpeq_epi8(bytes, quote),
			                            _mm_cmpeq_epi8(bytes, nul)),
			               _mm_or_si128(_mm_cmpeq_epi8(bytes, carriage),
			                            _mm_cmpeq_epi8(bytes, newline)))) >>
			           skip;
			high |= (unsigned)_mm_movemask_epi8(bytes) >> skip;
			/* at is a multiple of 16: its bits never straddle two words */
			map[at / 64] |= (uint64_t)found << (at % 64);
		}
	}
#endif
	for (; at < length; at++) {
		unsigned char byte = (unsigned char)line[at];
		if (byte == (unsigned char)state->delimiter)
			map[at / 64] |= UINT64_C(1) << (at % 64);
		special |= state->byte_class[byte] == 2;
		high |= byte >> 7;
	}
	*ascii = high == 0;
	return special == 0;
}

/* Takes the plain field [start, stop) as the row's field index (when it is
 * stored); false when it has a blank at either end (libcsv trims it). */
static bool take_field(struct manifest *manifest, size_t index, char *start, char *stop)
{
	struct csv_state *state = &manifest->csv;
	if (index >= state->store_limit)
		return true;
	size_t length = (size_t)(stop - start);
	if (length && (is_blank(start[0]) || is_blank(stop[-1])))
		return false;
	state->field_ends[index] = stop;
	state->field_pairs[index] = false;
	manifest->values[index] = start;
	state->lengths[index] = length;
	return true;
}

/* split_plain_line for a line that delimiter_map mapped: the fields are the
 * pieces between the delimiters. */
static bool split_mapped_line(struct manifest *manifest, char *line, char *end,
                              const uint64_t map[MAP_WORDS])
{
	struct csv_state *state = &manifest->csv;
	size_t count = 0;
	char *start = line;
	for (size_t word = 0; word < MAP_WORDS; word++)
		for (uint64_t bits = map[word]; bits; bits &= bits - 1) {
			char *stop = line + word * 64 + (size_t)__builtin_ctzll(bits);
			if (!take_field(manifest, count++, start, stop))
				return false;
			start = stop + 1;
		}
	if (!take_field(manifest, count++, start, end))
		return false;
	for (size_t index = 0; index < count && index < state->store_limit; index++)
		*state->field_ends[index] = '\0';
	state->field_count = count;
	return true;
}

static bool split_plain_line(struct manifest *manifest, struct line_piece *piece)
{
	struct csv_state *state = &manifest->csv;
	char *line = piece->data;
	char *end = line + piece->length;
	if (end > line && end[-1] == '\n')
		end--;
	if (end > line && end[-1] == '\r')
		end--;
	if (end == line || end == line + piece->length)
		return false; /* a blank line, or no line end to write the last NUL on */
	uint64_t map[MAP_WORDS];
	bool ascii = false;
	if ((size_t)(end - line) <= MAPPED_LINE_MAX &&
	    delimiter_map(state, line, (size_t)(end - line), map, &ascii)) {
		if (!split_mapped_line(manifest, line, end, map))
			return false;
		state->plain_row = true;
		state->row_ascii = ascii;
		return true;
	}
	size_t limit = state->store_limit;
	size_t count = 0;
	char *start = line;
	bool any_pairs = false;
	for (;;) {
		char *stop;
		char *value = start;
		size_t length;
		size_t pairs = 0;
		if (*start == '"') {
			stop = closing_quote(state, start, end, &pairs);
			if (!stop)
				return false;
			value = start + 1;
			length = (size_t)(stop - value);
			if (count < limit && length > MANIFEST_MAX_FIELD)
				return false;
			length -= pairs;
		} else {
			stop = next_special(state, start, end, state->delimiter);
			if (stop < end && state->byte_class[(unsigned char)*stop] == 2)
				return false;
			length = (size_t)(stop - start);
			if (count < limit &&
			    (length > MANIFEST_MAX_FIELD ||
			     (length && (is_blank(start[0]) || is_blank(stop[-1])))))
				return false;
		}
		if (count < limit) {
			state->field_ends[count] = stop;
			state->field_pairs[count] = pairs != 0;
			any_pairs |= pairs != 0;
			manifest->values[count] = value;
			state->lengths[count] = length;
		}
		count++;
		if (*stop == '"')
			stop++; /* the closing quote: the delimiter or the end follows */
		if (stop == end)
			break;
		start = stop + 1;
	}
	size_t stored = count < limit ? count : limit;
	for (size_t index = 0; index < stored; index++) {
		if (any_pairs && state->field_pairs[index])
			unescape_quotes((char *)(uintptr_t)manifest->values[index],
			                state->field_ends[index]);
		else
			*state->field_ends[index] = '\0';
	}
	state->field_count = count;
	state->plain_row = true;
	state->row_ascii = utf8_is_ascii(line, (size_t)(end - line));
	return true;
}

/* Reads one complete row into the csv state: 1, 0 at the end, -1 on error. */
static int read_row(struct manifest *manifest, struct error *error)
{
	struct csv_state *state = &manifest->csv;
	reset_row(state);
	struct line_piece piece;
	for (;;) {
		int result = line_reader_next(&manifest->lines, &piece, error);
		if (result < 0)
			return -1;
		if (result == 0)
			break;
		if (!state->row_started && !state->reading_header && !manifest->no_fast_paths &&
		    piece.starts_line && piece.ends_line &&
		    state->parser.pstate == CSV_ROW_NOT_BEGUN &&
		    split_plain_line(manifest, &piece)) {
			state->row_started = true;
			state->row_complete = true;
			state->row_line = piece.line;
			state->row_offset = piece.line_offset;
			return 1;
		}
		bool was_started = state->row_started;
		if (feed_piece(manifest, &piece, error) < 0)
			return -1;
		if (!was_started && (state->row_complete || state->field_count > 0 ||
		                     state->parser.pstate != CSV_ROW_NOT_BEGUN)) {
			state->row_started = true;
			state->row_line = piece.line;
			state->row_offset = piece.line_offset;
		}
		if (state->row_complete)
			return 1;
		if (state->reading_header && manifest->problem.length)
			return 1; /* a broken header is refused without reading the rest */
	}
	if (inside_quotes(&state->parser))
		manifest_row_problem(manifest, "field %zu: a quote opens but is never closed",
		                     state->field_count + 1);
	csv_fini(&state->parser, on_field, on_row, manifest);
	return state->row_complete ? 1 : 0;
}

/* The cell as it was before this tool's errors.csv writer guarded it
 * against formula injection: exactly one ' in front of text that needs
 * the guard (csv_needs_formula_guard), nothing else. */
static const char *unguarded(const char *value)
{
	return value[0] == '\'' && csv_needs_formula_guard(value + 1) ? value + 1 : value;
}

static int csv_next(struct manifest *manifest, struct manifest_row *row, struct error *error)
{
	struct csv_state *state = &manifest->csv;
	int result = read_row(manifest, error);
	if (result <= 0)
		return result;
	size_t columns = manifest->column_count;
	/* a plain line with every column and no guard to take off: split_plain_line
	 * has set every value and length already */
	bool complete = state->plain_row && !manifest->unguard && state->field_count >= columns;
	for (size_t index = 0; !complete && index < columns; index++) {
		if (state->plain_row) {
			/* split_plain_line set the fields the line has, and their lengths */
			if (index >= state->field_count) {
				manifest->values[index] = NULL;
				state->lengths[index] = 0;
			}
		} else {
			size_t offset =
			    index < state->field_count ? state->field_offsets[index] : NO_FIELD;
			manifest->values[index] =
			    offset == NO_FIELD ? NULL : state->text.data + offset;
			state->lengths[index] =
			    offset == NO_FIELD ? 0 : strlen(state->text.data + offset);
		}
		if (manifest->unguard && manifest->values[index]) {
			const char *value = unguarded(manifest->values[index]);
			state->lengths[index] -= (size_t)(value - manifest->values[index]);
			manifest->values[index] = value;
		}
	}
	if (state->field_count > columns)
		manifest_row_problem(manifest, "row has %zu fields, the header has %zu",
		                     state->field_count, columns);
	row->number = ++manifest->rows_read;
	row->line = state->row_line;
	row->offset = state->row_offset;
	row->value_count = columns;
	row->values = manifest->values;
	row->lengths = state->lengths;
	row->ascii = state->plain_row && state->row_ascii;
	row->problem = manifest->problem.length ? strbuf_text(&manifest->problem) : NULL;
	return 1;
}

static int start_parser(struct manifest *manifest, struct error *error)
{
	struct csv_state *state = &manifest->csv;
	if (csv_init(&state->parser, 0) != 0)
		return error_set_at(error, manifest->path, 0, "out of memory");
	state->parser_ready = true;
	csv_set_delim(&state->parser, (unsigned char)manifest->delimiter);
	csv_set_realloc_func(&state->parser, capped_realloc);
	csv_set_blk_size(&state->parser, CSV_GROW_STEP);
	/* what sends a line to libcsv: its quote, line ends, NUL (checked by feed_piece) */
	memset(state->byte_class, 0, sizeof(state->byte_class));
	state->delimiter = manifest->delimiter;
	state->byte_class[(unsigned char)manifest->delimiter] = 1;
	state->byte_class[(unsigned char)'"'] = 2;
	state->byte_class[(unsigned char)'\r'] = 2;
	state->byte_class[(unsigned char)'\n'] = 2;
	state->byte_class[0] = 2;
	state->field_overflow = false;
	state->overflow_in_quotes = false;
	return 0;
}

static void csv_restart(struct manifest *manifest)
{
	struct csv_state *state = &manifest->csv;
	/* csv_fini without callbacks just resets the parser state. */
	csv_fini(&state->parser, NULL, NULL, NULL);
	state->field_overflow = false;
	state->overflow_in_quotes = false;
	reset_row(state);
}

static void csv_release(struct manifest *manifest)
{
	struct csv_state *state = &manifest->csv;
	if (state->parser_ready)
		csv_free(&state->parser);
	strbuf_release(&state->text);
	free(state->field_offsets);
	free(state->field_ends);
	free(state->lengths);
	free(state->field_pairs);
}

static const struct manifest_reader_ops csv_ops = {
    .next = csv_next,
    .restart = csv_restart,
    .release = csv_release,
};

static int check_header(struct manifest *manifest, struct error *error)
{
	for (size_t index = 0; index < manifest->column_count; index++) {
		const char *name = manifest->column_names[index];
		if (column_name_looks_like_data(name))
			return error_set_at(error, manifest->path, manifest->header_line,
			                    "the first line looks like data, not a header (column "
			                    "%zu is '%.40s'); add a header line naming the columns",
			                    index + 1, name);
		if (name[0] == '\0')
			continue;
		for (size_t other = 0; other < index; other++)
			if (column_name_equal(name, manifest->column_names[other]))
				return error_set_at(
				    error, manifest->path, manifest->header_line,
				    "the header names column '%.80s' twice (columns %zu and "
				    "%zu); rename one",
				    name, other + 1, index + 1);
	}
	return 0;
}

int csv_reader_open(struct manifest *manifest, struct error *error)
{
	struct csv_state *state = &manifest->csv;
	manifest->reader = &csv_ops;
	strbuf_init(&state->text, MANIFEST_MAX_LINE);
	if (start_parser(manifest, error) < 0)
		return -1;
	state->store_limit = MANIFEST_MAX_COLUMNS;
	state->reading_header = true;
	int result = read_row(manifest, error);
	state->reading_header = false;
	if (result < 0)
		return -1;
	if (result == 0)
		return error_set_at(error, manifest->path, 0, "no header line");
	manifest->header_line = state->row_line;
	if (state->field_count > MANIFEST_MAX_COLUMNS)
		return error_set_at(error, manifest->path, manifest->header_line,
		                    "the header has %zu columns; at most %u are allowed",
		                    state->field_count, MANIFEST_MAX_COLUMNS);
	if (manifest->problem.length)
		return error_set_at(error, manifest->path, manifest->header_line, "header: %s",
		                    strbuf_text(&manifest->problem));
	for (size_t index = 0; index < state->field_count; index++) {
		const char *name = state->text.data + state->field_offsets[index];
		if (column_name_equal(name, "error") || column_name_equal(name, "source_row"))
			manifest->unguard = true;
	}
	for (size_t index = 0; index < state->field_count; index++) {
		const char *name = state->text.data + state->field_offsets[index];
		if (manifest->unguard)
			name = unguarded(name);
		if (manifest_add_column(manifest, name, strlen(name)) < 0)
			return error_set_at(error, manifest->path, 0, "out of memory");
	}
	state->store_limit = manifest->column_count;
	size_t columns = manifest->column_count ? manifest->column_count : 1;
	state->field_ends = calloc(columns, sizeof(*state->field_ends));
	state->lengths = calloc(columns, sizeof(*state->lengths));
	state->field_pairs = calloc(columns, sizeof(*state->field_pairs));
	if (!state->field_ends || !state->lengths || !state->field_pairs)
		return error_set_at(error, manifest->path, 0, "out of memory");
	return check_header(manifest, error);
}
