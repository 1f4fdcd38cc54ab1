/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fuzz_config.c - libFuzzer target: cti_config_parse() on arbitrary text.
 *
 * The input is parsed as a configuration (NUL-terminated copy), twice into
 * the same cti_config_t (a second parse adds to the first, as with two
 * cti_config_load calls). Whatever the text, the parser must return 0 or a
 * CTI_* error with a message, and never crash, leak or hit undefined
 * behaviour (built with ASan+UBSan, no recovery).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cti.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cti_config_t *cfg;
	char *text;
	int rc;

	if (size > 64 * 1024)
		return 0;
	text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	cfg = cti_config_new();
	if (cfg) {
		rc = cti_config_parse(cfg, text, "fuzz.conf");
		if (rc < 0 && !cti_last_error()[0])
			abort();	/* an error must say what is wrong */
		if (rc == 0)
			(void)cti_config_parse(cfg, text, "fuzz2.conf");
		cti_config_free(cfg);
	}
	free(text);
	return 0;
}
