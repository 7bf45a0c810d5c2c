/* Shared expat set-up for the workbook parts. */
#include "manifest/xlsx_xml.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void xlsx_xml_refuse(struct xlsx_xml_user *user, const char *reason)
{
	if (!user->refusal[0])
		snprintf(user->refusal, sizeof(user->refusal), "%s", reason);
	XML_StopParser(user->parser, XML_FALSE);
}

static void on_doctype(void *data, const XML_Char *name, const XML_Char *system,
                       const XML_Char *public_id, int has_internal_subset)
{
	(void)name;
	(void)system;
	(void)public_id;
	(void)has_internal_subset;
	xlsx_xml_refuse(data, "it declares a DOCTYPE, which a workbook never needs (entity "
	                      "tricks are refused)");
}

static void on_entity(void *data, const XML_Char *name, int parameter, const XML_Char *value,
                      int value_length, const XML_Char *base, const XML_Char *system,
                      const XML_Char *public_id, const XML_Char *notation)
{
	(void)name;
	(void)parameter;
	(void)value;
	(void)value_length;
	(void)base;
	(void)system;
	(void)public_id;
	(void)notation;
	xlsx_xml_refuse(data, "it declares an XML entity (entity tricks are refused)");
}

/* Expat holds a whole tag (name and attributes) in memory before any handler
 * sees it, so a hostile part with a 500 MB attribute would be held whole.
 * Every expat allocation goes through these functions, which refuse to pass
 * XLSX_XML_MEMORY_CAP in all: expat then stops with "out of memory" and the
 * part is refused. One parser runs at a time (the parts are read one after
 * the other, the sheet last), so one counter serves them all. */
#define XLSX_XML_MEMORY_CAP (64u * 1024u * 1024u)

struct allocation_header {
	size_t size;
	max_align_t align; /* keeps the block after the header aligned */
};

static size_t expat_bytes;

static void *counted_malloc(size_t size)
{
	if (size > XLSX_XML_MEMORY_CAP - expat_bytes)
		return NULL;
	struct allocation_header *header = malloc(sizeof(*header) + size);
	if (!header)
		return NULL;
	header->size = size;
	expat_bytes += size;
	return header + 1;
}

static void counted_free(void *pointer)
{
	if (!pointer)
		return;
	struct allocation_header *header = (struct allocation_header *)pointer - 1;
	expat_bytes -= header->size;
	free(header);
}

static void *counted_realloc(void *pointer, size_t size)
{
	if (!pointer)
		return counted_malloc(size);
	struct allocation_header *header = (struct allocation_header *)pointer - 1;
	size_t old = header->size;
	if (size > old && size - old > XLSX_XML_MEMORY_CAP - expat_bytes)
		return NULL;
	struct allocation_header *grown = realloc(header, sizeof(*header) + size);
	if (!grown)
		return NULL;
	grown->size = size;
	expat_bytes = expat_bytes - old + size;
	return grown + 1;
}

static const XML_Memory_Handling_Suite counted_memory = {counted_malloc, counted_realloc,
                                                         counted_free};

XML_Parser xlsx_xml_create(struct xlsx_xml_user *user, XML_StartElementHandler start,
                           XML_EndElementHandler end, XML_CharacterDataHandler text)
{
	/* without namespace processing, which costs expat a good part of its time
	 * on a large sheet: names are matched by their local part instead */
	XML_Parser parser = XML_ParserCreate_MM(NULL, &counted_memory, NULL);
	if (!parser)
		return NULL;
	user->parser = parser;
	user->refusal[0] = '\0';
	XML_SetUserData(parser, user);
	XML_SetElementHandler(parser, start, end);
	XML_SetCharacterDataHandler(parser, text);
	XML_SetStartDoctypeDeclHandler(parser, on_doctype);
	XML_SetEntityDeclHandler(parser, on_entity);
	XML_SetParamEntityParsing(parser, XML_PARAM_ENTITY_PARSING_NEVER);
	return parser;
}

