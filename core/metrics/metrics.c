/* SPDX-License-Identifier: MIT */
/* The metric table and the per-candidate computations. */
#include "core/metrics/metrics.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "core/metrics/imgmetrics.h"
#include "core/ops/ops.h"
#include "core/store.h"
#include "core/metrics/textmetrics.h"
#include "core/base/util.h"

#define NONE 0, 0, 0.0, 0.0

/*
 * Default scopes, by op class. A comparison with the parent's pixels means
 * something only where the pixels stay where they were (a mirrored texture
 * scores SSIM 0.04 and is a correct flip); a caption measure only where the
 * caption is the candidate's own (an image op keeps its parent's, so a
 * duplicate-caption rule would fail every one of them); what looks at the
 * image alone, or at the image with its caption, holds for every candidate.
 */
#define C(k) (1u << OP_CLASS_##k)
#define ANY ((1u << OP_CLASS_COUNT) - 1)
#define ALIGNED (C(PHOTOMETRIC) | C(GENERATIVE))
#define OWN_TEXT (C(ORIGINAL) | C(CAPTION) | C(MIX))

const struct metric_def metric_table[] = {
	/* Image against its parent. */
	{ "ssim", 1, "structural similarity to the parent (luma, Gaussian 11x11, sigma 1.5)",
	    "0..1, 1 = identical", NONE, "none: what is right depends on the op",
	    METRIC_IMAGE | METRIC_PARENT, METRIC_KEEP_ABOVE,
	    ALIGNED },
	{ "psnr", 1, "peak signal-to-noise ratio against the parent", "dB, 100 = identical",
	    NONE, "none", METRIC_IMAGE | METRIC_PARENT, METRIC_KEEP_ABOVE,
	    ALIGNED },
	{ "ahash_dist", 2, "aHash Hamming distance to the parent (imagehash average_hash)",
	    "0..64 bits", NONE,
	    "none", METRIC_PARENT | METRIC_HASHES, METRIC_KEEP_BELOW,
	    ALIGNED },
	{ "dhash_dist", 2, "dHash Hamming distance to the parent (imagehash dhash)", "0..64 bits",
	    NONE,
	    "none", METRIC_PARENT | METRIC_HASHES, METRIC_KEEP_BELOW,
	    ALIGNED },
	{ "phash_dist", 2, "pHash Hamming distance to the parent (imagehash phash)", "0..64 bits",
	    0, 1, 0, 15,
	    "Phashion's duplicate radius (15 bits): farther is an unrelated image",
	    METRIC_PARENT | METRIC_HASHES, METRIC_KEEP_BELOW,
	    ALIGNED },
	{ "changed_frac", 1, "fraction of pixels changed by more than 16/255 from the parent",
	    "0..1", NONE, "none", METRIC_IMAGE | METRIC_PARENT, METRIC_KEEP_BELOW,
	    ALIGNED },
	/* Image alone. */
	{ "pixel_std", 1, "standard deviation of luma: near 0 is a blank or flat image",
	    "0..127.5", 1, 0, 2.0, 0, "blank images from diffusion servers (ALIA's negatives)",
	    METRIC_IMAGE, METRIC_KEEP_ABOVE,
	    ANY },
	{ "aspect_ratios", 1, "width / height", "ratio", 1, 1, 0.333, 3.0,
	    "Data-Juicer image_aspect_ratio_filter", 0, METRIC_KEEP_ABOVE,
	    ANY },
	{ "width", 1, "image width", "pixels", NONE, "Data-Juicer image_shape_filter (1..)", 0,
	    METRIC_KEEP_ABOVE,
	    ANY },
	{ "height", 1, "image height", "pixels", NONE, "Data-Juicer image_shape_filter (1..)",
	    0, METRIC_KEEP_ABOVE,
	    ANY },
	{ "image_size", 1, "bytes of the image file", "bytes", NONE,
	    "Data-Juicer image_size_filter", 0, METRIC_KEEP_ABOVE,
	    ANY },
	/* Text. */
	{ "num_words", 1, "words in the caption", "count", 1, 0, 10, 0,
	    "Data-Juicer words_num_filter (min 10)", METRIC_TEXT, METRIC_KEEP_ABOVE,
	    OWN_TEXT },
	{ "text_len", 1, "characters in the caption", "count", 1, 0, 10, 0,
	    "Data-Juicer text_length_filter (min 10)", METRIC_TEXT, METRIC_KEEP_ABOVE,
	    OWN_TEXT },
	{ "word_rep_ratio", 1, "share of word 10-grams that repeat (looping generations)",
	    "0..1", 0, 1, 0, 0.5, "Data-Juicer word_repetition_filter (max 0.5)", METRIC_TEXT,
	    METRIC_KEEP_BELOW,
	    OWN_TEXT },
	{ "word_overlap", 2, "Jaccard of content-word lemmas against the parent's caption",
	    "0..1", NONE, "none: LaCLIP-style rewrites should keep the key concepts",
	    METRIC_TEXT | METRIC_PARENT | METRIC_WORDNET, METRIC_KEEP_ABOVE,
	    C(CAPTION) },
	/* Groups over the whole project: 0 for the first of a group (or no group),
	 * else the id of the group's first candidate; --max 0 keeps one per group. */
	{ "text_dup", 1, "exact duplicate caption (normalised): id of the first, or 0",
	    "candidate id", 0, 1, 0, 0, "exact dedup as in Data-Juicer document_deduplicator",
	    METRIC_TEXT | METRIC_SET, METRIC_KEEP_BELOW,
	    C(ORIGINAL) | C(CAPTION) },
	{ "text_near_dup", 1, "near-duplicate caption (MinHash, 5-gram words, Jaccard >= 0.7)",
	    "candidate id", 0, 1, 0, 0,
	    "Data-Juicer document_minhash_deduplicator (256 permutations, 0.7)",
	    METRIC_TEXT | METRIC_SET, METRIC_KEEP_BELOW,
	    C(ORIGINAL) | C(CAPTION) },
	{ "image_near_dup", 2, "near-duplicate image (pHash Hamming <= 4)", "candidate id", 0,
	    1, 0, 0, "minimal-edit radius of ~4 bits", METRIC_SET | METRIC_HASHES,
	    METRIC_KEEP_BELOW,
	    C(ORIGINAL) | C(GEOMETRIC) | C(GENERATIVE) | C(MIX) },
	/* Model-backed: computed once a backend is configured. */
	{ "image_text_similarity", 1, "CLIP cosine between image and caption", "-1..1", 1, 0,
	    0.28, 0, "LAION-5B kept ViT-B/32 cosine >= 0.28 (Data-Juicer's 0.1 is far looser)",
	    METRIC_IMAGE | METRIC_TEXT | METRIC_BACKEND, METRIC_KEEP_ABOVE,
	    ANY },
	{ "clip_score", 1, "CLIPScore: 2.5 * max(cosine, 0)", "0..2.5", NONE,
	    "Hessel et al. 2021", METRIC_IMAGE | METRIC_TEXT | METRIC_BACKEND,
	    METRIC_KEEP_ABOVE,
	    ANY },
	{ "image_pair_similarity", 1, "CLIP cosine between the image and its parent's image",
	    "-1..1", 1, 1, 0.1, 1.0,
	    "Data-Juicer image_pair_similarity_filter keeps 0.1..1.0; near 1 is a minimal edit",
	    METRIC_IMAGE | METRIC_PARENT | METRIC_BACKEND, METRIC_KEEP_ABOVE,
	    C(GEOMETRIC) | C(PHOTOMETRIC) | C(GENERATIVE) | C(MIX) },
	/* What a model op recorded about its own output. */
	{ "rationale_consistent", 1,
	    "1 when a rationale's final answer is the gold answer, else 0 (rationale op)",
	    "0 or 1", 1, 0, 1, 0,
	    "ours (T-SciQ filters nothing): a rationale ending elsewhere contradicts its answer",
	    METRIC_META, METRIC_KEEP_ABOVE, C(CAPTION) },
	/* Learned from the decisions (core/metrics/learnstore.c). */
	{ "learned_accept", 1, "the learned filter's probability that a person accepts",
	    "0..1", 1, 0, 0.5, 0, "mmda tune --learn: L2 logistic regression over the scores "
	    "and the op", METRIC_LEARNED, METRIC_KEEP_ABOVE,
	    ANY },
	{ NULL, 0, NULL, NULL, NONE, NULL, 0, 0, 0 },
};

