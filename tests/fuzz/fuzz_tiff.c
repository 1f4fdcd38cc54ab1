/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fuzz_tiff.c - libFuzzer target: cti_fax_check_tiff() on arbitrary bytes.
 *
 * The input becomes a file (memfd, reached by its /proc/self/fd path) and
 * is checked as a fax document. The check must return a page count or
 * CTI_EFORMAT/CTI_EINVAL with a message, never crash, leak, run away (the
 * row limit bounds decoding) or hit undefined behaviour.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cti.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[64];
	int fd, rc;
	size_t off = 0;

	if (size > 1 << 20)
		return 0;
	fd = memfd_create("fuzz.tif", 0);
	if (fd < 0)
		abort();
	while (off < size) {
		ssize_t n = write(fd, data + off, size - off);

		if (n <= 0)
			abort();
		off += (size_t)n;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	rc = cti_fax_check_tiff(path);
	if (rc == CTI_ENOTSUP) {	/* built without CONFIG_FAX */
		close(fd);
		return 0;
	}
	if (rc < 0 && (!cti_last_error()[0] || !strstr(cti_last_error(), path)))
		abort();	/* an error must name the file */
	if (rc == 0)
		abort();	/* a page count is at least 1 */
	close(fd);
	return 0;
}
