/* SPDX-License-Identifier: MIT */
/*
 * A line reader for big manifests: one read(2) buffer that grows only for
 * long lines, lines handed out in place (NUL-terminated, '\n' and a trailing
 * '\r' removed), and lines over a limit reported once and skipped up to the
 * next newline so the reader stays in step with the file.
 */
#ifndef MMDA_LINEREADER_H
#define MMDA_LINEREADER_H

#include <stddef.h>

enum linereader_status {
	LINEREADER_LINE,  /* *line and *len are set */
	LINEREADER_EOF,
	LINEREADER_LONG,  /* the line was longer than the limit and was skipped */
	LINEREADER_ERROR, /* a read error; *cause is set */
};

struct linereader;

/* Opens path; lines longer than max bytes come back as LINEREADER_LONG. */
struct linereader *linereader_open(const char *path, size_t max, char **cause);
/*
 * The next line: *line points into the reader's buffer and stays valid until
 * the next call. It may hold NUL bytes (*len counts them). The 1-based number
 * of the line just returned, long lines included, is in linereader_lineno().
 */
enum linereader_status linereader_next(struct linereader *lr, char **line, size_t *len,
    char **cause);
long linereader_lineno(const struct linereader *lr);
void linereader_close(struct linereader *lr);

#endif
