/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fax_tiff.c - TIFF checks and conversions for fax (libtiff).
 *
 * What T.30 can carry (T.30 Table 2, T.4 page widths): bilevel pages whose width
 * is 1728/2048/2432 pels at R8 (8 pels/mm, "204 dpi") or 3456/4096/4864 at
 * R16, vertical resolution standard (3.85 l/mm), fine (7.7) or superfine
 * (15.4). Pages that do not fit are refused up front (CTI_EFORMAT) instead of
 * failing in phase B of a call ("far end cannot receive at the size of image").
 */
#include "cticonfig.h"
#ifdef CONFIG_FAX

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <tiffio.h>

#include "fax.h"

/*
 * libtiff messages go here instead of stderr (per handle, thread safe).
 * libtiff reports many decode problems ("Bad code word", "Premature EOL",
 * a strip cut short) only through these handlers while TIFFReadScanline
 * still returns success, so the check counts them: an error at any time, or
 * a warning while rows are decoded, means the page did not really decode.
 */
struct tiff_msg {
	char text[200];
	int special;		/* tiff_open refused a FIFO, directory, device or socket */
	int errors;
	int decoding;		/* rows being decoded: warnings count as errors */
};

static int tiff_err_cb(TIFF *tif, void *user, const char *module, const char *fmt, va_list ap)
{
	struct tiff_msg *m = user;

	(void)tif;
	(void)module;
	if (!m)
		return 1;
	if (!m->text[0])
		vsnprintf(m->text, sizeof(m->text), fmt, ap);
	m->errors++;
	return 1;	/* handled: keep it off stderr */
}

static int tiff_warn_cb(TIFF *tif, void *user, const char *module, const char *fmt, va_list ap)
{
	struct tiff_msg *m = user;

	(void)tif;
	(void)module;
	/* Unknown tags and the like while reading a directory: not our problem. */
	if (m && m->decoding)
		return tiff_err_cb(tif, user, module, fmt, ap);
	return 1;
}

static TIFF *tiff_open(const char *path, const char *mode, struct tiff_msg *m)
{
	TIFFOpenOptions *o = TIFFOpenOptionsAlloc();
	TIFF *t;

	struct stat st;

	memset(m, 0, sizeof(*m));
	/*
	 * libtiff open()s without O_NONBLOCK: a FIFO would block until its other
	 * end opens (for ever). Only regular files (a missing one is libtiff's
	 * to report, or to create in "w").
	 */
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		snprintf(m->text, sizeof(m->text), "not a regular file (a %s)",
			 S_ISDIR(st.st_mode) ? "directory" : S_ISFIFO(st.st_mode) ? "FIFO" : "device or socket");
		m->special = 1;
		if (o)
			TIFFOpenOptionsFree(o);
		return NULL;
	}
	if (!o)
		return NULL;
	TIFFOpenOptionsSetErrorHandlerExtR(o, tiff_err_cb, m);
	TIFFOpenOptionsSetWarningHandlerExtR(o, tiff_warn_cb, m);
	t = TIFFOpenExt(path, mode, o);
	TIFFOpenOptionsFree(o);
	return t;
}

/* Resolution in units per mm (0 when the tag is missing). */
static double res_per_mm(TIFF *t, ttag_t tag)
{
	float r = 0;
	uint16_t unit = RESUNIT_INCH;

	if (!TIFFGetField(t, tag, &r) || r <= 0)
		return 0;
	TIFFGetFieldDefaulted(t, TIFFTAG_RESOLUTIONUNIT, &unit);
	if (unit == RESUNIT_CENTIMETER)
		return r / 10.0;
	if (unit == RESUNIT_NONE)
		return 0;
	return r / 25.4;
}

/*
 * Largest page the check lets through: A3 (the longest ISO fax page, 420 mm)
 * at 400 lines per inch, rounded up to 8192 rows. Widths are bounded by the
 * legal fax widths (4864 pels at most). A header claiming more rows is a
 * broken or hostile file: decoding it would run for minutes.
 */
#define FAX_MAX_ROWS 8192

