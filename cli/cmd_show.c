/* SPDX-License-Identifier: MIT */
/* mmda show: one candidate with its lineage, text, image and decisions in force. */
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/base/numfmt.h"
#include "core/image/image.h"
#include "core/metrics/metrics.h"
#include "core/store.h"
#include "core/base/utf8.h"
#include "cli/cli.h"

/* Parses stored JSON text back into a value; malformed text stays a string. */
static cJSON *
json_or_string(const char *s)
{
	cJSON *v = cJSON_Parse(s);
	return v != NULL ? v : cJSON_CreateString(s);
}

static void
add_opt_string(cJSON *o, const char *name, const char *v)
{
	if (v != NULL)
		cJSON_AddStringToObject(o, name, v);
	else
		cJSON_AddNullToObject(o, name);
}

/* Scores and the pass/fail verdict of a candidate against the enabled thresholds. */
struct verdict {
	struct score *s;
	size_t ns;
	struct threshold *t;
	size_t nt;
	const char *failing[32];
	size_t nfailing;
	int passes;
};

static int
verdict_load(struct store *st, const struct candidate *c, struct verdict *v, char **cause)
{
	memset(v, 0, sizeof *v);
	if (store_scores_of(st, c->id, &v->s, &v->ns, cause) != 0)
		return -1;
	if (store_thresholds(st, NULL, &v->t, &v->nt, cause) != 0) {
		scores_free(v->s, v->ns);
		return -1;
	}
	v->passes = metric_passes(v->t, v->nt, v->s, v->ns, c->op,
	    v->failing, 32, &v->nfailing);
	return 0;
}

static void
verdict_free(struct verdict *v)
{
	scores_free(v->s, v->ns);
	thresholds_free(v->t, v->nt);
}

/* Every source that names the pair (the first import's first); NULL on failure: the rest of
 * the candidate is still worth showing. */
static struct candidate_source *
sources_of(struct store *st, int64_t id, size_t *n)
{
	struct candidate_source *src;
	char *why = NULL;

	if (store_candidate_sources(st, id, &src, n, &why) != 0) {
		free(why);
		*n = 0;
		return NULL;
	}
	return src;
}

