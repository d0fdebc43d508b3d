/* SPDX-License-Identifier: MIT */
/*
 * ALIA's domains: where the list of settings every image is edited into
 * comes from. A domains_file the user wrote (or edited) wins; else the
 * project setting "alia.domains" from an earlier batch; else they are made
 * as ALIA makes them: a VLM captions a seeded sample of the originals (on
 * as many threads as the backend takes), and an LLM sums the distinct
 * captions up as short phrases. Made domains are kept in the setting and
 * written to domains_file, so the user can read, edit and re-run.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/models/mclient.h"
#include "core/modelops/mops_priv.h"
#include "core/base/rng.h"
#include "core/store.h"
#include "core/base/utf8.h"
#include "core/base/util.h"
#include "core/base/workpool.h"

#define SETTING "alia.domains"
#define DOMAIN_WORDS_MAX 20         /* longer lines of a reply are prose, not a domain */
#define DOMAINS_FILE_MAX (1 << 20)
#define CAPTION_SIDE 512            /* what the captioner sees */
#define CAPTION_MAX 300

/* The list being built, and the models that may build it. */
struct domlist {
	const struct backend *vlm, *llm;
	char **v;
	int n;
};

static void
domlist_free(struct domlist *p)
{
	mops_strv_free(p->v, (size_t)p->n);
	p->v = NULL;
	p->n = 0;
}

/* Adds d unless an equal description is there already; 1 when added. */
static int
domain_add(struct domlist *p, const char *d)
{
	for (int i = 0; i < p->n; i++)
		if (mops_same_text(p->v[i], d))
			return 0;
	p->v = xreallocarray(p->v, (size_t)p->n + 1, sizeof *p->v);
	p->v[p->n++] = xstrdup(d);
	return 1;
}

/* 1 when s has a byte a domain must not hold: a C0/C1 control or DEL. */
static int
has_control(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f || (p[0] == 0xc2 && p[1] >= 0x80 && p[1] < 0xa0))
			return 1;
	return 0;
}

/* Reads the user's domains: trimmed lines, '#' comments and blanks skipped. */
static int
domains_read(struct domlist *p, const char *path, int max, int *extra, char **cause)
{
	char *data, *line, *next;
	size_t len;
	long no = 0;

	*extra = 0;
	if (file_read_all(path, DOMAINS_FILE_MAX, &data, &len, cause) != 0)
		return -1;
	if (memchr(data, '\0', len) != NULL) {
		free(data);
		return cause_set(cause, "%s: holds a NUL byte: not a text file", path);
	}
	line = strncmp(data, "\xef\xbb\xbf", 3) == 0 ? data + 3 : data; /* an editor's BOM */
	for (; line != NULL; line = next) {
		size_t n;
		no++;
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		n = strlen(line);
		while (n > 0 && (line[n - 1] == '\r' || line[n - 1] == ' ' || line[n - 1] == '\t'))
			line[--n] = '\0';
		while (*line == ' ' || *line == '\t')
			line++, n--;
		if (n == 0 || *line == '#')
			continue;
		if (!utf8_valid(line, n, NULL) || has_control(line)) {
			free(data);
			return cause_set(cause, "%s:%ld: bad UTF-8 or a control byte", path, no);
		}
		if (n > MOPS_DOMAIN_MAX) {
			free(data);
			return cause_set(cause, "%s:%ld: longer than %d bytes", path, no, MOPS_DOMAIN_MAX);
		}
		if (p->n >= max)
			(*extra)++;
		else
			domain_add(p, line);
	}
	free(data);
	if (p->n == 0)
		return cause_set(cause, "%s: no domain descriptions (one per line)", path);
	return 0;
}

static int
domains_write(const struct domlist *p, const char *path, char **cause)
{
	FILE *f = fopen(path, "w");
	int bad;

	if (f == NULL)
		return cause_set(cause, "writing domains_file %s: %s", path, strerror(errno));
	for (int i = 0; i < p->n; i++)
		fprintf(f, "%s\n", p->v[i]);
	bad = ferror(f);
	if (fclose(f) != 0 || bad)
		return cause_set(cause, "writing domains_file %s: %s", path, strerror(errno));
	return 0;
}

