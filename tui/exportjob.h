/* SPDX-License-Identifier: MIT */
/* An export started from the review screen, on its own thread and connection. */
#ifndef MMDA_EXPORTJOB_H
#define MMDA_EXPORTJOB_H

#include "core/export/export.h"
#include "core/store.h"

struct exportjob;

/* Starts the export of the selection to out; NULL with *cause when it cannot start. */
struct exportjob *exportjob_start(const char *db_path, enum export_format f, enum select_mode m,
    const char *out, char **cause);
/* 1 when the export has ended (*summary set, borrowed), 0 while it runs (*done so far). */
int exportjob_poll(struct exportjob *j, int64_t *done, const char **summary);
/* Asks a running export to stop (any thread) without waiting: it ends after the
 * pair it is writing, and nothing is left at out. */
void exportjob_cancel(struct exportjob *j);
/* Stops a running export (nothing is left at out), waits and frees. */
void exportjob_free(struct exportjob *j);

#endif