const struct metric_def *
metric_find(const char *name)
{
	for (const struct metric_def *m = metric_table; m->name != NULL; m++)
		if (strcmp(m->name, name) == 0)
			return m;
	return NULL;
}

/* The default scopes, built once from the metric and op tables. */
static struct metric_scope default_scopes[64];
static char *default_ops[64];
static pthread_once_t defaults_once = PTHREAD_ONCE_INIT;

static char *
class_ops(unsigned classes)
{
	size_t len = 0;
	char *s;

	if (classes & C(ORIGINAL))
		len += sizeof "original";
	for (const struct op_def *op = op_table; op->name != NULL; op++)
		if (classes & (1u << op->cls))
			len += strlen(op->name) + 1;
	s = xcalloc(1, len + 1);
	if (classes & C(ORIGINAL))
		strcat(s, "original");
	for (const struct op_def *op = op_table; op->name != NULL; op++)
		if (classes & (1u << op->cls)) {
			if (*s != '\0')
				strcat(s, ",");
			strcat(s, op->name);
		}
	return s;
}

static void
build_defaults(void)
{
	size_t n = 0;

	for (const struct metric_def *m = metric_table; m->name != NULL && n < 63; m++, n++) {
		default_ops[n] = class_ops(m->scope);
		default_scopes[n].metric = m->name;
		default_scopes[n].ops = default_ops[n];
		default_scopes[n].parent = (m->needs & METRIC_PARENT) != 0;
	}
	default_scopes[n].metric = NULL;
}