/* The project's stored domains: 1 when there were some, 0 when none, -1 on failure. */
static int
domains_setting(struct domlist *p, struct store *st, int max, char **cause)
{
	char *value = NULL;
	const cJSON *e;
	cJSON *doc;
	int rc = store_setting_get(st, SETTING, &value, cause);

	if (rc <= 0)
		return rc;
	doc = cJSON_Parse(value);
	free(value);
	if (!cJSON_IsArray(doc)) {
		cJSON_Delete(doc);
		return cause_set(cause, "project setting %s is not a JSON array of strings",
		    SETTING);
	}
	cJSON_ArrayForEach(e, doc) {
		char *d;
		if (!cJSON_IsString(e)) {
			cJSON_Delete(doc);
			return cause_set(cause, "project setting %s is not a JSON array of strings",
			    SETTING);
		}
		d = mops_clean(e->valuestring, 0, MOPS_DOMAIN_MAX);
		if (*d != '\0' && p->n < max)
			domain_add(p, d);
		free(d);
	}
	cJSON_Delete(doc);
	return p->n > 0;
}

static int
domains_store(const struct domlist *p, struct store *st, char **cause)
{
	cJSON *arr = cJSON_CreateArray();
	char *json;
	int rc;

	for (int i = 0; i < p->n; i++)
		cJSON_AddItemToArray(arr, cJSON_CreateString(p->v[i]));
	json = mops_json_take(arr);
	rc = store_setting_put(st, SETTING, json, cause);
	free(json);
	return rc;
}

/* ---- generating domains: captions, then the LLM's summary ---- */

static const char caption_prompt[] =
    "Write one short sentence describing this image: its main subject and the setting "
    "it is in. Reply with the sentence only.";

static const char domains_system[] =
    "You describe how the images of a dataset vary, so that new training images can be "
    "made in other settings.";

/* The user message of the domain request: the captions, then the instruction. */
static char *
domains_prompt(char *const *captions, size_t n, int max)
{
	size_t len = 0, off = 0;
	char *s, *tail;

	tail = xasprintf("\nList at most %d short, objective descriptions of distinct settings "
	    "or domains these images could be shown in, varying for example the scene or "
	    "background, the weather, the time of day, the camera angle or distance, the "
	    "lighting and the photographic style. Each description must be a phrase that can "
	    "follow a caption after a comma, such as \"in a snowy forest\", \"at night under "
	    "street lights\" or \"seen from high above\", and must not describe the subject "
	    "itself. Write one description per line with no numbering and nothing else.", max);
	for (size_t i = 0; i < n; i++)
		len += strlen(captions[i]) + 3;
	s = xmalloc(len + strlen(tail) + 64);
	off += (size_t)sprintf(s, "Here are captions of images from one dataset:\n");
	for (size_t i = 0; i < n; i++)
		off += (size_t)sprintf(s + off, "- %s\n", captions[i]);
	strcpy(s + off, tail);
	free(tail);
	return s;
}

/* Reads the domain lines of the LLM's reply into p; returns how many were added. */
static int
domains_parse(struct domlist *p, const char *reply, int max)
{
	char *all = mops_clean(reply, MOPS_KEEP_NL, 0), *line, *save = NULL;
	int added = 0;

	for (line = strtok_r(all, "\n", &save); line != NULL && p->n < max;
	    line = strtok_r(NULL, "\n", &save)) {
		char *d;
		size_t n;
		/* "1.", "2)", "(3)" numbering; bullets and quotes go in mops_first_line. */
		while (*line == ' ' || *line == '(')
			line++;
		n = strspn(line, "0123456789");
		if (n > 0 && (line[n] == '.' || line[n] == ')' || line[n] == ':'))
			line += n + 1;
		d = mops_first_line(line, MOPS_DOMAIN_MAX);
		n = strlen(d);
		while (n > 0 && (d[n - 1] == '.' || d[n - 1] == ';' || d[n - 1] == ','))
			d[--n] = '\0';
		if (n > 0 && mops_words(d) <= DOMAIN_WORDS_MAX)
			added += domain_add(p, d);
		free(d);
	}
	free(all);
	return added;
}

struct caption_job {
	const struct op_def *op;
	struct mclient *mc;
	const struct backend *vlm;
	uint64_t max_pixels;
	int64_t seed;
	char **paths;   /* in: image files */
	char **text;    /* out: captions */
	char **why;     /* out: failures */
};

