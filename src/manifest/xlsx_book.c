/* Workbook-level parts, each parsed once when the manifest is opened. */
#include "manifest/xlsx_book.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/strbuf.h"
#include "manifest/manifest.h"
#include "manifest/xlsx_xml.h"

#define RELATIONSHIP_PREFIX "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
#define MAX_CUSTOM_FORMATS  4096u

/* workbook.xml and its relationships */
struct sheets_parse {
	struct xlsx_xml_user xml;
	struct xlsx_book *book;
	char **relation_ids;
	bool failed;
};

static char *copy_text(const char *text)
{
	return strdup(text ? text : "");
}

static void on_workbook_start(void *data, const XML_Char *name, const XML_Char **attributes)
{
	struct sheets_parse *parse = data;
	struct xlsx_book *book = parse->book;
	const char *local = xlsx_xml_local(name);
	if (strcmp(local, "workbookPr") == 0) {
		const char *flag = xlsx_xml_attribute(attributes, "date1904");
		book->date1904 = flag && (strcmp(flag, "1") == 0 || strcasecmp(flag, "true") == 0);
		return;
	}
	if (strcmp(local, "sheet") != 0)
		return;
	if (book->sheet_count == XLSX_MAX_SHEETS) {
		xlsx_xml_refuse(&parse->xml, "more than 4096 sheets");
		return;
	}
	size_t index = book->sheet_count;
	book->sheet_names[index] = copy_text(xlsx_xml_attribute(attributes, "name"));
	parse->relation_ids[index] = copy_text(xlsx_xml_attribute(attributes, "id"));
	book->sheet_count++;
	if (!book->sheet_names[index] || !parse->relation_ids[index])
		xlsx_xml_refuse(&parse->xml, "out of memory");
}

static void on_ignored_end(void *data, const XML_Char *name)
{
	(void)data;
	(void)name;
}

static void on_ignored_text(void *data, const XML_Char *text, int length)
{
	(void)data;
	(void)text;
	(void)length;
}

/* Targets are relative to xl/ unless absolute within the package. */
static char *part_name(const char *target)
{
	struct strbuf path;
	strbuf_init(&path, 4096);
	if (target[0] == '/')
		strbuf_append_string(&path, target + 1);
	else if (strncmp(target, "../", 3) == 0)
		strbuf_append_string(&path, target + 3);
	else
		strbuf_appendf(&path, "xl/%s", target);
	char *name = strbuf_detach(&path, NULL);
	strbuf_release(&path);
	return name;
}

static void on_relationship_start(void *data, const XML_Char *name, const XML_Char **attributes)
{
	struct sheets_parse *parse = data;
	struct xlsx_book *book = parse->book;
	if (strcmp(xlsx_xml_local(name), "Relationship") != 0)
		return;
	const char *id = xlsx_xml_attribute(attributes, "Id");
	const char *target = xlsx_xml_attribute(attributes, "Target");
	const char *type = xlsx_xml_attribute(attributes, "Type");
	if (!id || !target || !type)
		return;
	size_t type_length = strlen(type);
	bool worksheet = type_length >= 10 && strcmp(type + type_length - 10, "/worksheet") == 0;
	for (size_t index = 0; index < book->sheet_count; index++) {
		if (book->sheet_parts[index] || strcmp(parse->relation_ids[index], id) != 0)
			continue;
		/* a chart sheet keeps an empty part: it is listed but holds no rows */
		book->sheet_parts[index] = worksheet ? part_name(target) : strdup("");
		if (!book->sheet_parts[index])
			xlsx_xml_refuse(&parse->xml, "out of memory");
	}
}

