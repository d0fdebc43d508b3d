/* SPDX-License-Identifier: MIT */
/*
 * The review screen: ORIGINAL (left) and AUGMENTED (right) with their images
 * and captions, the caption diff (added words marked, removed ones listed),
 * the op, params and seed, scores against the enabled thresholds, the
 * decisions in force and this annotator's progress.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "core/metrics/metrics.h"
#include "core/store.h"
#include "core/base/util.h"
#include "core/base/numfmt.h"
#include "tui/render.h"
#include "tui/screen.h"
#include "views/views.h"

#define CAPTION_ROWS 4
#define INFO_ROWS 2 /* the op line and the decisions; the scores panel sits between */
/* Word diffs are quadratic; longer captions are shown without marks. */
#define DIFF_MAX_WORDS 600

struct words {
	char **w;
	size_t n;
};

static void
split(const char *s, struct words *out)
{
	char *copy = xstrdup(s), *save = NULL;

	out->w = NULL;
	out->n = 0;
	for (char *t = strtok_r(copy, " \t\n", &save); t; t = strtok_r(NULL, " \t\n", &save)) {
		out->w = xreallocarray(out->w, out->n + 1, sizeof *out->w);
		out->w[out->n++] = xstrdup(t);
	}
	free(copy);
}

static void
words_free(struct words *w)
{
	for (size_t i = 0; i < w->n; i++)
		free(w->w[i]);
	free(w->w);
}

/*
 * Marks which words of b are new and which words of a are gone, by the
 * longest common subsequence. keep_b[j] / keep_a[i] are 1 for shared words.
 * Returns -1 (no marks) when the captions are too long to compare.
 */
static int
diff(const struct words *a, const struct words *b, char *keep_a, char *keep_b)
{
	size_t n = a->n, m = b->n;
	uint16_t *t;

	if (n > DIFF_MAX_WORDS || m > DIFF_MAX_WORDS)
		return -1;
	t = xcalloc((n + 1) * (m + 1), sizeof *t);
#define T(i, j) t[(i) * (m + 1) + (j)]
	for (size_t i = n; i-- > 0;)
		for (size_t j = m; j-- > 0;)
			T(i, j) = strcmp(a->w[i], b->w[j]) == 0 ? T(i + 1, j + 1) + 1 :
			    (T(i + 1, j) > T(i, j + 1) ? T(i + 1, j) : T(i, j + 1));
	memset(keep_a, 0, n ? n : 1);
	memset(keep_b, 0, m ? m : 1);
	for (size_t i = 0, j = 0; i < n && j < m;) {
		if (strcmp(a->w[i], b->w[j]) == 0)
			keep_a[i++] = keep_b[j++] = 1;
		else if (T(i + 1, j) >= T(i, j + 1))
			i++;
		else
			j++;
	}
#undef T
	free(t);
	return 0;
}

/*
 * Draws words in a box, wrapping at word boundaries, each with its own
 * attribute, after skipping the first `skip` wrapped rows. Returns 1 when
 * words were left below the box (the caller offers to scroll).
 */
static int
draw_words(int y, int x, int w, int h, const struct words *ws, const char *keep, int marked,
    int skip)
{
	int cx = 0, cy = -skip;

	for (size_t i = 0; i < ws->n; i++) {
		int attr = marked && !keep[i] ? theme_attr(TH_ADDED) : theme_attr(TH_TEXT);
		int len = (int)strlen(ws->w[i]); /* upper bound of its columns */
		if (cx > 0 && cx + 1 + (len < w ? len : w) > w) {
			cy++;
			cx = 0;
		}
		if (cy >= h)
			return 1;
		if (cx > 0)
			cx++;
		if (cy >= 0)
			cx += screen_text(y + cy, x + cx, w - cx, ws->w[i], attr);
		else
			cx += len < w - cx ? len : w - cx;
	}
	return 0;
}

/* 1 when meta (a JSON object, or NULL) has key set to true. */
static int
meta_true(const char *meta, const char *key)
{
	cJSON *doc = meta != NULL ? cJSON_Parse(meta) : NULL;
	int yes = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(doc, key));

	cJSON_Delete(doc);
	return yes;
}

