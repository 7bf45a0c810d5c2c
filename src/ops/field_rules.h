/* What each field validator accepts, in words a spreadsheet user reads (the
 * template's input messages and instructions), with an example value, and
 * the words of the fields that take one of a fixed set (for drop-down lists).
 * Keyed by the validator the operation table names, so a template always
 * follows the table. Ownership: everything returned is static. */
#ifndef LATTIGO_FIELD_RULES_H
#define LATTIGO_FIELD_RULES_H

#include "ops/op.h"

/* The rule validate enforces, e.g. "19 or 20 digits starting 89; the last is
 * a Luhn check digit"; "any text" for an unknown validator. */
const char *field_rule_text(field_validator *validate);
/* An example value that validate accepts. */
const char *field_rule_example(field_validator *validate);
/* The accepted words, NULL-terminated, when validate takes one of a fixed
 * set (state, field_name, action, id_type); NULL otherwise. */
const char *const *field_rule_choices(field_validator *validate);
/* True when validate takes a whole number (kb_limit). */
bool field_rule_is_whole_number(field_validator *validate);

#endif