static int parse_part(const struct xlsx_archive *archive, const char *part, uint64_t cap,
                      struct xlsx_xml_user *user, XML_StartElementHandler start,
                      XML_EndElementHandler end, XML_CharacterDataHandler text, struct error *error)
{
	if (!xlsx_xml_create(user, start, end ? end : on_ignored_end,
	                     text ? text : on_ignored_text))
		return error_set_at(error, archive->path, 0, "out of memory");
	int result = xlsx_xml_parse_entry(archive, part, cap, user, error);
	XML_ParserFree(user->parser);
	user->parser = NULL;
	return result;
}

static void list_sheets(const struct xlsx_book *book, struct strbuf *list)
{
	for (size_t index = 0; index < book->sheet_count && list->length < 300; index++)
		strbuf_appendf(list, "%s'%.60s'", index ? ", " : "", book->sheet_names[index]);
	if (list->length >= 300)
		strbuf_append_string(list, ", ...");
}

static int choose_sheet(struct xlsx_book *book, const char *path, const char *wanted,
                        struct error *error)
{
	if (!wanted) {
		for (size_t index = 0; index < book->sheet_count; index++) {
			if (book->sheet_parts[index][0]) {
				book->sheet = index;
				return 0;
			}
		}
		return error_set_at(error, path, 0,
		                    "the workbook has no worksheets (no rows to read)");
	}
	size_t found = book->sheet_count;
	for (size_t index = 0; index < book->sheet_count && found == book->sheet_count; index++)
		if (strcmp(book->sheet_names[index], wanted) == 0)
			found = index;
	for (size_t index = 0; index < book->sheet_count && found == book->sheet_count; index++)
		if (strcasecmp(book->sheet_names[index], wanted) == 0)
			found = index;
	if (found == book->sheet_count) {
		struct strbuf list;
		strbuf_init(&list, 512);
		list_sheets(book, &list);
		error_set_at(error, path, 0, "no sheet named '%.80s'; the workbook has %s", wanted,
		             book->sheet_count ? strbuf_text(&list) : "no sheets");
		strbuf_release(&list);
		return -1;
	}
	if (!book->sheet_parts[found][0])
		return error_set_at(error, path, 0,
		                    "sheet '%.80s' is a chart sheet, not a worksheet",
		                    book->sheet_names[found]);
	book->sheet = found;
	return 0;
}

static int load_sheets(struct xlsx_book *book, const struct xlsx_archive *archive,
                       const char *wanted, struct error *error)
{
	struct sheets_parse parse = {.book = book};
	int result = -1;
	book->sheet_names = calloc(XLSX_MAX_SHEETS, sizeof(char *));
	book->sheet_parts = calloc(XLSX_MAX_SHEETS, sizeof(char *));
	parse.relation_ids = calloc(XLSX_MAX_SHEETS, sizeof(char *));
	if (!book->sheet_names || !book->sheet_parts || !parse.relation_ids) {
		error_set_at(error, archive->path, 0, "out of memory");
		goto out;
	}
	if (parse_part(archive, "xl/workbook.xml", XLSX_MAX_SMALL, &parse.xml, on_workbook_start,
	               NULL, NULL, error) < 0)
		goto out;
	if (parse_part(archive, "xl/_rels/workbook.xml.rels", XLSX_MAX_SMALL, &parse.xml,
	               on_relationship_start, NULL, NULL, error) < 0)
		goto out;
	/* without relationships, fall back on the conventional part names */
	for (size_t index = 0; index < book->sheet_count; index++) {
		if (book->sheet_parts[index])
			continue;
		char name[64];
		snprintf(name, sizeof(name), "xl/worksheets/sheet%zu.xml", index + 1);
		book->sheet_parts[index] = strdup(xlsx_archive_has(archive, name) ? name : "");
		if (!book->sheet_parts[index]) {
			error_set_at(error, archive->path, 0, "out of memory");
			goto out;
		}
	}
	result = choose_sheet(book, archive->path, wanted, error);
out:
	if (parse.relation_ids)
		for (size_t index = 0; index < book->sheet_count; index++)
			free(parse.relation_ids[index]);
	free(parse.relation_ids);
	return result;
}

