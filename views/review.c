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
#include "tui/render.h"
#include "tui/screen.h"
#include "views/views.h"

#define CAPTION_ROWS 4
#define INFO_ROWS 3
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

/* Draws words in a box, wrapping at word boundaries, each with its own attribute. */
static void
draw_words(int y, int x, int w, int h, const struct words *ws, const char *keep, int marked)
{
	int cx = 0, cy = 0;

	for (size_t i = 0; i < ws->n && cy < h; i++) {
		int attr = marked && !keep[i] ? theme_attr(TH_ADDED) : theme_attr(TH_TEXT);
		int len = (int)strlen(ws->w[i]); /* upper bound of its columns */
		if (cx > 0 && cx + 1 + (len < w ? len : w) > w) {
			cy++;
			cx = 0;
			if (cy >= h)
				break;
		}
		if (cx > 0)
			cx++;
		cx += screen_text(y + cy, x + cx, w - cx, ws->w[i], attr);
	}
}

static int
metric_passes_one(const struct app *a, const struct score *s, int *thresholded)
{
	for (size_t i = 0; i < a->nth; i++) {
		const struct threshold *t = &a->th[i];
		if (!t->enabled || strcmp(t->metric, s->metric) != 0)
			continue;
		*thresholded = 1;
		return (!t->has_min || s->value >= t->min) && (!t->has_max || s->value <= t->max);
	}
	*thresholded = 0;
	return 1;
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

static void
draw_info(struct app *a, int y, int w)
{
	char buf[512];
	int x;

	snprintf(buf, sizeof buf, "op %s v%d  params %s", a->c.op, a->c.op_version, a->c.params);
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


	/* Scores: failing thresholds first catch the eye. */
	x = screen_text(y + 1, 0, w, "scores ", theme_attr(TH_HEADER));
	if (a->nsc == 0)
		screen_text(y + 1, x, w - x, "none (mmda score)", theme_attr(TH_DIM));
	for (size_t i = 0; i < a->nsc && x < w; i++) {
		int thr, ok = metric_passes_one(a, &a->sc[i], &thr);
		snprintf(buf, sizeof buf, "%s %.4g%s ", a->sc[i].metric, a->sc[i].value,
		    thr ? (ok ? " ok" : " FAIL") : "");
		x += screen_text(y + 1, x, w - x, buf,
		    theme_attr(!thr ? TH_DIM : ok ? TH_PASS : TH_FAIL));
	}

	x = screen_text(y + 2, 0, w, "decisions ", theme_attr(TH_HEADER));
	if (a->ndec == 0)
		x += screen_text(y + 2, x, w - x, "none", theme_attr(TH_DIM));
	for (size_t i = 0; i < a->ndec && x < w; i++) {
		enum theme_el el = a->dec[i].answer == ANSWER_ACCEPT ? TH_ACCEPT :
		    a->dec[i].answer == ANSWER_REJECT ? TH_REJECT : TH_SKIP;
		snprintf(buf, sizeof buf, " %s: %s ", a->dec[i].annotator,
		    answer_name(a->dec[i].answer));
		x += screen_text(y + 2, x, w - x, buf, theme_attr(el));
		x += screen_text(y + 2, x, w - x, " ", 0);
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

static void
review_draw(struct app *a)
{
	char buf[512];
	int half = COLS / 2, lw = half - 1, rx = half + 1, rw = COLS - rx;
	int img_rows = LINES - 2 - 2 - CAPTION_ROWS - INFO_ROWS;

	/* Title: where we are, and how far this annotator has come. */
	move(0, 0);
	attron(theme_attr(TH_TITLE));
	clrtoeol();
	for (int c = 0; c < COLS; c++)
		addch(' ');
	attroff(theme_attr(TH_TITLE));
	if (a->n == 0) {
		screen_text(0, 1, COLS - 2, "mmda: the project has no candidates (mmda import)",
		    theme_attr(TH_TITLE));
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
		screen_text(0, 0, COLS, buf, theme_attr(TH_TITLE));
		image_label(label, sizeof label, shown, path);
		render_pane(a, 0, 1, 0, LINES - 3, COLS, path, label);
		render_pane(a, 1, 0, 0, 0, 0, NULL, NULL);
		free(path);
		render_text_panes(a);
		return;
	}
	int64_t done = a->mine[ANSWER_ACCEPT] + a->mine[ANSWER_REJECT] + a->mine[ANSWER_SKIP];
	snprintf(buf, sizeof buf, " mmda  %zu/%zu  #%" PRId64 " %s   %s: %" PRId64 " accepted, %"
	    PRId64 " rejected, %" PRId64 " skipped, %" PRId64 " left", a->cur + 1, a->n, a->c.id,
	    a->c.op ? a->c.op : "?", a->annotator, a->mine[ANSWER_ACCEPT], a->mine[ANSWER_REJECT],
	    a->mine[ANSWER_SKIP], (int64_t)a->n > done ? (int64_t)a->n - done : 0);
	screen_text(0, 0, COLS, buf, theme_attr(TH_TITLE));

	const struct candidate *orig = a->has_parent ? &a->p : &a->c;
	snprintf(buf, sizeof buf, "%s  #%" PRId64 " %s", a->second ? "SECOND PARENT" :
	    "ORIGINAL", orig->id, orig->src_key ? orig->src_key : "");
	screen_text(1, 0, lw, buf, theme_attr(TH_HEADER));
	if (a->has_parent)
		/* A hard negative is judged as a negative: say so where the eye lands first. */
		snprintf(buf, sizeof buf, "AUGMENTED  #%" PRId64 " %s%s", a->c.id, a->c.op,
		    meta_true(a->c.meta, "negative") ? "  HARD NEGATIVE" : "");
	else
		snprintf(buf, sizeof buf, "AUGMENTED  (this candidate is the original pair)");
	screen_text(1, rx, rw, buf, theme_attr(TH_HEADER));

	/* Images: the panes stay blank for the renderer; too small a screen shows none. */
	if (img_rows < 3)
		img_rows = 0;
	char *lpath = store_candidate_image(a->st, orig);
	char *rpath = a->has_parent ? store_candidate_image(a->st, &a->c) : NULL;
	char label[256];
	image_label(label, sizeof label, orig, lpath);
	render_pane(a, 0, 2, 0, img_rows, lw, lpath, label);
	image_label(label, sizeof label, &a->c, rpath);
	render_pane(a, 1, 2, rx, img_rows, rw, rpath, a->has_parent ? label : "(original)");
	free(lpath);
	free(rpath);
	render_text_panes(a);
	/* Prefetch what the next candidate will show in both panes. */
	if (a->cur + 1 < a->n) {
		struct candidate nx, np;
		if (store_candidate_get(a->st, a->ids[a->cur + 1], &nx, NULL) == 0) {
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

	/* Captions, with the diff marked on the augmented side. */
	int cy = 2 + img_rows;
	struct words wa, wb;
	split(orig->text, &wa);
	split(a->c.text, &wb);
	char *keep_a = xmalloc(wa.n + 1), *keep_b = xmalloc(wb.n + 1);
	int marked = a->has_parent && diff(&wa, &wb, keep_a, keep_b) == 0;
	/* BiAug keeps a hard-negative caption beside the positive one: show both. */
	char neg[512];
	meta_string(a->c.meta, "negative_caption", neg, sizeof neg);
	int negrow = *neg != '\0';
	draw_words(cy, 0, lw, CAPTION_ROWS, &wa, keep_a, 0);
	draw_words(cy, rx, rw, CAPTION_ROWS - marked - negrow, &wb, keep_b, marked);
	if (negrow) {
		int x = screen_text(cy + CAPTION_ROWS - 1 - marked, rx, rw, "negative: ",
		    theme_attr(TH_DIM));
		screen_text(cy + CAPTION_ROWS - 1 - marked, rx + x, rw - x, neg,
		    theme_attr(TH_REMOVED));
	}
	if (marked) {
		/* Removed words on one line below the caption. */
		int x = screen_text(cy + CAPTION_ROWS - 1, rx, rw, "removed:",
		    theme_attr(TH_DIM));
		int any = 0;
		for (size_t i = 0; i < wa.n && x < rw; i++)
			if (!keep_a[i]) {
				x += screen_text(cy + CAPTION_ROWS - 1, rx + x, rw - x, " ", 0);
				x += screen_text(cy + CAPTION_ROWS - 1, rx + x, rw - x, wa.w[i],
				    theme_attr(TH_REMOVED));
				any = 1;
			}
		if (!any)
			screen_text(cy + CAPTION_ROWS - 1, rx + x, rw - x, " none",
			    theme_attr(TH_DIM));
	}
	free(keep_a);
	free(keep_b);
	words_free(&wa);
	words_free(&wb);

	draw_info(a, cy + CAPTION_ROWS, COLS);
}

const struct view_ops view_review = { "review", review_draw };
