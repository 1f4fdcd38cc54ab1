/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * abi.c - growable public structs (see "ABI" at the top of cti.h).
 *
 * Parameter structs start with uint32_t size, set by their init macro to the
 * application's sizeof. The library works on its own full-size copy: its
 * defaults, overwritten by the first `size` bytes the application has.
 * Output structs get the application's sizeof from a macro; the library
 * fills a full-size struct and copies out that many bytes.
 */
#include <stddef.h>
#include <string.h>
#include "cti.h"
#include "abi.h"
#include "error.h"

/*
 * The fields of each parameter struct. An older cti.h's struct ends at a
 * field boundary (or in the padding after it), never inside a field: a
 * .size that cuts a field in two is garbage (half a pointer would be taken
 * and the rest from the library's default). Fields appended later go to
 * the end of their list.
 */
struct field {
	const char *type, *name;
	size_t off, end;
};
#define F(type, tname, field) \
	{ tname, #field, offsetof(type, field), offsetof(type, field) + sizeof(((type *)0)->field) }

static const struct field fields[] = {
	F(cti_span_config_t, "cti_span_config", name), F(cti_span_config_t, "cti_span_config", transport),
	F(cti_span_config_t, "cti_span_config", port), F(cti_span_config_t, "cti_span_config", line),
	F(cti_span_config_t, "cti_span_config", framing), F(cti_span_config_t, "cti_span_config", coding),
	F(cti_span_config_t, "cti_span_config", signalling), F(cti_span_config_t, "cti_span_config", role),
	F(cti_span_config_t, "cti_span_config", switchtype), F(cti_span_config_t, "cti_span_config", bchannels),
	F(cti_span_config_t, "cti_span_config", dchannel), F(cti_span_config_t, "cti_span_config", law),
	F(cti_span_config_t, "cti_span_config", overlap),
	F(cti_call_params_t, "cti_call_params", called), F(cti_call_params_t, "cti_call_params", calling),
	F(cti_call_params_t, "cti_call_params", redirecting),
	F(cti_call_params_t, "cti_call_params", redirect_reason), F(cti_call_params_t, "cti_call_params", bearer),
	F(cti_call_params_t, "cti_call_params", group), F(cti_call_params_t, "cti_call_params", span),
	F(cti_call_params_t, "cti_call_params", channel),
	F(cti_call_params_t, "cti_call_params", sending_complete),
	F(cti_call_params_t, "cti_call_params", overlap), F(cti_call_params_t, "cti_call_params", user),
	F(cti_term_t, "cti_term", max_digits), F(cti_term_t, "cti_term", term_digits),
	F(cti_term_t, "cti_term", first_digit_ms), F(cti_term_t, "cti_term", inter_digit_ms),
	F(cti_term_t, "cti_term", max_time_ms), F(cti_term_t, "cti_term", max_silence_ms),
	F(cti_term_t, "cti_term", initial_silence_ms), F(cti_term_t, "cti_term", silence_dbm0),
	F(cti_term_t, "cti_term", clear_digits), F(cti_term_t, "cti_term", stop_on_digit),
	F(cti_record_params_t, "cti_record_params", path), F(cti_record_params_t, "cti_record_params", path2),
	F(cti_record_params_t, "cti_record_params", mode), F(cti_record_params_t, "cti_record_params", format),
	F(cti_record_params_t, "cti_record_params", beep),
	F(cti_cpa_params_t, "cti_cpa_params", no_answer_ms), F(cti_cpa_params_t, "cti_cpa_params", voice_ms),
	F(cti_cpa_params_t, "cti_cpa_params", max_ms), F(cti_cpa_params_t, "cti_cpa_params", silence_ms),
	F(cti_fax_params_t, "cti_fax_params", docs), F(cti_fax_params_t, "cti_fax_params", ndocs),
	F(cti_fax_params_t, "cti_fax_params", receive_path), F(cti_fax_params_t, "cti_fax_params", ident),
	F(cti_fax_params_t, "cti_fax_params", header), F(cti_fax_params_t, "cti_fax_params", ecm),
	F(cti_fax_params_t, "cti_fax_params", modems), F(cti_fax_params_t, "cti_fax_params", max_rate),
	F(cti_fax_params_t, "cti_fax_params", calling), F(cti_fax_params_t, "cti_fax_params", compressions),
};
#undef F

/* The field of type that size cuts in two, or NULL. */
static const char *cut_field(const char *type, uint32_t size)
{
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (!strcmp(fields[i].type, type) && size > fields[i].off && size < fields[i].end)
			return fields[i].name;
	return NULL;
}

static uint32_t app_size(const void *app)
{
	uint32_t size;

	memcpy(&size, app, sizeof(size));
	return size;
}

void cti__abi_init(void *app, size_t size, const void *defaults, size_t full)
{
	uint32_t sz = (uint32_t)size;

	if (!app || size < sizeof(uint32_t))
		return;
	memset(app, 0, size);
	memcpy(app, defaults, size < full ? size : full);
	memcpy(app, &sz, sizeof(sz));
}

int cti__abi_in(void *full, size_t full_size, const void *app, const char *fn, const char *type)
{
	uint32_t size, lib = (uint32_t)full_size;
	const char *field;

	if (!app)
		return cti__error(CTI_EINVAL, "%s: %s is NULL", fn, type);
	size = app_size(app);
	if (size == 0)
		return cti__error(CTI_EINVAL, "%s: %s.size is 0: call %s_init() first", fn, type, type);
	if (size < sizeof(uint32_t) || size > (1u << 20))
		return cti__error(CTI_EINVAL, "%s: %s.size %u is not a size (call %s_init() first)", fn, type,
				  size, type);
	if ((field = cut_field(type, size)))
		return cti__error(CTI_EINVAL, "%s: %s.size %u ends inside field '%s' (call %s_init() first)", fn,
				  type, size, field, type);
	/* Built against a newer cti.h: its extra fields must be unused (zero) for us to ignore them. */
	for (uint32_t i = lib; i < size; i++)
		if (((const unsigned char *)app)[i])
			return cti__error(CTI_ENOTSUP, "%s: %s sets fields this libcti %s does not know (size %u > %u)",
					  fn, type, CTI_VERSION_STRING, size, lib);
	memcpy(full, app, size < lib ? size : lib);
	memcpy(full, &lib, sizeof(lib));
	return 0;
}

int cti__abi_out(void *app, size_t size, const void *full, size_t full_size, const char *fn, const char *type)
{
	if (!app)
		return cti__error(CTI_EINVAL, "%s: %s is NULL", fn, type);
	if (size == 0)
		return cti__error(CTI_EINVAL, "%s: %s size 0", fn, type);
	memset(app, 0, size);
	memcpy(app, full, size < full_size ? size : full_size);
	return 0;
}
