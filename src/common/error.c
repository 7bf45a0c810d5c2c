/* First-error-wins error records. */
#include "error.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void error_clear(struct error *error)
{
	memset(error, 0, sizeof(*error));
}

static void error_vset(struct error *error, const char *file, uint64_t line, const char *format,
                       va_list arguments)
{
	if (!error || error->set)
		return;
	error->set = true;
	snprintf(error->file, sizeof(error->file), "%s", file ? file : "");
	error->line = line;
	vsnprintf(error->message, sizeof(error->message), format, arguments);
}

int error_set(struct error *error, const char *format, ...)
{
	va_list arguments;
	va_start(arguments, format);
	error_vset(error, NULL, 0, format, arguments);
	va_end(arguments);
	return -1;
}

int error_set_at(struct error *error, const char *file, uint64_t line, const char *format, ...)
{
	va_list arguments;
	va_start(arguments, format);
	error_vset(error, file, line, format, arguments);
	va_end(arguments);
	return -1;
}

void error_format(const struct error *error, char *out, size_t size)
{
	if (error->file[0] && error->line)
		snprintf(out, size, "%s:%" PRIu64 ": %s", error->file, error->line, error->message);
	else if (error->file[0])
		snprintf(out, size, "%s: %s", error->file, error->message);
	else
		snprintf(out, size, "%s", error->message);
}
