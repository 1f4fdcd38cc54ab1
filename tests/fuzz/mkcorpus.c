/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * mkcorpus.c - write the seed corpus of fuzz_tiff (tests/fuzz/corpus/fuzz_tiff):
 * tiny fax TIFFs (few rows) in each coding the check meets, plus one grey
 * page. Run by hand after changing it: make build/std/tests/fuzz/mkcorpus &&
 * build/std/tests/fuzz/mkcorpus tests/fuzz/corpus/fuzz_tiff
 */
#include <stdio.h>
#include <tiffio.h>

#include "../fax/testdoc.h"

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int compression, pages, minisblack;
		uint32_t width;
		float xres, yres;
	} s[] = {
		{ "g4-2pages.tif", COMPRESSION_CCITTFAX4, 2, 0, 1728, 204, 196 },
		{ "g3.tif", COMPRESSION_CCITTFAX3, 1, 0, 1728, 204, 98 },
		{ "mh.tif", COMPRESSION_CCITTRLE, 1, 0, 2048, 204, 196 },
		{ "raw-black.tif", COMPRESSION_NONE, 1, 1, 1728, 204, 391 },
		{ "packbits-r16.tif", COMPRESSION_PACKBITS, 1, 0, 3456, 408, 391 },
		{ "lzw.tif", COMPRESSION_LZW, 1, 0, 2432, 204, 196 },
	};
	char path[512];
	size_t i;

	if (argc != 2) {
		fprintf(stderr, "usage: mkcorpus DIR\n");
		return 2;
	}
	for (i = 0; i < sizeof(s) / sizeof(s[0]); i++) {
		struct testdoc d;

		testdoc_defaults(&d, s[i].pages, (int)i + 1);
		d.rows = 24;
		d.compression = s[i].compression;
		d.minisblack = s[i].minisblack;
		d.width = s[i].width;
		d.xres = s[i].xres;
		d.yres = s[i].yres;
		snprintf(path, sizeof(path), "%s/%s", argv[1], s[i].name);
		if (testdoc_write(path, &d) < 0) {
			fprintf(stderr, "mkcorpus: cannot write %s\n", path);
			return 1;
		}
	}
	snprintf(path, sizeof(path), "%s/grey.tif", argv[1]);
	if (testdoc_write_grey(path, 64, 16, 0, 204) < 0) {
		fprintf(stderr, "mkcorpus: cannot write %s\n", path);
		return 1;
	}
	return 0;
}