const struct metric_scope *
metric_default_scopes(void)
{
	pthread_once(&defaults_once, build_defaults);
	return default_scopes;
}

/* 1 when the comma-separated list holds name. */
static int
list_has(const char *list, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = list; *p != '\0';) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		if (len == n && strncmp(p, name, n) == 0)
			return 1;
		p += len + (comma != NULL);
	}
	return 0;
}

int
metric_in_scope(const struct threshold *t, const char *op)
{
	const struct metric_def *m = metric_find(t->metric);
	const char *scope = t->scope != NULL ? t->scope : "";
	int k;

	if (m != NULL && (m->needs & METRIC_PARENT) && strcmp(op, "original") == 0)
		return 0;
	if (strcmp(scope, METRIC_SCOPE_ALL) == 0)
		return 1;
	if (*scope != '\0')
		return list_has(scope, op);
	if (m == NULL)
		return 1; /* a metric this mmda does not know: as store_passing, everywhere */
	k = op_class_of(op);
	return k >= 0 && (m->scope & (1u << k)) != 0;
}

int
metric_scope_parse(const char *metric, const char *spec, char **scope, char **cause)
{
	const struct metric_def *m = metric_find(metric);
	unsigned want_original = 0, classes = 0;
	unsigned char chosen[OP_TABLE_MAX] = { 0 };
	char *copy, *save = NULL;

	*scope = NULL;
	if (strcmp(spec, "default") == 0) {
		*scope = xstrdup("");
		return 0;
	}
	if (strcmp(spec, "all") == 0) {
		*scope = xstrdup(METRIC_SCOPE_ALL);
		return 0;
	}
	copy = xstrdup(spec);
	for (char *w = strtok_r(copy, ",", &save); w != NULL; w = strtok_r(NULL, ",", &save)) {
		int k = op_class_find(w);
		const struct op_def *op = op_find(w);
		if (strcmp(w, "original") == 0 || k == OP_CLASS_ORIGINAL)
			want_original = 1;
		else if (k >= 0)
			classes |= 1u << k;
		else if (op != NULL)
			chosen[op - op_table] = 1;
		else {
			cause_set(cause, "unknown op %s in --ops (mmda ops lists them; classes: "
			    "original, geometric, photometric, generative, caption, mix; or all)", w);
			free(copy);
			return -1;
		}
	}
	free(copy);
	if (want_original && m != NULL && (m->needs & METRIC_PARENT))
		return cause_set(cause, "%s compares with a parent: originals have none", metric);
	/* One spelling per set: originals first, then the op table's order. */
	size_t len = 1;
	for (const struct op_def *op = op_table; op->name != NULL; op++)
		len += strlen(op->name) + 1;
	char *s = xcalloc(1, len + sizeof "original,");
	if (want_original)
		strcat(s, "original");
	for (const struct op_def *op = op_table; op->name != NULL; op++)
		if (chosen[op - op_table] || (classes & (1u << op->cls))) {
			if (*s != '\0')
				strcat(s, ",");
			strcat(s, op->name);
		}
	if (*s == '\0') {
		free(s);
		return cause_set(cause, "--ops names no op");
	}
	*scope = s;
	return 0;
}

