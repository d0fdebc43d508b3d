/* SPDX-License-Identifier: MIT */
/*
 * CSV: pairs.csv, RFC 4180 (CRLF record ends; a field holding a comma, a
 * quote, CR or LF is quoted with its quotes doubled). Captions are written
 * byte for byte, newlines and escape characters included, so a CSV reader
 * gets them back exactly. Parents are joined with ';' (aug_ids hold none).
 */
#include <stdio.h>
#include <string.h>

#include "core/export/export_priv.h"

#define CSV_HEADER "id,aug_id,key,image,text,op,parents,seed,auto_selected\r\n"

static int
csv_open(struct export_writer *w, char **cause)
{
	if (export_file_open(w, &w->out, "pairs.csv", cause) != 0)
		return -1;
	fputs(CSV_HEADER, w->out.f);
	return 0;
}

/* One field; NULL is the empty field. */
static void
csv_field(FILE *f, const char *s)
{
	if (s == NULL)
		return;
	if (strpbrk(s, ",\"\r\n") == NULL) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (const char *q; (q = strchr(s, '"')) != NULL; s = q + 1) {
		fwrite(s, 1, (size_t)(q - s) + 1, f); /* up to and including the quote */
		fputc('"', f);
	}
	fputs(s, f);
	fputc('"', f);
}

/* The parents as one field: "a;b;c", quoted like any field if it must be. */
static void
csv_parents(FILE *f, const struct export_item *it)
{
	int quote = 0;

	for (int i = 0; i < it->nparents; i++) {
		const char *p = it->parent_aug_ids[i];
		if (p != NULL && strpbrk(p, ",\"\r\n") != NULL)
			quote = 1;
	}
	if (!quote) {
		for (int i = 0; i < it->nparents; i++) {
			if (i > 0)
				fputc(';', f);
			if (it->parent_aug_ids[i] != NULL)
				fputs(it->parent_aug_ids[i], f);
		}
		return;
	}
	/* Never for real aug_ids; kept correct rather than assumed away. */
	fputc('"', f);
	for (int i = 0; i < it->nparents; i++) {
		if (i > 0)
			fputc(';', f);
		for (const char *p = it->parent_aug_ids[i]; p != NULL && *p != '\0'; p++) {
			if (*p == '"')
				fputc('"', f);
			fputc(*p, f);
		}
	}
	fputc('"', f);
}

static int
csv_write(struct export_writer *w, const struct export_item *it, char **cause)
{
	FILE *f = w->out.f;

	fprintf(f, "%lld,", (long long)it->id);
	csv_field(f, it->aug_id);
	fputc(',', f);
	csv_field(f, it->key);
	fputc(',', f);
	csv_field(f, it->image);
	fputc(',', f);
	csv_field(f, it->text);
	fputc(',', f);
	csv_field(f, it->op);
	fputc(',', f);
	csv_parents(f, it);
	fputc(',', f);
	if (it->has_seed)
		fprintf(f, "%lld", (long long)it->seed);
	fprintf(f, ",%s\r\n", it->auto_selected ? "true" : "false");
	return export_file_check(&w->out, cause);
}

static int
csv_finish(struct export_writer *w, char **cause)
{
	if (export_file_finish(&w->out, cause) != 0)
		return -1;
	w->files++;
	return 0;
}

static void
csv_release(struct export_writer *w)
{
	(void)w; /* only w->out, which export.c discards */
}

const struct export_fmt export_fmt_csv = {
	"csv", csv_open, csv_write, csv_finish, csv_release
};