/* A string member of meta, copied into buf ("" when absent). */
static void
meta_string(const char *meta, const char *key, char *buf, size_t len)
{
	cJSON *doc = meta != NULL ? cJSON_Parse(meta) : NULL;
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(doc, key);

	snprintf(buf, len, "%s", cJSON_IsString(v) ? v->valuestring : "");
	cJSON_Delete(doc);
}

/* The op line (y) and the decisions line (ydec). */
static void
draw_info(struct app *a, int y, int ydec, int w)
{
	char buf[512];
	int x;

	char *params = numfmt_json(a->c.params);
	snprintf(buf, sizeof buf, "op %s v%d  params %s", a->c.op, a->c.op_version,
	    params != NULL ? params : "{}");
	free(params);
	x = screen_text(y, 0, w, buf, theme_attr(TH_DIM));
	if (a->c.has_seed && x + 20 < w) {
		snprintf(buf, sizeof buf, "  seed %" PRId64, a->c.seed);
		x += screen_text(y, x, w - x, buf, theme_attr(TH_DIM));
	}
	if (a->c.nparents == 2 && x + 20 < w) {
		snprintf(buf, sizeof buf, "  second parent #%" PRId64, a->c.parents[1]);
		x += screen_text(y, x, w - x, buf, theme_attr(TH_DIM));
	}
	/* A model-backed candidate: which model made it (the prompt is in mmda show). */
	if (a->c.model != NULL && x + 20 < w) {
		snprintf(buf, sizeof buf, "  model %s", a->c.model);
		x += screen_text(y, x, w - x, buf, theme_attr(TH_DIM));
	}


	x = screen_text(ydec, 0, w, "decisions ", theme_attr(TH_HEADER));
	if (a->ndec == 0)
		x += screen_text(ydec, x, w - x, "none", theme_attr(TH_DIM));
	for (size_t i = 0; i < a->ndec && x < w; i++) {
		enum theme_el el = a->dec[i].answer == ANSWER_ACCEPT ? TH_ACCEPT :
		    a->dec[i].answer == ANSWER_REJECT ? TH_REJECT : TH_SKIP;
		snprintf(buf, sizeof buf, " %s: %s ", a->dec[i].annotator,
		    answer_name(a->dec[i].answer));
		x += screen_text(ydec, x, w - x, buf, theme_attr(el));
		x += screen_text(ydec, x, w - x, " ", 0);
	}
}

/* What the none renderer shows: the file and, when known, the size. */
static void
image_label(char *buf, size_t len, const struct candidate *c, const char *path)
{
	const char *base = path ? strrchr(path, '/') : NULL;

	base = base ? base + 1 : path ? path : "no image";
	if (c->width > 0)
		snprintf(buf, len, "[%s %dx%d]", base, c->width, c->height);
	else
		snprintf(buf, len, "[%s]", base);
}

/* The title bar: queue, position, this annotator's progress and what is left. */
static void
draw_title(struct app *a)
{
	char buf[512], where[96], link[64];

	if (a->full_ids != NULL)
		snprintf(where, sizeof where, "boundary of %s", a->boundary_metric);
	else
		snprintf(where, sizeof where, "%s", app_queue_name(a));
	snprintf(buf, sizeof buf, " mmda  %s %zu/%zu, %" PRId64 " left  #%" PRId64 " %s   %s: %"
	    PRId64 " accepted, %" PRId64 " rejected, %" PRId64 " skipped   %s", where, a->cur + 1,
	    a->n, a->left, a->c.id, a->c.op ? a->c.op : "?", a->annotator, a->mine[ANSWER_ACCEPT],
	    a->mine[ANSWER_REJECT], a->mine[ANSWER_SKIP], render_link(a, link, sizeof link));
	screen_title(buf);
}

/*
 * Prefetches what the next two candidates will show in both panes: a quick
 * reviewer's second key arrives before the worker could start on the pane
 * it needs if only the next one were asked for.
 */