/* Check the directory t is on (page, 1-based). 0 or CTI_EFORMAT via cti__error. */
static int check_page(TIFF *t, const char *path, int page, struct tiff_msg *m)
{
	uint16_t spp = 1, bps = 1;
	uint32_t w = 0, h = 0;
	double xr, yr;
	int r16;

	TIFFGetFieldDefaulted(t, TIFFTAG_SAMPLESPERPIXEL, &spp);
	TIFFGetFieldDefaulted(t, TIFFTAG_BITSPERSAMPLE, &bps);
	TIFFGetField(t, TIFFTAG_IMAGEWIDTH, &w);
	TIFFGetField(t, TIFFTAG_IMAGELENGTH, &h);
	if (spp != 1 || bps != 1)
		return cti__error(CTI_EFORMAT, "%s: page %d: not bilevel (%u samples of %u bits per pixel; "
				  "cti_fax_convert_tiff makes a fax TIFF)", path, page, spp, bps);
	if (TIFFIsTiled(t))
		return cti__error(CTI_EFORMAT, "%s: page %d: tiled layout (fax needs strips; "
				  "cti_fax_convert_tiff converts)", path, page);
	if (w == 0 || h == 0)
		return cti__error(CTI_EFORMAT, "%s: page %d: empty image (%ux%u)", path, page, w, h);
	if (h > FAX_MAX_ROWS)
		return cti__error(CTI_EFORMAT, "%s: page %d: %u rows is beyond the fax page limit of %u rows "
				  "(A3 at 400 dpi)", path, page, h, FAX_MAX_ROWS);
	xr = res_per_mm(t, TIFFTAG_XRESOLUTION);
	yr = res_per_mm(t, TIFFTAG_YRESOLUTION);
	if (xr == 0 || yr == 0)
		return cti__error(CTI_EFORMAT, "%s: page %d: no resolution tags (fax needs 204x98, 204x196 "
				  "or 204x391 dpi; cti_fax_convert_tiff sets them)", path, page);
	if (xr >= 7.5 && xr <= 8.5) {
		r16 = 0;
	} else if (xr >= 15.0 && xr <= 17.0) {
		r16 = 1;
	} else {
		return cti__error(CTI_EFORMAT, "%s: page %d: horizontal resolution %.0f dpi is not a fax "
				  "resolution (204 = R8 or 408 = R16)", path, page, xr * 25.4);
	}
	if (!r16 && w != 1728 && w != 2048 && w != 2432)
		return cti__error(CTI_EFORMAT, "%s: page %d: width %u is not a fax width at R8 "
				  "(1728 A4, 2048 B4, 2432 A3)", path, page, w);
	if (r16 && w != 3456 && w != 4096 && w != 4864)
		return cti__error(CTI_EFORMAT, "%s: page %d: width %u is not a fax width at R16 "
				  "(3456 A4, 4096 B4, 4864 A3)", path, page, w);
	if (!((yr >= 3.5 && yr <= 4.2) || (yr >= 7.3 && yr <= 8.2) || (yr >= 15.0 && yr <= 16.2)))
		return cti__error(CTI_EFORMAT, "%s: page %d: vertical resolution %.0f dpi is not a fax "
				  "resolution (98, 196 or 391)", path, page, yr * 25.4);
	if (r16 && yr < 15.0)
		return cti__error(CTI_EFORMAT, "%s: page %d: R16 needs the superfine vertical resolution "
				  "(391 dpi), file has %.0f dpi", path, page, yr * 25.4);
	if (m->errors)
		return cti__error(CTI_EFORMAT, "%s: page %d: damaged page directory (%s)", path, page, m->text);

	/*
	 * Decode every row: a truncated or corrupt strip shows up now, not
	 * mid-call. libtiff reports most decode errors only to the handler.
	 */
	{
		tmsize_t sz = TIFFScanlineSize(t);
		uint8_t *row;
		uint32_t y;

		if (sz <= 0 || (uint64_t)sz < (w + 7) / 8)
			return cti__error(CTI_EFORMAT, "%s: page %d: unusable row layout (%s)", path, page,
					  m->text[0] ? m->text : "bad strip tags");
		row = malloc((size_t)sz);
		if (!row)
			return cti__error(CTI_ENOMEM, "%s: page %d: out of memory", path, page);
		m->decoding = 1;
		for (y = 0; y < h; y++) {
			if (TIFFReadScanline(t, row, y, 0) < 0 || m->errors) {
				free(row);
				m->decoding = 0;
				return cti__error(CTI_EFORMAT, "%s: page %d: image data does not decode at row %u "
						  "of %u (%s)", path, page, y, h,
						  m->text[0] ? m->text : "truncated or corrupt strip");
			}
		}
		m->decoding = 0;
		free(row);
	}
	return 0;
}

