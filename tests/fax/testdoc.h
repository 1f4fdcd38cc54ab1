/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* testdoc.h - fax test documents: generate and compare TIFF pages with libtiff. */
#ifndef FAX_TESTDOC_H
#define FAX_TESTDOC_H

#include <stdint.h>

struct testdoc {
	int pages;
	uint32_t width;		/* 1728 ... */
	uint32_t rows;		/* per page */
	float xres, yres;	/* dpi */
	int seed;		/* varies the drawing between documents */
	int compression;	/* COMPRESSION_* (default G4) */
	int minisblack;		/* write PHOTOMETRIC_MINISBLACK */
	int odd_page;		/* 1-based page written with odd_width instead (0: none) */
	uint32_t odd_width;
};

void testdoc_defaults(struct testdoc *d, int pages, int seed);
/* Write a document: each page its own text ("DOC s PAGE n") and pattern. 0 or -1. */
int testdoc_write(const char *path, const struct testdoc *d);
/* Write a grey (8-bit) or RGB image TIFF for conversion tests. */
int testdoc_write_grey(const char *path, uint32_t w, uint32_t h, int rgb, float dpi);
/*
 * Compare pages a_first.. (1-based, n pages) of a with b_first.. of b, decoded
 * rows as black/white pels. b_skip_rows: rows at the top of each b page to skip
 * (page header). Returns 0 if pixel identical, else -1 with why in msg.
 */
int testdoc_compare(const char *a, int a_first, const char *b, int b_first, int n, uint32_t b_skip_rows,
		    char *msg, size_t size);
/* Page count of a TIFF, -1 if it does not open. */
int testdoc_pages(const char *path);
/* Rows of page (1-based), 0 on error. */
uint32_t testdoc_rows(const char *path, int page);

#endif