/* styles.xml: which cellXfs entries format numbers as dates */
struct styles_parse {
	struct xlsx_xml_user xml;
	struct xlsx_book *book;
	int depth_cell_xfs;
	unsigned custom_ids[MAX_CUSTOM_FORMATS];
	bool custom_date[MAX_CUSTOM_FORMATS];
	size_t custom_count;
};

static bool builtin_date_format(unsigned id)
{
	return (id >= 14 && id <= 22) || (id >= 27 && id <= 36) || (id >= 45 && id <= 47) ||
	       (id >= 50 && id <= 58);
}

/* A format code is a date when, outside quotes, escapes and [colour]
 * brackets, it holds a date or time letter. */
static bool date_format_code(const char *code)
{
	for (const char *at = code; *at; at++) {
		if (*at == '"') {
			const char *close = strchr(at + 1, '"');
			if (!close)
				return false;
			at = close;
		} else if (*at == '\\' || *at == '_' || *at == '*') {
			if (!at[1])
				return false;
			at++;
		} else if (*at == '[') {
			const char *close = strchr(at + 1, ']');
			if (!close)
				return false;
			if (strchr("hHmMsS", at[1]))
				return true; /* [h]:mm elapsed time */
			at = close;
		} else if (strchr("yYmMdDhHsS", *at)) {
			return true;
		}
	}
	return false;
}

static void on_styles_start(void *data, const XML_Char *name, const XML_Char **attributes)
{
	struct styles_parse *parse = data;
	struct xlsx_book *book = parse->book;
	const char *local = xlsx_xml_local(name);
	if (strcmp(local, "cellXfs") == 0) {
		parse->depth_cell_xfs++;
	} else if (strcmp(local, "numFmt") == 0 && parse->custom_count < MAX_CUSTOM_FORMATS) {
		const char *id = xlsx_xml_attribute(attributes, "numFmtId");
		const char *code = xlsx_xml_attribute(attributes, "formatCode");
		if (id && code) {
			parse->custom_ids[parse->custom_count] = (unsigned)strtoul(id, NULL, 10);
			parse->custom_date[parse->custom_count] = date_format_code(code);
			parse->custom_count++;
		}
	} else if (strcmp(local, "xf") == 0 && parse->depth_cell_xfs > 0) {
		if (book->style_count == XLSX_MAX_STYLES) {
			xlsx_xml_refuse(&parse->xml, "more than 65536 cell styles");
			return;
		}
		const char *id_text = xlsx_xml_attribute(attributes, "numFmtId");
		unsigned id = id_text ? (unsigned)strtoul(id_text, NULL, 10) : 0;
		bool date = builtin_date_format(id);
		for (size_t index = 0; index < parse->custom_count; index++)
			if (parse->custom_ids[index] == id)
				date = parse->custom_date[index];
		book->date_styles[book->style_count++] = date ? 1 : 0;
	}
}

static void on_styles_end(void *data, const XML_Char *name)
{
	struct styles_parse *parse = data;
	if (strcmp(xlsx_xml_local(name), "cellXfs") == 0 && parse->depth_cell_xfs > 0)
		parse->depth_cell_xfs--;
}

static int load_styles(struct xlsx_book *book, const struct xlsx_archive *archive,
                       struct error *error)
{
	book->date_styles = calloc(XLSX_MAX_STYLES, 1);
	struct styles_parse *parse = calloc(1, sizeof(*parse));
	int result = -1;
	if (!book->date_styles || !parse) {
		error_set_at(error, archive->path, 0, "out of memory");
		goto out;
	}
	parse->book = book;
	if (parse_part(archive, "xl/styles.xml", XLSX_MAX_SMALL, &parse->xml, on_styles_start,
	               on_styles_end, NULL, error) < 0)
		goto out;
	result = 0;
out:
	free(parse);
	return result;
}