const char *xlsx_xml_local(const char *name)
{
	const char *bar = strrchr(name, '|');
	if (bar)
		return bar + 1;
	const char *colon = strrchr(name, ':');
	return colon ? colon + 1 : name;
}

const char *xlsx_xml_attribute(const char **attributes, const char *local)
{
	for (size_t index = 0; attributes[index]; index += 2)
		if (strncmp(attributes[index], "xmlns", 5) != 0 &&
		    strcmp(xlsx_xml_local(attributes[index]), local) == 0)
			return attributes[index + 1];
	return NULL;
}

int xlsx_xml_error(const struct xlsx_xml_user *user, const char *path, const char *part,
                   struct error *error)
{
	if (user->refusal[0])
		return error_set_at(error, path, 0, "the workbook part '%s' is refused: %s", part,
		                    user->refusal);
	if (XML_GetErrorCode(user->parser) == XML_ERROR_NO_MEMORY)
		return error_set_at(
		    error, path, 0,
		    "the workbook part '%s' is refused: a tag in it needs more than "
		    "%u MiB to parse (a hostile workbook?)",
		    part, XLSX_XML_MEMORY_CAP / (1024u * 1024u));
	return error_set_at(error, path, 0,
	                    "the workbook part '%s' is not well-formed XML: %s at "
	                    "line %lu",
	                    part, XML_ErrorString(XML_GetErrorCode(user->parser)),
	                    (unsigned long)XML_GetCurrentLineNumber(user->parser));
}

int xlsx_xml_parse_entry(const struct xlsx_archive *archive, const char *name, uint64_t cap,
                         struct xlsx_xml_user *user, struct error *error)
{
	struct xlsx_entry entry;
	int opened = xlsx_entry_open(&entry, archive, name, cap, error);
	if (opened <= 0)
		return opened;
	int result = -1;
	for (;;) {
		const char *data = NULL;
		long got = xlsx_entry_read(&entry, &data, error);
		if (got < 0)
			goto out;
		if (XML_Parse(user->parser, data, (int)got, got == 0) != XML_STATUS_OK) {
			xlsx_xml_error(user, archive->path, name, error);
			goto out;
		}
		if (got == 0)
			break;
	}
	result = 1;
out:
	xlsx_entry_close(&entry);
	return result;
}

static int hex_value(char digit)
{
	if (digit >= '0' && digit <= '9')
		return digit - '0';
	if (digit >= 'A' && digit <= 'F')
		return digit - 'A' + 10;
	if (digit >= 'a' && digit <= 'f')
		return digit - 'a' + 10;
	return -1;
}

size_t xlsx_xml_unescape(char *text, size_t length)
{
	if (length < 7 || !memchr(text, '_', length))
		return length;
	size_t out = 0;
	for (size_t in = 0; in < length;) {
		unsigned code = 0;
		bool escape = in + 7 <= length && text[in] == '_' && text[in + 1] == 'x' &&
		              text[in + 6] == '_';
		for (size_t digit = 2; escape && digit < 6; digit++) {
			int value = hex_value(text[in + digit]);
			escape = value >= 0;
			code = code * 16 + (unsigned)(value < 0 ? 0 : value);
		}
		/* a surrogate half cannot stand alone in UTF-8: keep the escape as text */
		if (!escape || (code >= 0xD800 && code <= 0xDFFF)) {
			text[out++] = text[in++];
			continue;
		}
		/* UTF-8 of a code point below 0x10000 is at most 3 bytes: never longer
		 * than the 7-byte escape, so decoding in place is safe */
		if (code < 0x80) {
			text[out++] = (char)code;
		} else if (code < 0x800) {
			text[out++] = (char)(0xC0 | (code >> 6));
			text[out++] = (char)(0x80 | (code & 0x3F));
		} else {
			text[out++] = (char)(0xE0 | (code >> 12));
			text[out++] = (char)(0x80 | ((code >> 6) & 0x3F));
			text[out++] = (char)(0x80 | (code & 0x3F));
		}
		in += 7;
	}
	text[out] = '\0';
	return out;
}