/* Worker: one image -> one caption. */
static void
caption_one(void *ctx, size_t i)
{
	struct caption_job *j = ctx;
	struct image_opts io = { j->max_pixels, 0, 0, 0 };
	struct chat_request r;
	struct chat_reply rep;
	struct chat_image ci;
	struct image img;
	uint8_t *png = NULL;
	size_t len;

	if (j->paths[i] == NULL || image_load_file(j->paths[i], &io, &img, &j->why[i]) != 0)
		return;
	if (mclient_png(&img, CAPTION_SIDE, &png, &len, &j->why[i]) != 0) {
		image_free(&img);
		return;
	}
	image_free(&img);
	ci.data = png;
	ci.len = len;
	memset(&r, 0, sizeof r);
	r.user = caption_prompt;
	r.images = &ci;
	r.nimages = 1;
	r.temperature = 0;
	r.top_p = -1;
	r.max_tokens = 77;
	r.has_seed = 1;
	r.seed = j->seed;
	r.n = 1;
	if (mops_chat(j->op, j->mc, j->vlm, &r, &rep, &j->why[i]) == 0) {
		j->text[i] = mops_first_line(rep.texts[0], CAPTION_MAX);
		chat_reply_free(&rep);
	}
	free(png);
}

/* Captions `sample` originals picked by the plan's seed; *caps are the distinct ones. */
static int
caption_sample(const struct op_def *op, const struct op_args *args, const struct op_plan_in *in,
    const struct domlist *p, char ***caps, size_t *ncaps, size_t *nfailed, char **cause)
{
	size_t n = in->noriginals, k = (size_t)mops_num(op, args, "sample"), got = 0;
	int64_t *ids = xmalloc((n ? n : 1) * sizeof *ids);
	struct caption_job j = { op, in->mc, p->vlm, in->max_pixels, in->seed, NULL, NULL, NULL };
	struct rng rng;
	int rc = 0;

	memcpy(ids, in->originals, n * sizeof *ids);
	if (k > n)
		k = n;
	/* A partial Fisher-Yates shuffle: the first k are the sample. */
	rng_seed(&rng, rng_derive((uint64_t)in->seed, "alia/sample"));
	for (size_t i = 0; i < k; i++) {
		size_t r = i + (size_t)rng_below(&rng, n - i);
		int64_t t = ids[i];
		ids[i] = ids[r];
		ids[r] = t;
	}
	j.paths = xcalloc(k + 1, sizeof *j.paths);
	j.text = xcalloc(k + 1, sizeof *j.text);
	j.why = xcalloc(k + 1, sizeof *j.why);
	for (size_t i = 0; i < k; i++) {
		struct candidate c;
		if (store_candidate_get(in->st, ids[i], &c, &j.why[i]) != 0)
			continue;
		if ((j.paths[i] = store_candidate_image(in->st, &c)) == NULL)
			j.why[i] = xasprintf("candidate %lld has no image", (long long)ids[i]);
		candidate_free(&c);
	}
	workpool_run(p->vlm->max_concurrency > 0 ? p->vlm->max_concurrency : 1, k, caption_one,
	    &j);
	*caps = xcalloc(k + 1, sizeof **caps);
	*nfailed = 0;
	for (size_t i = 0; i < k; i++) {
		int dup = j.text[i] == NULL || *j.text[i] == '\0';
		if (j.text[i] == NULL)
			(*nfailed)++;
		for (size_t m = 0; !dup && m < got; m++)
			dup = mops_same_text((*caps)[m], j.text[i]);
		if (!dup) {
			(*caps)[got++] = j.text[i];
			j.text[i] = NULL;
		}
	}
	if (got == 0) {
		for (size_t i = 0; i < k && rc == 0; i++)
			if (j.why[i] != NULL)
				rc = cause_set(cause, "%s: captioning the sample: %s", op->name, j.why[i]);
		if (rc == 0)
			rc = cause_set(cause, "%s: the captioner gave no usable caption", op->name);
	}
	for (size_t i = 0; i < k; i++) {
		free(j.paths[i]);
		free(j.text[i]);
		free(j.why[i]);
	}
	free(j.paths);
	free(j.text);
	free(j.why);
	free(ids);
	*ncaps = got;
	return rc;
}