/* A packed string starts with this byte, which UTF-8 text never holds (the
 * table is what expat decoded: UTF-8). Its digits follow two a byte, high
 * nibble first, an odd count padded with PACK_PAD; no NUL: the next offset
 * tells its size. */
#define PACK_MARK 0xFFu
#define PACK_PAD  0xFu

static bool packable(const char *text, size_t length)
{
	if (length < 2 || length > XLSX_PACKED_MAX_DIGITS)
		return false;
	for (size_t index = 0; index < length; index++)
		if (text[index] < '0' || text[index] > '9')
			return false;
	return true;
}

/* Rewrites the unescaped string text[0..length) in place as it is kept: packed
 * when it is digits alone, else NUL-terminated. Returns the bytes it takes. */
static size_t store_string(char *text, size_t length)
{
	if (!packable(text, length)) {
		text[length] = '\0';
		return length + 1;
	}
	/* byte k + 1 takes digits 2k and 2k + 1: both were read before it is written */
	unsigned char *packed = (unsigned char *)text;
	size_t bytes = 1 + (length + 1) / 2;
	for (size_t pair = 0; pair < (length + 1) / 2; pair++) {
		unsigned high = (unsigned)(text[2 * pair] - '0');
		unsigned low =
		    2 * pair + 1 < length ? (unsigned)(text[2 * pair + 1] - '0') : PACK_PAD;
		packed[pair + 1] = (unsigned char)(high << 4 | low);
	}
	packed[0] = PACK_MARK;
	return bytes;
}

/* sharedStrings.xml: every <si>'s text, phonetic runs (<rPh>) left out */
struct strings_parse {
	struct xlsx_xml_user xml;
	struct xlsx_book *book;
	struct strbuf arena;
	size_t capacity;
	bool in_item;
	bool in_text;
	int phonetic_depth;
	size_t item_start;
	const char *path;
};

static void on_strings_start(void *data, const XML_Char *name, const XML_Char **attributes)
{
	(void)attributes;
	struct strings_parse *parse = data;
	const char *local = xlsx_xml_local(name);
	if (strcmp(local, "si") == 0) {
		parse->in_item = true;
		parse->item_start = parse->arena.length;
	} else if (strcmp(local, "rPh") == 0) {
		parse->phonetic_depth++;
	} else if (strcmp(local, "t") == 0 && parse->in_item && parse->phonetic_depth == 0) {
		parse->in_text = true;
	}
}

static void refuse_too_many(struct strings_parse *parse)
{
	xlsx_xml_refuse(&parse->xml,
	                "the shared-strings table is larger than lattigo-batch holds in memory "
	                "(128 MiB of text or 16,777,216 strings); split the workbook, or save "
	                "the sheet as \"CSV UTF-8\"");
}

static void on_strings_end(void *data, const XML_Char *name)
{
	struct strings_parse *parse = data;
	struct xlsx_book *book = parse->book;
	const char *local = xlsx_xml_local(name);
	if (strcmp(local, "t") == 0) {
		parse->in_text = false;
	} else if (strcmp(local, "rPh") == 0) {
		parse->phonetic_depth--;
	} else if (strcmp(local, "si") == 0 && parse->in_item) {
		parse->in_item = false;
		if (book->string_count == XLSX_MAX_SHARED_STRINGS) {
			refuse_too_many(parse);
			return;
		}
		if (book->string_count + 1 >= parse->capacity) {
			size_t capacity = parse->capacity ? parse->capacity * 2 : 1024;
			uint32_t *offsets =
			    realloc(book->string_offsets, capacity * sizeof(*book->string_offsets));
			if (!offsets) {
				xlsx_xml_refuse(&parse->xml, "out of memory");
				return;
			}
			book->string_offsets = offsets;
			parse->capacity = capacity;
		}
		if (strbuf_append_char(&parse->arena, '\0') != STRBUF_OK) {
			refuse_too_many(parse);
			return;
		}
		char *item = parse->arena.data + parse->item_start;
		size_t length = parse->arena.length - 1 - parse->item_start;
		length = xlsx_xml_unescape(item, length);
		parse->arena.length = parse->item_start + store_string(item, length);
		book->string_offsets[book->string_count] = (uint32_t)parse->item_start;
		book->string_count++;
		/* one past the last: the next string's start, so lengths need no array */
		book->string_offsets[book->string_count] = (uint32_t)parse->arena.length;
	}
}

