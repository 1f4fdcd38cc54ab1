/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* testdoc.c - fax test documents (see testdoc.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tiffio.h>

#include "testdoc.h"

/* 5x7 glyphs, one byte per row, bit 4 = leftmost pel. */
static const struct {
	char c;
	uint8_t row[7];
} font[] = {
	{ '0', { 0x0e, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0e } },
	{ '1', { 0x04, 0x0c, 0x04, 0x04, 0x04, 0x04, 0x0e } },
	{ '2', { 0x0e, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1f } },
	{ '3', { 0x1f, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0e } },
	{ '4', { 0x02, 0x06, 0x0a, 0x12, 0x1f, 0x02, 0x02 } },
	{ '5', { 0x1f, 0x10, 0x1e, 0x01, 0x01, 0x11, 0x0e } },
	{ '6', { 0x06, 0x08, 0x10, 0x1e, 0x11, 0x11, 0x0e } },
	{ '7', { 0x1f, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08 } },
	{ '8', { 0x0e, 0x11, 0x11, 0x0e, 0x11, 0x11, 0x0e } },
	{ '9', { 0x0e, 0x11, 0x11, 0x0f, 0x01, 0x02, 0x0c } },
	{ 'A', { 0x0e, 0x11, 0x11, 0x1f, 0x11, 0x11, 0x11 } },
	{ 'C', { 0x0e, 0x11, 0x10, 0x10, 0x10, 0x11, 0x0e } },
	{ 'D', { 0x1c, 0x12, 0x11, 0x11, 0x11, 0x12, 0x1c } },
	{ 'E', { 0x1f, 0x10, 0x10, 0x1e, 0x10, 0x10, 0x1f } },
	{ 'G', { 0x0e, 0x11, 0x10, 0x17, 0x11, 0x11, 0x0f } },
	{ 'O', { 0x0e, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0e } },
	{ 'P', { 0x1e, 0x11, 0x11, 0x1e, 0x10, 0x10, 0x10 } },
	{ 'X', { 0x11, 0x11, 0x0a, 0x04, 0x0a, 0x11, 0x11 } },
};

static void set_pel(uint8_t *img, uint32_t stride, uint32_t w, uint32_t h, uint32_t x, uint32_t y)
{
	if (x < w && y < h)
		img[(size_t)y * stride + x / 8] |= (uint8_t)(0x80 >> (x & 7));
}

static void draw_text(uint8_t *img, uint32_t stride, uint32_t w, uint32_t h, uint32_t x0, uint32_t y0,
		      int scale, const char *s)
{
	for (; *s; s++, x0 += 6 * scale) {
		size_t g;

		for (g = 0; g < sizeof(font) / sizeof(font[0]); g++) {
			int r, c, dx, dy;

			if (font[g].c != *s)
				continue;
			for (r = 0; r < 7; r++)
				for (c = 0; c < 5; c++)
					if (font[g].row[r] & (0x10 >> c))
						for (dy = 0; dy < scale; dy++)
							for (dx = 0; dx < scale; dx++)
								set_pel(img, stride, w, h, x0 + c * scale + dx,
									y0 + r * scale + dy);
		}
	}
}

void testdoc_defaults(struct testdoc *d, int pages, int seed)
{
	memset(d, 0, sizeof(*d));
	d->pages = pages;
	d->width = 1728;
	d->rows = 400;
	d->xres = 204;
	d->yres = 196;
	d->seed = seed;
	d->compression = COMPRESSION_CCITTFAX4;
}

int testdoc_write(const char *path, const struct testdoc *doc)
{
	TIFF *t = TIFFOpen(path, "w");
	int p;

	if (!t)
		return -1;
	for (p = 0; p < doc->pages; p++) {
		struct testdoc dd = *doc;
		const struct testdoc *d = &dd;
		uint32_t stride;
		uint8_t *img;

		if (doc->odd_page == p + 1)
			dd.width = doc->odd_width;
		stride = (d->width + 7) / 8;
		img = calloc(d->rows, stride);
		char text[32];
		uint32_t x, y;
		unsigned lcg = (unsigned)(d->seed * 7919 + p * 104729 + 1);

		if (!img) {
			TIFFClose(t);
			return -1;
		}
		/* Frame, the page's text, then a pattern that differs per page. */
		for (x = 0; x < d->width; x++) {
			set_pel(img, stride, d->width, d->rows, x, 0);
			set_pel(img, stride, d->width, d->rows, x, d->rows - 1);
		}
		for (y = 0; y < d->rows; y++) {
			set_pel(img, stride, d->width, d->rows, 0, y);
			set_pel(img, stride, d->width, d->rows, d->width - 1, y);
		}
		snprintf(text, sizeof(text), "DOC %d PAGE %d", d->seed, p + 1);
		draw_text(img, stride, d->width, d->rows, 40, 20, 8, text);
		for (y = 100; y + 20 < d->rows; y += 24) {
			/* Blocks of random length on each line band: a page's fingerprint. */
			x = 40;
			while (x < d->width - 40) {
				uint32_t len, k, yy;

				lcg = lcg * 1103515245u + 12345u;
				len = 4 + ((lcg >> 16) % 60);
				if ((lcg >> 8) & 1)
					for (yy = y; yy < y + 12; yy++)
						for (k = 0; k < len; k++)
							set_pel(img, stride, d->width - 40, d->rows, x + k, yy);
				x += len + 3;
			}
		}
		/* A diagonal whose slope depends on the page. */
		for (y = 0; y < d->rows; y++)
			set_pel(img, stride, d->width, d->rows, (y * (p + 2)) % d->width, y);
		if (d->minisblack)
			for (x = 0; x < d->rows * stride; x++)
				img[x] = (uint8_t)~img[x];
		TIFFSetField(t, TIFFTAG_SUBFILETYPE, FILETYPE_PAGE);
		TIFFSetField(t, TIFFTAG_IMAGEWIDTH, d->width);
		TIFFSetField(t, TIFFTAG_IMAGELENGTH, d->rows);
		TIFFSetField(t, TIFFTAG_BITSPERSAMPLE, 1);
		TIFFSetField(t, TIFFTAG_SAMPLESPERPIXEL, 1);
		TIFFSetField(t, TIFFTAG_COMPRESSION, d->compression ? d->compression : COMPRESSION_CCITTFAX4);
		TIFFSetField(t, TIFFTAG_PHOTOMETRIC, d->minisblack ? PHOTOMETRIC_MINISBLACK : PHOTOMETRIC_MINISWHITE);
		TIFFSetField(t, TIFFTAG_FILLORDER, FILLORDER_MSB2LSB);
		TIFFSetField(t, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
		TIFFSetField(t, TIFFTAG_ROWSPERSTRIP, d->rows);
		if (d->xres > 0) {
			TIFFSetField(t, TIFFTAG_XRESOLUTION, d->xres);
			TIFFSetField(t, TIFFTAG_YRESOLUTION, d->yres);
			TIFFSetField(t, TIFFTAG_RESOLUTIONUNIT, RESUNIT_INCH);
		}
		TIFFSetField(t, TIFFTAG_PAGENUMBER, (uint16_t)p, (uint16_t)d->pages);
		for (y = 0; y < d->rows; y++)
			if (TIFFWriteScanline(t, img + (size_t)y * stride, y, 0) < 0) {
				free(img);
				TIFFClose(t);
				return -1;
			}
		free(img);
		if (!TIFFWriteDirectory(t)) {
			TIFFClose(t);
			return -1;
		}
	}
	TIFFClose(t);
	return 0;
}

int testdoc_write_grey(const char *path, uint32_t w, uint32_t h, int rgb, float dpi)
{
	TIFF *t = TIFFOpen(path, "w");
	int spp = rgb ? 3 : 1;
	uint8_t *row = malloc((size_t)w * spp);
	uint32_t x, y;

	if (!t || !row) {
		free(row);
		if (t)
			TIFFClose(t);
		return -1;
	}
	TIFFSetField(t, TIFFTAG_IMAGEWIDTH, w);
	TIFFSetField(t, TIFFTAG_IMAGELENGTH, h);
	TIFFSetField(t, TIFFTAG_BITSPERSAMPLE, 8);
	TIFFSetField(t, TIFFTAG_SAMPLESPERPIXEL, spp);
	TIFFSetField(t, TIFFTAG_COMPRESSION, COMPRESSION_LZW);
	TIFFSetField(t, TIFFTAG_PHOTOMETRIC, rgb ? PHOTOMETRIC_RGB : PHOTOMETRIC_MINISBLACK);
	TIFFSetField(t, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
	TIFFSetField(t, TIFFTAG_ROWSPERSTRIP, 16);
	if (dpi > 0) {
		TIFFSetField(t, TIFFTAG_XRESOLUTION, dpi);
		TIFFSetField(t, TIFFTAG_YRESOLUTION, dpi);
		TIFFSetField(t, TIFFTAG_RESOLUTIONUNIT, RESUNIT_INCH);
	}
	for (y = 0; y < h; y++) {
		/* Left half dark (black after threshold), right half light grey. */
		for (x = 0; x < w; x++) {
			uint8_t v = x < w / 2 ? 40 : 220;
			int s;

			for (s = 0; s < spp; s++)
				row[(size_t)x * spp + s] = v;
		}
		if (TIFFWriteScanline(t, row, y, 0) < 0) {
			free(row);
			TIFFClose(t);
			return -1;
		}
	}
	free(row);
	TIFFClose(t);
	return 0;
}

int testdoc_pages(const char *path)
{
	TIFF *t = TIFFOpen(path, "r");
	int n;

	if (!t)
		return -1;
	n = TIFFNumberOfDirectories(t);
	TIFFClose(t);
	return n;
}

uint32_t testdoc_rows(const char *path, int page)
{
	TIFF *t = TIFFOpen(path, "r");
	uint32_t h = 0;

	if (!t)
		return 0;
	if (TIFFSetDirectory(t, (tdir_t)(page - 1)))
		TIFFGetField(t, TIFFTAG_IMAGELENGTH, &h);
	TIFFClose(t);
	return h;
}

/* Page rows as 1 = black, whatever the photometric. NULL on error. */
static uint8_t *load_page(TIFF *t, int page, uint32_t *w, uint32_t *h, size_t *stride)
{
	uint16_t photo = PHOTOMETRIC_MINISWHITE, bps = 1, spp = 1;
	uint8_t *img;
	uint32_t y;
	size_t i;

	if (!TIFFSetDirectory(t, (tdir_t)(page - 1)))
		return NULL;
	TIFFGetField(t, TIFFTAG_IMAGEWIDTH, w);
	TIFFGetField(t, TIFFTAG_IMAGELENGTH, h);
	TIFFGetFieldDefaulted(t, TIFFTAG_PHOTOMETRIC, &photo);
	TIFFGetFieldDefaulted(t, TIFFTAG_BITSPERSAMPLE, &bps);
	TIFFGetFieldDefaulted(t, TIFFTAG_SAMPLESPERPIXEL, &spp);
	if (bps != 1 || spp != 1)
		return NULL;
	*stride = (size_t)TIFFScanlineSize(t);
	img = malloc(*stride * *h + 1);
	if (!img)
		return NULL;
	for (y = 0; y < *h; y++)
		if (TIFFReadScanline(t, img + y * *stride, y, 0) < 0) {
			free(img);
			return NULL;
		}
	if (photo == PHOTOMETRIC_MINISBLACK)
		for (i = 0; i < *stride * *h; i++)
			img[i] = (uint8_t)~img[i];
	return img;
}

int testdoc_compare(const char *a, int a_first, const char *b, int b_first, int n, uint32_t b_skip_rows,
		    char *msg, size_t size)
{
	TIFF *ta = TIFFOpen(a, "r"), *tb = TIFFOpen(b, "r");
	int i, rc = 0;

	msg[0] = '\0';
	if (!ta || !tb) {
		snprintf(msg, size, "cannot open %s", ta ? b : a);
		rc = -1;
		goto out;
	}
	for (i = 0; i < n && rc == 0; i++) {
		uint32_t wa = 0, ha = 0, wb = 0, hb = 0, y;
		size_t sa, sb;
		uint8_t *ia = load_page(ta, a_first + i, &wa, &ha, &sa);
		uint8_t *ib = load_page(tb, b_first + i, &wb, &hb, &sb);

		if (!ia || !ib) {
			snprintf(msg, size, "page %d/%d does not decode", a_first + i, b_first + i);
			rc = -1;
		} else if (wa != wb || ha + b_skip_rows != hb) {
			snprintf(msg, size, "page %d: size %ux%u sent, %ux%u received (skip %u)", a_first + i, wa,
				 ha, wb, hb, b_skip_rows);
			rc = -1;
		} else {
			for (y = 0; y < ha; y++) {
				if (memcmp(ia + y * sa, ib + (y + b_skip_rows) * sb, (wa + 7) / 8) != 0) {
					snprintf(msg, size, "page %d row %u differs", a_first + i, y);
					rc = -1;
					break;
				}
			}
		}
		free(ia);
		free(ib);
	}
out:
	if (ta)
		TIFFClose(ta);
	if (tb)
		TIFFClose(tb);
	return rc;
}
