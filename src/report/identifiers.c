/* The identifying value of the sample rows (the operation's key field, e.g.
 * iccid or device_name), read from OUT/results.csv: one streaming pass that
 * stops after the highest sample row. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/report_data.h"

#define KEY_COLUMN     6   /* row,status,http_status,message,attempts,finished_at,<key> */
#define FIELD_CAPACITY 256 /* longer identifiers are cut (they are shown, not used) */

struct wanted {
	uint64_t row;
	struct group_sample *sample;
};

static int compare_wanted(const void *left, const void *right)
{
	const struct wanted *a = left, *b = right;
	return a->row < b->row ? -1 : a->row > b->row;
}

/* A CSV reader for the file our own writer made (RFC 4180): it keeps the
 * text of field 0 and field KEY_COLUMN of each record. */
struct reader {
	FILE *file;
	char buffer[65536];
	size_t length, at;
	char row[32], key[FIELD_CAPACITY];
	size_t row_length, key_length;
};

static int next_byte(struct reader *reader)
{
	if (reader->at == reader->length) {
		reader->length = fread(reader->buffer, 1, sizeof(reader->buffer), reader->file);
		reader->at = 0;
		if (reader->length == 0)
			return EOF;
	}
	return (unsigned char)reader->buffer[reader->at++];
}

/* Reads one record. Returns 1, or 0 at the end of the file. */
static int next_record(struct reader *reader)
{
	size_t field = 0;
	bool quoted = false, any = false;
	reader->row_length = reader->key_length = 0;
	for (;;) {
		int byte = next_byte(reader);
		if (byte == EOF)
			return any;
		any = true;
		if (quoted) {
			if (byte == '"') {
				int after = next_byte(reader);
				if (after != '"') {
					quoted = false;
					if (after == EOF)
						return 1;
					byte = after;
					goto plain;
				}
			}
			goto keep;
		}
	plain:
		if (byte == '"') {
			quoted = true;
			continue;
		}
		if (byte == ',') {
			field++;
			continue;
		}
		if (byte == '\n')
			return 1;
		if (byte == '\r')
			continue;
	keep:
		if (field == 0 && reader->row_length < sizeof(reader->row) - 1)
			reader->row[reader->row_length++] = (char)byte;
		else if (field == KEY_COLUMN && reader->key_length < sizeof(reader->key) - 1)
			reader->key[reader->key_length++] = (char)byte;
	}
}

static uint64_t row_number(const struct reader *reader)
{
	uint64_t row = 0;
	for (size_t index = 0; index < reader->row_length; index++) {
		char digit = reader->row[index];
		if (digit < '0' || digit > '9' || row > UINT64_MAX / 10)
			return 0;
		row = row * 10 + (uint64_t)(digit - '0');
	}
	return row;
}

void report_identifiers_fill(struct report_data *data)
{
	size_t count = 0;
	for (size_t group = 0; group < data->groups.used; group++)
		count += data->groups.groups[group].samples;
	char path[4096];
	if (!count ||
	    snprintf(path, sizeof(path), "%s/results.csv", data->directory) >= (int)sizeof(path))
		return;
	struct wanted *wanted = malloc(count * sizeof(*wanted));
	struct reader *reader = malloc(sizeof(*reader));
	if (!wanted || !reader)
		goto out;
	memset(reader, 0, sizeof(*reader));
	reader->file = fopen(path, "rb");
	if (!reader->file)
		goto out;
	size_t used = 0;
	for (size_t group = 0; group < data->groups.used; group++)
		for (size_t index = 0; index < data->groups.groups[group].samples; index++)
			wanted[used++] =
			    (struct wanted){data->groups.groups[group].sample[index].row,
			                    &data->groups.groups[group].sample[index]};
	qsort(wanted, used, sizeof(*wanted), compare_wanted);
	if (!next_record(reader))
		goto out;
	if (reader->key_length) {
		size_t length = reader->key_length < sizeof(data->identifier_name) - 1
		                    ? reader->key_length
		                    : sizeof(data->identifier_name) - 1;
		memcpy(data->identifier_name, reader->key, length);
		data->identifier_name[length] = '\0';
	}
	size_t next = 0;
	while (next < used && next_record(reader)) {
		uint64_t row = row_number(reader);
		while (next < used && wanted[next].row < row)
			next++;
		for (; next < used && wanted[next].row == row; next++) {
			char *copy = malloc(reader->key_length + 1);
			if (!copy)
				goto out;
			memcpy(copy, reader->key, reader->key_length);
			copy[reader->key_length] = '\0';
			free(wanted[next].sample->identifier);
			wanted[next].sample->identifier = copy;
		}
	}
out:
	if (reader && reader->file)
		fclose(reader->file);
	free(reader);
	free(wanted);
}