static void on_strings_text(void *data, const XML_Char *text, int length)
{
	struct strings_parse *parse = data;
	if (!parse->in_text || length <= 0)
		return;
	/* one string longer than a field is kept one byte too long: the row
	 * reader then reports the field as too long */
	size_t have = parse->arena.length - parse->item_start;
	size_t room = have > MANIFEST_MAX_FIELD ? 0 : MANIFEST_MAX_FIELD + 1 - have;
	size_t take = (size_t)length < room ? (size_t)length : room;
	if (take && strbuf_append(&parse->arena, text, take) != STRBUF_OK)
		refuse_too_many(parse);
}

static int load_strings(struct xlsx_book *book, const struct xlsx_archive *archive,
                        struct error *error)
{
	struct strings_parse parse = {.book = book, .path = archive->path};
	strbuf_init(&parse.arena, XLSX_MAX_SHARED_BYTES);
	int result = parse_part(archive, "xl/sharedStrings.xml", XLSX_ENTRY_CAP_STRINGS, &parse.xml,
	                        on_strings_start, on_strings_end, on_strings_text, error);
	book->strings = strbuf_detach(&parse.arena, NULL);
	strbuf_release(&parse.arena);
	if (result >= 0 && !book->strings)
		return error_set_at(error, archive->path, 0, "out of memory");
	return result < 0 ? -1 : 0;
}

int xlsx_book_load(struct xlsx_book *book, const struct xlsx_archive *archive,
                   const char *sheet_name, struct error *error)
{
	memset(book, 0, sizeof(*book));
	if (load_sheets(book, archive, sheet_name, error) < 0)
		return -1;
	if (load_styles(book, archive, error) < 0)
		return -1;
	return load_strings(book, archive, error);
}

const char *xlsx_book_string(const struct xlsx_book *book, uint64_t index, char *scratch,
                             size_t scratch_size, size_t *length)
{
	if (index >= book->string_count)
		return NULL;
	const char *stored = book->strings + book->string_offsets[index];
	size_t size = book->string_offsets[index + 1] - book->string_offsets[index];
	if ((unsigned char)stored[0] != PACK_MARK) {
		*length = size - 1;
		return stored;
	}
	const unsigned char *packed = (const unsigned char *)stored + 1;
	size_t digits = 2 * (size - 1) - ((packed[size - 2] & 0xFu) == PACK_PAD);
	if (digits >= scratch_size)
		return NULL; /* not as documented: a caller's bug, not the workbook's */
	for (size_t digit = 0; digit < digits; digit++) {
		unsigned byte = packed[digit / 2];
		scratch[digit] = (char)('0' + (digit % 2 ? byte & 0xFu : byte >> 4));
	}
	scratch[digits] = '\0';
	*length = digits;
	return scratch;
}

bool xlsx_book_is_date_style(const struct xlsx_book *book, uint64_t style)
{
	return style < book->style_count && book->date_styles[style];
}

void xlsx_book_release(struct xlsx_book *book)
{
	for (size_t index = 0; index < book->sheet_count; index++) {
		free(book->sheet_names[index]);
		if (book->sheet_parts)
			free(book->sheet_parts[index]);
	}
	free(book->sheet_names);
	free(book->sheet_parts);
	free(book->date_styles);
	free(book->strings);
	free(book->string_offsets);
	memset(book, 0, sizeof(*book));
}