char *
metric_scope_describe(const char *metric, const char *scope)
{
	const struct metric_def *m = metric_find(metric);
	char buf[256];
	size_t o = 0;

	if (scope != NULL && strcmp(scope, METRIC_SCOPE_ALL) == 0)
		return xstrdup(m != NULL && (m->needs & METRIC_PARENT) ? "all derived ops" :
		    "all ops");
	if (scope != NULL && *scope != '\0')
		return xstrdup(scope);
	if (m == NULL)
		return xstrdup("all ops");
	buf[0] = '\0';
	for (int k = 0; k < OP_CLASS_COUNT; k++)
		if (m->scope & (1u << k))
			o += (size_t)snprintf(buf + o, sizeof buf - o, "%s%s", o ? ", " : "",
			    op_class_table[k].name);
	return m->scope == ANY ? xstrdup("all ops") : xasprintf("%s ops", buf);
}

enum metric_verdict
metric_check(const struct threshold *t, const struct score *s, size_t ns, const char *op,
    double *value)
{
	if (!metric_in_scope(t, op))
		return METRIC_SKIPPED;
	for (size_t k = 0; k < ns; k++)
		if (strcmp(s[k].metric, t->metric) == 0) {
			if (isnan(s[k].value))
				return METRIC_UNSCORED;
			*value = s[k].value;
			return (!t->has_min || s[k].value >= t->min) &&
			    (!t->has_max || s[k].value <= t->max) ? METRIC_PASS : METRIC_FAIL;
		}
	return METRIC_UNSCORED;
}

enum metric_verdict
metric_overall(const struct threshold *t, size_t nt, const struct score *s, size_t ns,
    const char *op)
{
	enum metric_verdict v = METRIC_PASS;

	for (size_t i = 0; i < nt; i++) {
		double val;
		if (!t[i].enabled)
			continue;
		enum metric_verdict one = metric_check(&t[i], s, ns, op, &val);
		if (one == METRIC_FAIL)
			return METRIC_FAIL;
		if (one == METRIC_UNSCORED)
			v = METRIC_UNSCORED;
	}
	return v;
}