/* The file starts like a TIFF ("II*\0", "MM\0*", or BigTIFF's 43). */
static int tiff_magic(const char *path)
{
	unsigned char h[4];
	FILE *f = fopen(path, "rb");
	int ok;

	if (!f)
		return 0;
	ok = fread(h, 1, 4, f) == 4 &&
	     ((h[0] == 'I' && h[1] == 'I' && (h[2] == 42 || h[2] == 43) && h[3] == 0) ||
	      (h[0] == 'M' && h[1] == 'M' && h[2] == 0 && (h[3] == 42 || h[3] == 43)));
	fclose(f);
	return ok;
}

int fax_tiff_check(const char *path, int first, int last)
{
	struct tiff_msg m;
	TIFF *t;
	int pages, p, rc;

	if (!path)
		return cti__error(CTI_EINVAL, "fax: NULL document path");
	if (first < 0 || last < 0 || (last && first > last))
		return cti__error(CTI_EINVAL, "%s: bad page range %d-%d", path, first, last);
	t = tiff_open(path, "r", &m);
	if (!t && !m.special && tiff_magic(path))
		return cti__error(CTI_EFORMAT, "%s: page 1: unreadable page directory, file truncated or "
				  "corrupt (%s)", path, m.text[0] ? m.text : "libtiff error");
	if (!t)
		return cti__error(CTI_EFORMAT, "%s: cannot open as TIFF: %s", path,
				  m.text[0] ? m.text : "no such file or not a TIFF");
	if (m.errors) {
		TIFFClose(t);
		return cti__error(CTI_EFORMAT, "%s: page 1: damaged page directory (%s)", path, m.text);
	}
	/*
	 * Walk the whole directory chain: a next-page offset pointing outside
	 * the file (a truncated copy) is reported only to the handler, and the
	 * count then silently stops at the last readable page.
	 */
	pages = TIFFNumberOfDirectories(t);
	if (m.errors) {
		TIFFClose(t);
		return cti__error(CTI_EFORMAT, "%s: page %d: the page chain is broken after page %d, file "
				  "truncated or corrupt (%s)", path, pages + 1, pages, m.text);
	}
	if (pages <= 0) {
		TIFFClose(t);
		return cti__error(CTI_EFORMAT, "%s: no pages", path);
	}
	if ((first ? first : 1) > pages || last > pages) {
		TIFFClose(t);
		return cti__error(CTI_EINVAL, "%s: page range %d-%d outside the document (%d pages)",
				  path, first ? first : 1, last ? last : pages, pages);
	}
	for (p = first ? first : 1; p <= (last ? last : pages); p++) {
		if (!TIFFSetDirectory(t, (tdir_t)(p - 1))) {
			TIFFClose(t);
			return cti__error(CTI_EFORMAT, "%s: page %d: unreadable page directory (%s)", path, p,
					  m.text[0] ? m.text : "libtiff error");
		}
		rc = check_page(t, path, p, &m);
		if (rc < 0) {
			TIFFClose(t);
			return rc;
		}
	}
	TIFFClose(t);
	return pages;
}