static void
prefetch_next(struct app *a)
{
	struct candidate nx, np;

	for (size_t k = 1; k <= 2 && a->cur + k < a->n; k++) {
		if (store_candidate_get(a->st, a->ids[a->cur + k], &nx, NULL) != 0)
			return;
		char *path = store_candidate_image(a->st, &nx);
		if (nx.nparents > 0) {
			render_prefetch(a, path, 1);
			if (store_candidate_get(a->st, nx.parents[0], &np, NULL) == 0) {
				char *pp = store_candidate_image(a->st, &np);
				render_prefetch(a, pp, 0);
				free(pp);
				candidate_free(&np);
			}
		} else
			render_prefetch(a, path, 0);
		free(path);
		candidate_free(&nx);
	}
}

/* The rows the scores panel may take: more on a tall screen, never the images'. */
static int
score_rows(void)
{
	return LINES >= 40 ? 5 : LINES >= 30 ? 3 : 2;
}

/* An original on its own: one pane and one caption over the whole width. */
static void
draw_original(struct app *a, int img_rows)
{
	char buf[512], label[256];
	char *path = store_candidate_image(a->st, &a->c);
	struct words wa;

	snprintf(buf, sizeof buf, "ORIGINAL  #%" PRId64 " %s  (an original pair: judge the pair "
	    "itself)", a->c.id, a->c.src_key ? a->c.src_key : "");
	screen_text(1, 0, COLS, buf, theme_attr(TH_HEADER));
	image_label(label, sizeof label, &a->c, path);
	render_pane(a, 0, 2, 0, img_rows, COLS, path, label);
	render_pane(a, 1, 0, 0, 0, 0, NULL, NULL);
	free(path);
	render_text_panes(a);
	prefetch_next(a);
	split(a->c.text, &wa);
	a->cap_scroll_more = draw_words(2 + img_rows, 0, COLS, CAPTION_ROWS, &wa, NULL, 0,
	    a->cap_scroll);
	if (a->cap_scroll_more)
		screen_text(2 + img_rows + CAPTION_ROWS - 1, COLS - 14, 14, " c: more text ",
		    theme_attr(TH_HINT));
	words_free(&wa);
}