static cJSON *
show_json(struct store *st, const struct candidate *c, const struct decision *d, size_t nd,
    const struct verdict *v)
{
	cJSON *o = cJSON_CreateObject(), *arr;
	char *img = store_candidate_image(st, c);

	cli_json_int(o, "id", c->id);
	cJSON_AddStringToObject(o, "aug_id", c->aug_id);
	cJSON_AddStringToObject(o, "op", c->op);
	cli_json_int(o, "op_version", c->op_version);
	cJSON_AddItemToObject(o, "params", json_or_string(c->params));
	if (c->has_seed)
		cli_json_int(o, "seed", c->seed);
	else
		cJSON_AddNullToObject(o, "seed");
	add_opt_string(o, "backend", c->backend);
	add_opt_string(o, "model", c->model);
	add_opt_string(o, "prompt", c->prompt);
	add_opt_string(o, "response_id", c->response_id);
	arr = cJSON_AddArrayToObject(o, "parents");
	for (int i = 0; i < c->nparents; i++)
		cJSON_AddItemToArray(arr, cJSON_CreateNumber((double)c->parents[i]));
	cJSON_AddStringToObject(o, "text", c->text);
	add_opt_string(o, "image", img);
	add_opt_string(o, "root", c->root);
	add_opt_string(o, "image_path", c->image_path);
	add_opt_string(o, "object", c->object);
	if (c->width > 0) {
		cli_json_int(o, "width", c->width);
		cli_json_int(o, "height", c->height);
	} else {
		cJSON_AddNullToObject(o, "width");
		cJSON_AddNullToObject(o, "height");
	}
	add_opt_string(o, "key", c->src_key);
	add_opt_string(o, "source", c->source);
	if (c->meta != NULL)
		cJSON_AddItemToObject(o, "meta", json_or_string(c->meta));
	else
		cJSON_AddNullToObject(o, "meta");
	size_t nsrc;
	struct candidate_source *src = sources_of(st, c->id, &nsrc);
	arr = cJSON_AddArrayToObject(o, "sources");
	for (size_t i = 0; i < nsrc; i++) {
		cJSON *e = cJSON_CreateObject();
		add_opt_string(e, "key", src[i].key);
		add_opt_string(e, "source", src[i].source);
		add_opt_string(e, "format", src[i].format);
		if (src[i].meta != NULL)
			cJSON_AddItemToObject(e, "meta", json_or_string(src[i].meta));
		else
			cJSON_AddNullToObject(e, "meta");
		cJSON_AddItemToArray(arr, e);
	}
	sources_free(src, nsrc);
	cli_json_int(o, "created_at", c->created_at);
	arr = cJSON_AddArrayToObject(o, "decisions");
	for (size_t i = 0; i < nd; i++) {
		cJSON *e = cJSON_CreateObject();
		cli_json_int(e, "decision", d[i].id);
		cJSON_AddStringToObject(e, "annotator", d[i].annotator);
		cJSON_AddStringToObject(e, "answer", answer_name(d[i].answer));
		add_opt_string(e, "reason", d[i].reason);
		add_opt_string(e, "note", d[i].note);
		if (d[i].lead_ms >= 0)
			cli_json_int(e, "lead_ms", d[i].lead_ms);
		cli_json_int(e, "at", d[i].at);
		cJSON_AddItemToArray(arr, e);
	}
	cJSON *sc = cJSON_AddObjectToObject(o, "scores");
	for (size_t i = 0; i < v->ns; i++)
		cJSON_AddNumberToObject(sc, v->s[i].metric, v->s[i].value);
	/* Model-backed scores name the model they came from. */
	cJSON *sm = cJSON_AddObjectToObject(o, "score_models");
	for (size_t i = 0; i < v->ns; i++)
		if (v->s[i].model != NULL)
			cJSON_AddStringToObject(sm, v->s[i].metric, v->s[i].model);
	cJSON_AddBoolToObject(o, "passes", v->passes);
	arr = cJSON_AddArrayToObject(o, "failing");
	for (size_t i = 0; i < v->nfailing && i < 32; i++)
		cJSON_AddItemToArray(arr, cJSON_CreateString(v->failing[i]));
	free(img);
	return o;
}

static void
field(const char *name, const char *v)
{
	printf("%-10s ", name);
	cli_put_safe(stdout, v != NULL ? v : "-");
	putchar('\n');
}

static void
show_text(struct store *st, const struct candidate *c, const struct decision *d, size_t nd,
    const struct verdict *v)
{
	char *img = store_candidate_image(st, c), buf[64];

	printf("%-10s %" PRId64 "\n", "candidate", c->id);
	field("aug_id", c->aug_id);
	printf("%-10s ", "op");
	cli_put_safe(stdout, c->op);
	printf(" v%d\n", c->op_version);
	if (strcmp(c->op, "original") != 0) {
		char *params = numfmt_json(c->params);
		field("params", params);
		free(params);
	}
	if (c->has_seed)
		printf("%-10s %" PRId64 "\n", "seed", c->seed);
	if (c->backend != NULL)
		field("backend", c->backend);
	if (c->model != NULL)
		field("model", c->model);
	if (c->prompt != NULL)
		field("prompt", c->prompt);
	if (c->response_id != NULL)
		field("response", c->response_id);
	for (int i = 0; i < c->nparents; i++)
		printf("%-10s %" PRId64 "\n", i == 0 ? "parent" : "parent 2", c->parents[i]);
	field("key", c->src_key);
	field("source", c->source);
	size_t nsrc;
	struct candidate_source *src = sources_of(st, c->id, &nsrc);
	/* The first source is the key and source above; the others follow it. */
	for (size_t i = 1; i < nsrc; i++) {
		printf("%-10s ", i == 1 ? "also" : "");
		cli_put_safe(stdout, src[i].key ? src[i].key : "-");
		printf(" in ");
		cli_put_safe(stdout, src[i].source ? src[i].source : "-");
		if (src[i].format != NULL) {
			printf(" (");
			cli_put_safe(stdout, src[i].format);
			putchar(')');
		}
		putchar('\n');
	}
	sources_free(src, nsrc);
	field("image", img);
	if (c->width > 0)
		printf("%-10s %dx%d\n", "size", c->width, c->height);
	field("text", c->text);
	if (strcmp(c->op, "original") != 0 && c->meta != NULL)
		field("meta", c->meta);
	for (size_t i = 0; i < nd; i++) {
		time_t t = (time_t)d[i].at;
		strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", gmtime(&t));
		printf("%-10s %s by ", i == 0 ? "decisions" : "", answer_name(d[i].answer));
		cli_put_safe(stdout, d[i].annotator);
		printf(" at %s UTC", buf);
		if (d[i].note != NULL) {
			printf(" (");
			cli_put_safe(stdout, d[i].note);
			printf(")");
		}
		putchar('\n');
	}
	if (nd == 0)
		printf("%-10s none\n", "decisions");
	for (size_t i = 0; i < v->ns; i++) {
		printf("%-10s %-16s %g", i == 0 ? "scores" : "", v->s[i].metric, v->s[i].value);
		if (v->s[i].model != NULL) {
			printf(" (");
			cli_put_safe(stdout, v->s[i].model);
			putchar(')');
		}
		putchar('\n');
	}
	printf("%-10s %s", "filters", v->passes ? "passes" : "fails");
	for (size_t i = 0; i < v->nfailing && i < 32; i++)
		printf("%s%s", i ? ", " : ": ", v->failing[i]);
	putchar('\n');
	free(img);
}