/* Start a new G4 page in out. */
static void set_fax_page_tags(TIFF *out, uint32_t w, uint32_t h, float xres, float yres, uint16_t unit,
			      int page, int total)
{
	TIFFSetField(out, TIFFTAG_SUBFILETYPE, FILETYPE_PAGE);
	TIFFSetField(out, TIFFTAG_IMAGEWIDTH, w);
	TIFFSetField(out, TIFFTAG_IMAGELENGTH, h);
	TIFFSetField(out, TIFFTAG_BITSPERSAMPLE, 1);
	TIFFSetField(out, TIFFTAG_SAMPLESPERPIXEL, 1);
	TIFFSetField(out, TIFFTAG_COMPRESSION, COMPRESSION_CCITTFAX4);
	TIFFSetField(out, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_MINISWHITE);
	TIFFSetField(out, TIFFTAG_FILLORDER, FILLORDER_MSB2LSB);
	TIFFSetField(out, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
	TIFFSetField(out, TIFFTAG_ROWSPERSTRIP, h);
	TIFFSetField(out, TIFFTAG_XRESOLUTION, xres);
	TIFFSetField(out, TIFFTAG_YRESOLUTION, yres);
	TIFFSetField(out, TIFFTAG_RESOLUTIONUNIT, unit);
	TIFFSetField(out, TIFFTAG_PAGENUMBER, (uint16_t)page, (uint16_t)total);
	TIFFSetField(out, TIFFTAG_SOFTWARE, "libcti");
}

/* Copy pages [first, last] (1-based, 0 open) of in to out, rows decoded and re-encoded G4. */
static int copy_pages(TIFF *out, const char *in, int first, int last, int *page_no, int total)
{
	struct tiff_msg m;
	TIFF *t = tiff_open(in, "r", &m);
	int pages, p, n = 0;

	if (!t)
		return cti__error(CTI_EFORMAT, "%s: cannot open as TIFF: %s", in, m.text);
	pages = TIFFNumberOfDirectories(t);
	if (!first)
		first = 1;
	if (!last)
		last = pages;
	for (p = first; p <= last; p++) {
		uint32_t w = 0, h = 0, y;
		float xres = 204, yres = 196;
		uint16_t unit = RESUNIT_INCH, photo = PHOTOMETRIC_MINISWHITE;
		tmsize_t sz;
		uint8_t *row;

		if (!TIFFSetDirectory(t, (tdir_t)(p - 1))) {
			TIFFClose(t);
			return cti__error(CTI_EFORMAT, "%s: page %d: unreadable directory", in, p);
		}
		TIFFGetField(t, TIFFTAG_IMAGEWIDTH, &w);
		TIFFGetField(t, TIFFTAG_IMAGELENGTH, &h);
		TIFFGetField(t, TIFFTAG_XRESOLUTION, &xres);
		TIFFGetField(t, TIFFTAG_YRESOLUTION, &yres);
		TIFFGetFieldDefaulted(t, TIFFTAG_RESOLUTIONUNIT, &unit);
		TIFFGetFieldDefaulted(t, TIFFTAG_PHOTOMETRIC, &photo);
		set_fax_page_tags(out, w, h, xres, yres, unit, *page_no, total);
		sz = TIFFScanlineSize(t);
		row = malloc(sz > 0 ? (size_t)sz : 1);
		if (!row) {
			TIFFClose(t);
			return cti__error(CTI_ENOMEM, "fax: out of memory copying %s", in);
		}
		for (y = 0; y < h; y++) {
			if (TIFFReadScanline(t, row, y, 0) < 0) {
				free(row);
				TIFFClose(t);
				return cti__error(CTI_EFORMAT, "%s: page %d: unreadable row %u", in, p, y);
			}
			if (photo == PHOTOMETRIC_MINISBLACK) {
				tmsize_t i;

				for (i = 0; i < sz; i++)
					row[i] = (uint8_t)~row[i];
			}
			if (TIFFWriteScanline(out, row, y, 0) < 0) {
				free(row);
				TIFFClose(t);
				return cti__error(CTI_EIO, "fax: writing page %d of the combined document failed",
						  *page_no + 1);
			}
		}
		free(row);
		if (!TIFFWriteDirectory(out)) {
			TIFFClose(t);
			return cti__error(CTI_EIO, "fax: writing page %d of the combined document failed",
					  *page_no + 1);
		}
		(*page_no)++;
		n++;
	}
	TIFFClose(t);
	return n;
}

int fax_tiff_concat(const cti_fax_doc_t *docs, int ndocs, const char *out)
{
	struct tiff_msg m;
	TIFF *o;
	int i, total = 0, page_no = 0, rc;

	for (i = 0; i < ndocs; i++) {
		int n = fax_tiff_check(docs[i].path, docs[i].first_page, docs[i].last_page);

		if (n < 0)
			return n;
		total += (docs[i].last_page ? docs[i].last_page : n) -
			 (docs[i].first_page ? docs[i].first_page : 1) + 1;
	}
	o = tiff_open(out, "w", &m);
	if (!o)
		return cti__error(CTI_EIO, "%s: cannot create: %s", out, m.text);
	for (i = 0; i < ndocs; i++) {
		rc = copy_pages(o, docs[i].path, docs[i].first_page, docs[i].last_page, &page_no, total);
		if (rc < 0) {
			TIFFClose(o);
			return rc;
		}
	}
	TIFFClose(o);
	return page_no;
}

/*
 * Any TIFF to a 1728-wide G4 fax TIFF at 204x196 dpi: RGBA decode, luminance
 * averaged over each target pel's footprint (box filter), threshold at 50%.
 */
int fax_tiff_convert(const char *in, const char *out)
{
	struct tiff_msg mi, mo;
	TIFF *t, *o;
	int pages, p;
	const uint32_t ow = 1728;
	const float oxres = 204, oyres = 196;

	if (!in || !out)
		return cti__error(CTI_EINVAL, "cti_fax_convert_tiff: NULL path");
	t = tiff_open(in, "r", &mi);
	if (!t)
		return cti__error(CTI_EFORMAT, "%s: cannot open as TIFF: %s", in,
				  mi.text[0] ? mi.text : "no such file or not a TIFF");
	pages = TIFFNumberOfDirectories(t);
	o = tiff_open(out, "w", &mo);
	if (!o) {
		TIFFClose(t);
		return cti__error(CTI_EIO, "%s: cannot create: %s", out, mo.text);
	}
	for (p = 0; p < pages; p++) {
		uint32_t w = 0, h = 0, oh, x, y;
		double xr, yr, sx, sy;
		uint32_t *rgba;
		uint8_t *row;

		if (!TIFFSetDirectory(t, (tdir_t)p))
			goto bad_page;
		TIFFGetField(t, TIFFTAG_IMAGEWIDTH, &w);
		TIFFGetField(t, TIFFTAG_IMAGELENGTH, &h);
		if (!w || !h || (uint64_t)w * h > 200u * 1000 * 1000)
			goto bad_page;
		xr = res_per_mm(t, TIFFTAG_XRESOLUTION);
		yr = res_per_mm(t, TIFFTAG_YRESOLUTION);
		if (xr == 0 || yr == 0)
			xr = yr = 1;	/* unknown: square pixels */
		/* Output pels per input pel, horizontally and vertically. */
		sx = (double)ow / w;
		sy = sx * (oyres / oxres) * (xr / yr);
		oh = (uint32_t)lround(h * sy);
		if (oh == 0)
			oh = 1;
		rgba = malloc((size_t)w * h * sizeof(uint32_t));
		row = calloc(1, ow / 8);
		if (!rgba || !row) {
			free(rgba);
			free(row);
			TIFFClose(t);
			TIFFClose(o);
			return cti__error(CTI_ENOMEM, "%s: page %d: out of memory (%ux%u)", in, p + 1, w, h);
		}
		if (!TIFFReadRGBAImageOriented(t, w, h, rgba, ORIENTATION_TOPLEFT, 0)) {
			free(rgba);
			free(row);
			goto bad_page;
		}
		set_fax_page_tags(o, ow, oh, oxres, oyres, RESUNIT_INCH, p, pages);
		for (y = 0; y < oh; y++) {
			uint32_t y0 = (uint32_t)(y / sy), y1 = (uint32_t)((y + 1) / sy);

			if (y1 > h)
				y1 = h;
			if (y1 <= y0)
				y1 = y0 + 1 <= h ? y0 + 1 : h;
			memset(row, 0, ow / 8);
			for (x = 0; x < ow; x++) {
				uint32_t x0 = (uint32_t)(x / sx), x1 = (uint32_t)((x + 1) / sx), xx, yy;
				uint64_t sum = 0, cnt = 0;

				if (x1 > w)
					x1 = w;
				if (x1 <= x0)
					x1 = x0 + 1 <= w ? x0 + 1 : w;
				for (yy = y0; yy < y1; yy++) {
					for (xx = x0; xx < x1; xx++) {
						uint32_t px = rgba[(size_t)yy * w + xx];
						uint32_t a = TIFFGetA(px);
						/* Rec. 601 luma, transparent pels on white paper. */
						uint32_t l = (299 * TIFFGetR(px) + 587 * TIFFGetG(px) +
							      114 * TIFFGetB(px)) / 1000;

						sum += (l * a + 255 * (255 - a)) / 255;
						cnt++;
					}
				}
				if (cnt && sum < 128 * cnt)
					row[x >> 3] |= (uint8_t)(0x80 >> (x & 7));	/* black */
			}
			if (TIFFWriteScanline(o, row, y, 0) < 0) {
				free(rgba);
				free(row);
				TIFFClose(t);
				TIFFClose(o);
				return cti__error(CTI_EIO, "%s: writing page %d failed: %s", out, p + 1, mo.text);
			}
		}
		free(rgba);
		free(row);
		if (!TIFFWriteDirectory(o)) {
			TIFFClose(t);
			TIFFClose(o);
			return cti__error(CTI_EIO, "%s: writing page %d failed: %s", out, p + 1, mo.text);
		}
		continue;
bad_page:
		TIFFClose(t);
		TIFFClose(o);
		return cti__error(CTI_EFORMAT, "%s: page %d: cannot decode (%s)", in, p + 1,
				  mi.text[0] ? mi.text : "unsupported layout or size");
	}
	TIFFClose(t);
	TIFFClose(o);
	return pages;
}

#endif /* CONFIG_FAX */