static void
review_draw(struct app *a)
{
	char buf[512];
	int half = COLS / 2, lw = half - 1, rx = half + 1, rw = COLS - rx;
	int srows = score_rows();
	int img_rows = LINES - 2 - 2 - CAPTION_ROWS - INFO_ROWS - srows;

	if (a->n == 0) {
		screen_title(" mmda: this queue is empty (mmda import, or another --queue)");
		render_pane(a, 0, 0, 0, 0, 0, NULL, NULL);
		render_pane(a, 1, 0, 0, 0, 0, NULL, NULL);
		return;
	}
	if (a->zoom) {
		/* One image, as large as the screen allows; z returns. */
		const struct candidate *shown = &a->c;
		char *path = store_candidate_image(a->st, shown), label[256];
		snprintf(buf, sizeof buf, " mmda  #%" PRId64 " %s, full screen (z returns)", shown->id,
		    shown->op);
		screen_title(buf);
		image_label(label, sizeof label, shown, path);
		render_pane(a, 0, 1, 0, LINES - 3, COLS, path, label);
		render_pane(a, 1, 0, 0, 0, 0, NULL, NULL);
		free(path);
		render_text_panes(a);
		return;
	}
	/* Images: the panes stay blank for the renderer; too small a screen shows none. */
	if (img_rows < 3)
		img_rows = 0;
	int cy = 2 + img_rows;
	if (!a->has_parent) {
		draw_original(a, img_rows);
	} else {
		const struct candidate *orig = &a->p;
		char verdict[256], label[256];
		snprintf(buf, sizeof buf, "%s  #%" PRId64 " %s", a->second ? "SECOND PARENT" :
		    "ORIGINAL", orig->id, orig->src_key ? orig->src_key : "");
		screen_text(1, 0, lw, buf, theme_attr(TH_HEADER));
		/* A hard negative is judged as a negative; a failing threshold says why:
		 * both where the eye lands first. */
		int x = snprintf(buf, sizeof buf, "AUGMENTED  #%" PRId64 " %s%s  ", a->c.id, a->c.op,
		    meta_true(a->c.meta, "negative") ? "  HARD NEGATIVE" : "");
		x = screen_text(1, rx, rw, buf, theme_attr(TH_HEADER));
		if (review_verdict(a, verdict, sizeof verdict) > 0)
			screen_text(1, rx + x, rw - x, verdict, theme_attr(TH_FAIL));

		char *lpath = store_candidate_image(a->st, orig);
		char *rpath = store_candidate_image(a->st, &a->c);
		image_label(label, sizeof label, orig, lpath);
		render_pane(a, 0, 2, 0, img_rows, lw, lpath, label);
		image_label(label, sizeof label, &a->c, rpath);
		render_pane(a, 1, 2, rx, img_rows, rw, rpath, label);
		free(lpath);
		free(rpath);
		render_text_panes(a);
		prefetch_next(a);

		/* Captions, with the diff marked on the augmented side; the removed
		 * words keep a row of their own below. */
		struct words wa, wb;
		split(orig->text, &wa);
		split(a->c.text, &wb);
		char *keep_a = xmalloc(wa.n + 1), *keep_b = xmalloc(wb.n + 1);
		int marked = diff(&wa, &wb, keep_a, keep_b) == 0;
		/* BiAug keeps a hard-negative caption beside the positive one: show both.
		 * A code-switch shows its mappings there instead (the diff marks the new
		 * words; this says what each replaced, at which tier and distance). */
		char neg[512];
		const char *rowlabel = "negative: ";
		int rowattr = theme_attr(TH_REMOVED);
		meta_string(a->c.meta, "negative_caption", neg, sizeof neg);
		if (*neg == '\0') {
			meta_string(a->c.meta, "switches", neg, sizeof neg);
			rowlabel = "switched: ";
			rowattr = theme_attr(TH_ADDED);
		}
		int negrow = *neg != '\0';
		int more = draw_words(cy, 0, lw, CAPTION_ROWS, &wa, keep_a, 0, a->cap_scroll);
		more |= draw_words(cy, rx, rw, CAPTION_ROWS - marked - negrow, &wb, keep_b, marked,
		    a->cap_scroll);
		if (negrow) {
			int nx = screen_text(cy + CAPTION_ROWS - 1 - marked, rx, rw, rowlabel,
			    theme_attr(TH_DIM));
			screen_text(cy + CAPTION_ROWS - 1 - marked, rx + nx, rw - nx, neg, rowattr);
		}
		if (marked) {
			int rxx = screen_text(cy + CAPTION_ROWS - 1, rx, rw, "removed:",
			    theme_attr(TH_DIM));
			int any = 0;
			for (size_t i = 0; i < wa.n && rxx < rw; i++)
				if (!keep_a[i]) {
					rxx += screen_text(cy + CAPTION_ROWS - 1, rx + rxx, rw - rxx, " ", 0);
					rxx += screen_text(cy + CAPTION_ROWS - 1, rx + rxx, rw - rxx,
					    wa.w[i], theme_attr(TH_REMOVED));
					any = 1;
				}
			if (!any)
				screen_text(cy + CAPTION_ROWS - 1, rx + rxx, rw - rxx, " none",
				    theme_attr(TH_DIM));
		}
		if (more)
			screen_text(cy + CAPTION_ROWS - 1, lw - 14, 14, " c: more text ",
			    theme_attr(TH_HINT));
		a->cap_scroll_more = more;
		free(keep_a);
		free(keep_b);
		words_free(&wa);
		words_free(&wb);
	}
	int used = review_scores_draw(a, cy + CAPTION_ROWS + 1, COLS, srows);
	draw_info(a, cy + CAPTION_ROWS, cy + CAPTION_ROWS + 1 + used, COLS);
	/* Last: the link mode it names is that of the panes this frame set. */
	draw_title(a);
}

const struct view_ops view_review = { "review", review_draw };
