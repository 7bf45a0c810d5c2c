/* Expat parsers for workbook parts, hardened the same way for every part: a
 * DOCTYPE or an entity declaration stops the parse (no entity tricks), names
 * are reduced to their local part (prefixed or default namespace alike).
 * Ownership: the caller frees the parser with XML_ParserFree; user data
 * structs start with a struct xlsx_xml_user. */
#ifndef LATTIGO_XLSX_XML_H
#define LATTIGO_XLSX_XML_H

#include <expat.h>
#include <stdbool.h>

#include "common/error.h"
#include "manifest/xlsx_archive.h"

/* The first member of every handler's user data. */
struct xlsx_xml_user {
	XML_Parser parser;
	char refusal[160]; /* why a handler stopped the parse; "" when none did */
};

/* Creates a parser whose handlers receive user (a struct starting with struct
 * xlsx_xml_user). Returns NULL when out of memory. */
XML_Parser xlsx_xml_create(struct xlsx_xml_user *user, XML_StartElementHandler start,
                           XML_EndElementHandler end, XML_CharacterDataHandler text);
/* Stops the parse for good, recording reason (first one wins). */
void xlsx_xml_refuse(struct xlsx_xml_user *user, const char *reason);
/* The local part of a namespaced name ("...main|row" -> "row"). */
const char *xlsx_xml_local(const char *name);
/* The value of the attribute whose local name is local, or NULL. */
const char *xlsx_xml_attribute(const char **attributes, const char *local);
/* Parses the whole entry name (cap inflated bytes). Returns 1, 0 when the
 * archive has no such entry, -1 with error naming the part. */
int xlsx_xml_parse_entry(const struct xlsx_archive *archive, const char *name, uint64_t cap,
                         struct xlsx_xml_user *user, struct error *error);
/* Decodes the _xHHHH_ escapes of OOXML strings in place (_x000D_ is a
 * carriage return, _x005F_ an underscore); returns the new length. Text
 * without "_x" is left as it is. */
size_t xlsx_xml_unescape(char *text, size_t length);
/* Fills error for a failed parse of part (expat's message or the refusal). Returns -1. */
int xlsx_xml_error(const struct xlsx_xml_user *user, const char *path, const char *part,
                   struct error *error);

#endif