static int
domains_generate(const struct op_def *op, const struct op_args *args,
    const struct op_plan_in *in, struct domlist *p, int max, size_t *ncaptions,
    size_t *nfailed, char **cause)
{
	struct chat_request r;
	struct chat_reply rep;
	char **caps = NULL, *prompt, *ex;
	size_t ncaps = 0;
	int rc;

	if (in->noriginals == 0)
		return cause_set(cause, "%s: no originals to caption for the domains", op->name);
	/* Only generating the domains needs these two; a domains file or stored ones do not. */
	if (p->vlm == NULL || p->llm == NULL)
		return cause_set(cause, "%s: writing the domains needs a vlm and an llm backend"
		    " (or give domains_file=FILE with one description per line)", op->name);
	if (caption_sample(op, args, in, p, &caps, &ncaps, nfailed, cause) != 0) {
		mops_strv_free(caps, ncaps);
		return -1;
	}
	*ncaptions = ncaps;
	prompt = domains_prompt(caps, ncaps, max);
	mops_strv_free(caps, ncaps);
	memset(&r, 0, sizeof r);
	r.system = domains_system;
	r.user = prompt;
	r.temperature = 1.0; /* ALIA's setting: the summary should range widely */
	r.top_p = -1;
	r.max_tokens = 512;
	r.has_seed = 1;
	r.seed = in->seed;
	r.n = 1;
	rc = mops_chat(op, in->mc, p->llm, &r, &rep, cause);
	free(prompt);
	if (rc != 0)
		return -1;
	if (domains_parse(p, rep.texts[0], max) == 0) {
		ex = mops_excerpt(rep.texts[0], 80);
		cause_set(cause, "%s: the LLM's domain list had no usable line: \"%s\"", op->name,
		    ex);
		free(ex);
		chat_reply_free(&rep);
		return -1;
	}
	chat_reply_free(&rep);
	return 0;
}

/* Finds the domains and says where they came from in *note. */
static int
find_domains(const struct op_def *op, const struct op_args *args, const struct op_plan_in *in,
    struct domlist *p, char **note, char **cause)
{
	const char *file = mops_str(op, args, "domains_file");
	int max = (int)mops_num(op, args, "domains"), extra = 0, rc;
	size_t ncaps = 0, nfailed = 0;
	struct stat sb;

	if (*file != '\0' && stat(file, &sb) == 0) {
		if (domains_read(p, file, max, &extra, cause) != 0)
			return -1;
		*note = extra > 0 ? xasprintf("%s: %d domains read from %s (%d more lines ignored: "
		    "domains=%d)", op->name, p->n, file, extra, max) :
		    xasprintf("%s: %d domains read from %s", op->name, p->n, file);
		return 0;
	}
	if ((rc = domains_setting(p, in->st, max, cause)) < 0)
		return -1;
	if (rc == 0) {
		if (domains_generate(op, args, in, p, max, &ncaps, &nfailed, cause) != 0 ||
		    domains_store(p, in->st, cause) != 0)
			return -1;
	}
	if (*file != '\0') {
		if (domains_write(p, file, cause) != 0)
			return -1;
		*note = xasprintf("%s: %d domains written to %s; edit and re-run to change them",
		    op->name, p->n, file);
	} else if (rc == 0)
		*note = xasprintf("%s: %d domains summarised from %zu captions, kept in the project "
		    "setting %s (domains_file=FILE writes them out to edit)", op->name, p->n,
		    ncaps, SETTING);
	else
		*note = xasprintf("%s: %d domains from the project setting %s", op->name,
		    p->n, SETTING);
	if (nfailed > 0) {
		char *more = xasprintf("%s (%zu sampled images could not be captioned)", *note,
		    nfailed);
		free(*note);
		*note = more;
	}
	return 0;
}

int
mops_alia_domains(const struct op_def *op, const struct op_args *args,
    const struct op_plan_in *in, const struct backend *vlm, const struct backend *llm,
    char ***domains, int *n, char **note, char **cause)
{
	struct domlist d = { vlm, llm, NULL, 0 };

	*note = NULL;
	if (find_domains(op, args, in, &d, note, cause) != 0) {
		domlist_free(&d);
		free(*note);
		*note = NULL;
		return -1;
	}
	*domains = d.v;
	*n = d.n;
	return 0;
}