static int
image_out(struct store *st, const struct candidate *c, const char *out, char **cause)
{
	enum image_format fmt = image_format_parse(strrchr(out, '.') ? strrchr(out, '.') : "");
	struct image img;
	char *path;
	int rc;

	if (fmt == IMAGE_UNKNOWN || fmt == IMAGE_GIF)
		return cause_set(cause, "%s: name the output .png, .jpg or .webp", out);
	if ((path = store_candidate_image_checked(st, c, cause)) == NULL)
		return cause_set(cause, "candidate %" PRId64 " has no image", c->id);
	rc = image_load_file(path, NULL, &img, cause);
	free(path);
	if (rc != 0)
		return -1;
	rc = image_save_file(&img, out, fmt, 95, cause);
	image_free(&img);
	return rc;
}

int
cmd_show(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "image-out", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *out = NULL;
	struct store *st;
	struct candidate c;
	struct decision *d = NULL;
	size_t nd = 0;
	char *cause = NULL;
	int64_t id;
	int ch, json = 0, rc = CLI_OK;

	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'j':
			json = 1;
			break;
		case 'o':
			out = optarg;
			break;
		case 'h':
			cli_command_help(stdout, cli_find("show"));
			return CLI_OK;
		default:
			return cli_usage("show", "unknown option %s", argv[optind - 1]);
		}
	}
	if (argc - optind != 2)
		return cli_usage("show", "a database and a candidate are needed");
	if ((st = cli_open("show", argv[optind], 0)) == NULL)
		return CLI_ERROR;
	if (store_candidate_find(st, argv[optind + 1], &id, &cause) != 0 ||
	    store_candidate_get(st, id, &c, &cause) != 0) {
		store_close(st);
		return cli_fail("show", cause);
	}
	if (store_decisions_current(st, id, &d, &nd, &cause) != 0) {
		candidate_free(&c);
		store_close(st);
		return cli_fail("show", cause);
	}
	struct verdict v;
	if (verdict_load(st, &c, &v, &cause) != 0) {
		decisions_free(d, nd);
		candidate_free(&c);
		store_close(st);
		return cli_fail("show", cause);
	}
	if (out != NULL && image_out(st, &c, out, &cause) != 0)
		rc = cli_fail("show", cause);
	if (rc == CLI_OK) {
		if (json)
			cli_print_json(show_json(st, &c, d, nd, &v));
		else
			show_text(st, &c, d, nd, &v);
	}
	verdict_free(&v);
	decisions_free(d, nd);
	candidate_free(&c);
	store_close(st);
	return rc;
}
