/* A verification lane's read (step_read.h). */
#include "verify/step_read.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "ops/request_body.h"
#include "ops/response.h"
#include "verify/verdict.h"

static const struct step_read *read_of(const struct op *op)
{
	return (const struct step_read *)(const void *)((const char *)op -
	                                                offsetof(struct step_read, op));
}

static int build_read(const struct op *op, const struct record *const *records, size_t count,
                      struct strbuf *path, json_t **body)
{
	*body = NULL;
	enum device_field key = DEVICE_NAME;
	const char *value = NULL;
	if (count != 1 || op_live_device_key(read_of(op)->verified, records[0], &key, &value) < 0)
		return -1;
	strbuf_reset(path);
	if (strbuf_append_string(path, "v2/devices/") != STRBUF_OK ||
	    percent_escape(path, value) < 0)
		return -1;
	if (key != DEVICE_NAME &&
	    strbuf_appendf(path, "?id_type=%s", device_field_name(key)) != STRBUF_OK)
		return -1;
	return 0;
}

/* The device object as a view; strings only (numbers are not what a
 * verification compares). */
static void view_of(const json_t *object, struct device_view *device)
{
	memset(device, 0, sizeof(*device));
	for (int field = 0; field < DEVICE_FIELD_COUNT; field++)
		device->value[field] = json_string_value(
		    json_object_get(object, device_field_name((enum device_field)field)));
}

static bool map_read(const struct op *op, long http_status, const json_t *body, const char *raw,
                     size_t raw_length, const struct record *const *records, size_t count,
                     struct row_outcome *outcomes)
{
	(void)raw;
	(void)raw_length;
	if (count != 1 || (http_status != 200 && http_status != 404) ||
	    (http_status == 200 && !json_is_object(body)))
		return false; /* a failure the engine retries or reports */
	struct device_view device;
	if (http_status == 200)
		view_of(body, &device);
	step_read_judge(read_of(op)->verified, records[0], http_status == 200 ? &device : NULL,
	                &outcomes[0]);
	return true;
}

void step_read_judge(const struct op *verified, const struct record *record,
                     const struct device_view *device, struct row_outcome *outcomes)
{
	memset(outcomes, 0, sizeof(*outcomes));
	struct verify_judgement judgement;
	verify_judgement_init(&judgement);
	verify_judge(verified, record, device, false, &judgement);
	char text[sizeof(outcomes[0].message)];
	enum row_status status = ROW_UNKNOWN;
	switch (judgement.verdict) {
	case VERIFY_VERIFIED:
		status = ROW_OK;
		snprintf(text, sizeof(text), "verified: device %s is %s",
		         strbuf_text(&judgement.device_name), strbuf_text(&judgement.observed));
		snprintf(outcomes[0].device_name, sizeof(outcomes[0].device_name), "%s",
		         strbuf_text(&judgement.device_name));
		break;
	case VERIFY_PENDING:
		snprintf(text, sizeof(text), "not verified yet: %s",
		         strbuf_text(&judgement.observed));
		break;
	case VERIFY_MISMATCH:
		/* a device this row created cannot become another's; other
		 * effects may still be on their way */
		status = verified->live.flags & OP_LIVE_CREATES ? ROW_ERROR : ROW_UNKNOWN;
		snprintf(text, sizeof(text), "verification: expected %s, found %s",
		         strbuf_text(&judgement.expected), strbuf_text(&judgement.observed));
		break;
	case VERIFY_MISSING:
	default:
		status = ROW_ERROR;
		snprintf(text, sizeof(text), "verification: %s", strbuf_text(&judgement.observed));
		break;
	}
	outcome_set_text(&outcomes[0], status, text, strlen(text));
	verify_judgement_release(&judgement);
}

void step_read_init(struct step_read *read, const struct op *verified)
{
	memset(read, 0, sizeof(*read));
	read->verified = verified;
	read->op.name = "verify";
	read->op.method = "GET";
	read->op.path = "v2/devices/{device}";
	read->op.summary = "read a device back until a step's effect is verified";
	read->op.key_field = verified->key_field;
	read->op.flags = OP_PER_ROW;
	read->op.build_request = build_read;
	read->op.map_response = map_read;
}
