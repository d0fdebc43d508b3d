/* SPDX-License-Identifier: MIT */
/*
 * The export screen: the formats trainers read, the selection, and what an
 * export writes; Enter asks for a folder and runs it in the background
 * (complete, or nothing at the folder), like `mmda export`.
 */
#include <stdio.h>

#include "core/export/export.h"
#include "core/metrics/audit.h"
#include "core/store.h"
#include "tui/screen.h"
#include "views/views.h"

static const char *const what[EXPORT_FORMAT_COUNT] = {
	[EXPORT_JSONL] = "pairs.jsonl: lineage, scores and decisions per pair",
	[EXPORT_IMAGEFOLDER] = "images + metadata.jsonl (Hugging Face ImageFolder)",
	[EXPORT_COCO] = "captions.json: images and annotations, captions grouped",
	[EXPORT_LLAVA] = "llava.json: conversations (or a describe-the-image turn)",
	[EXPORT_WDS] = "WebDataset tar shards: KEY.jpg/png + KEY.txt + KEY.json",
	[EXPORT_CSV] = "pairs.csv (RFC 4180)",
	[EXPORT_DJ] = "data_juicer.jsonl with <__dj__image> tokens",
};

static void
export_draw(struct app *a)
{
	char buf[256];
	int y = 2;

	screen_title(" mmda export   j/k format  Tab selection  Enter export to a folder"
	    "  E back");
	for (int f = 0; f < EXPORT_FORMAT_COUNT && y < LINES - 6; f++, y++) {
		int sel = f == a->ex_format;
		snprintf(buf, sizeof buf, "%c %-12s %s", sel ? '>' : ' ',
		    export_format_name((enum export_format)f), what[f]);
		screen_text(y, 0, COLS, buf, theme_attr(sel ? TH_HEADER : TH_TEXT) |
		    (sel ? A_REVERSE : 0));
	}
	y++;
	snprintf(buf, sizeof buf, "selection: %s   (gold: accepted by majority; accepted: by "
	    "anyone; passing: every enabled threshold; all)",
	    select_mode_name((enum select_mode)a->ex_select));
	screen_text(y++, 0, COLS, buf, theme_attr(TH_TEXT));
	screen_text(y++, 0, COLS, "Images are copied; manifest.json records the selection and the "
	    "thresholds in force.", theme_attr(TH_DIM));
	/* How clean the unreviewed part is, before anything is written. */
	struct audit_estimate e;
	int got = audit_estimate(a->st, &e, NULL);
	if (got == 1 && e.reviewed > 0)
		snprintf(buf, sizeof buf, "audit: the unreviewed part is %.1f%% accepted (Wilson 95%%: "
		    "%.1f..%.1f%%), from %lld reviewed of %lld drawn", 100 * e.value, 100 * e.lo,
		    100 * e.hi, (long long)e.reviewed, (long long)e.sample);
	else if (got == 1)
		snprintf(buf, sizeof buf, "audit: %lld drawn, none reviewed yet (review --queue audit)",
		    (long long)e.sample);
	else
		snprintf(buf, sizeof buf, "audit: no sample yet; mmda audit DB --sample N measures the "
		    "precision of what passes unreviewed");
	screen_text(++y, 0, COLS, buf, theme_attr(got == 1 && e.reviewed > 0 ? TH_HEADER : TH_DIM));
}

const struct view_ops view_export = { "export", export_draw };