int
metric_passes(const struct threshold *t, size_t nt, const struct score *s, size_t ns,
    const char *op, const char **failing, size_t max, size_t *nfailing)
{
	size_t nf = 0;

	for (size_t i = 0; i < nt; i++) {
		double val;
		enum metric_verdict v;
		if (!t[i].enabled)
			continue;
		/* A missing score fails here, as in store_passing: export must not guess. */
		v = metric_check(&t[i], s, ns, op, &val);
		if (v == METRIC_PASS || v == METRIC_SKIPPED)
			continue;
		if (failing != NULL && nf < max)
			failing[nf] = t[i].metric;
		nf++;
	}
	if (nfailing != NULL)
		*nfailing = nf;
	return nf == 0;
}

static int
hamming_metric(const struct metric_inputs *in, int k, double *out)
{
	if (in->hashes == NULL || in->parent_hashes == NULL)
		return 1;
	*out = imgm_hamming(in->hashes[k], in->parent_hashes[k]);
	return 0;
}

int
metric_compute(const struct metric_def *m, const struct metric_inputs *in, double *out,
    char **cause)
{
	const char *n = m->name;

	if ((m->needs & METRIC_PARENT) && ((m->needs & METRIC_IMAGE) ? in->parent_img == NULL :
	    (m->needs & METRIC_TEXT) ? in->parent_text == NULL : 0))
		return 1;
	if ((m->needs & METRIC_IMAGE) && in->img == NULL)
		return 1;
	if (strcmp(n, "ssim") == 0)
		return imgm_ssim(in->img, in->parent_img, out, cause);
	if (strcmp(n, "psnr") == 0)
		return imgm_psnr(in->img, in->parent_img, out, cause);
	if (strcmp(n, "changed_frac") == 0)
		return imgm_changed_frac(in->img, in->parent_img, METRIC_CHANGED_THRESHOLD, out,
		    cause);
	if (strcmp(n, "ahash_dist") == 0)
		return hamming_metric(in, 0, out);
	if (strcmp(n, "dhash_dist") == 0)
		return hamming_metric(in, 1, out);
	if (strcmp(n, "phash_dist") == 0)
		return hamming_metric(in, 2, out);
	if (strcmp(n, "pixel_std") == 0) {
		*out = imgm_luma_std(in->img);
		return 0;
	}
	if (strcmp(n, "aspect_ratios") == 0 || strcmp(n, "width") == 0 ||
	    strcmp(n, "height") == 0) {
		int w = in->img ? in->img->w : in->width, h = in->img ? in->img->h : in->height;
		if (w <= 0 || h <= 0)
			return 1;
		*out = n[0] == 'a' ? (double)w / h : n[0] == 'w' ? w : h;
		return 0;
	}
	if (strcmp(n, "image_size") == 0) {
		if (in->file_bytes <= 0)
			return 1;
		*out = (double)in->file_bytes;
		return 0;
	}
	if (strcmp(n, "num_words") == 0) {
		*out = (double)txm_num_words(in->text);
		return 0;
	}
	if (strcmp(n, "text_len") == 0) {
		*out = (double)txm_text_len(in->text);
		return 0;
	}
	if (strcmp(n, "word_rep_ratio") == 0) {
		*out = txm_word_repetition(in->text, 10);
		return 0;
	}
	if (strcmp(n, "word_overlap") == 0) {
		if (in->parent_text == NULL)
			return 1;
		return txm_word_overlap(in->wn, in->text, in->parent_text, out) == 0 ? 0 :
		    cause_set(cause, "word_overlap failed");
	}
	if (strcmp(n, "rationale_consistent") == 0) {
		cJSON *doc = in->meta != NULL ? cJSON_Parse(in->meta) : NULL;
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(doc, "answer_consistent");
		int rc = cJSON_IsBool(v) ? 0 : 1; /* not a rationale: does not apply */
		if (rc == 0)
			*out = cJSON_IsTrue(v) ? 1 : 0;
		cJSON_Delete(doc);
		return rc;
	}
	return 1; /* set and backend metrics are not per-candidate */
}
