/* SPDX-License-Identifier: MIT */
/*
 * The JSON-text formats, each one file streamed an item at a time: jsonl
 * (pairs.jsonl, the full record with lineage, scores and decisions),
 * imagefolder (metadata.jsonl for Hugging Face ImageFolder), llava
 * (llava.json, one array written "[", items, "]") and dj (data_juicer.jsonl
 * with Data-Juicer's image and end-of-chunk tokens).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "core/export/export_priv.h"

/* Data-Juicer's special tokens (data_juicer/utils/mm_utils.py SpecialTokens). */
#define DJ_IMAGE_TOKEN "<__dj__image>"
#define DJ_EOC_TOKEN "<|__dj__eoc|>"
#define LLAVA_IMAGE_TOKEN "<image>"

static void
json_int_or_null(FILE *f, int v)
{
	if (v > 0)
		fprintf(f, "%d", v);
	else
		fputs("null", f);
}

int
export_json_item(FILE *f, const struct export_item *it, char **cause)
{
	fprintf(f, "{\"id\":%lld,\"aug_id\":", (long long)it->id);
	export_json_str(f, it->aug_id);
	fputs(",\"key\":", f);
	export_json_str(f, it->key);
	fputs(",\"image\":", f);
	export_json_str(f, it->image);
	fputs(",\"text\":", f);
	export_json_str(f, it->text);
	fputs(",\"parents\":[", f);
	for (int i = 0; i < it->nparents; i++) {
		if (i > 0)
			fputc(',', f);
		export_json_str(f, it->parent_aug_ids[i]);
	}
	fputs("],\"op\":", f);
	export_json_str(f, it->op);
	fprintf(f, ",\"op_version\":%d,\"params\":", it->op_version);
	if (export_json_embed(f, it->params, cJSON_Object, "{}", it, "params", cause) != 0)
		return -1;
	fputs(",\"seed\":", f);
	if (it->has_seed)
		fprintf(f, "%lld", (long long)it->seed);
	else
		fputs("null", f);
	fputs(",\"model\":", f);
	export_json_str(f, it->model);
	/* A trainer must tell a hard negative (meta "negative") from a positive pair. */
	fputs(",\"prompt\":", f);
	export_json_str(f, it->prompt);
	fputs(",\"meta\":", f);
	if (export_json_embed(f, it->meta, cJSON_Object, "null", it, "meta", cause) != 0)
		return -1;
	fputs(",\"scores\":", f);
	if (export_json_embed(f, it->scores, cJSON_Object, "{}", it, "scores", cause) != 0)
		return -1;
	fputs(",\"decisions\":", f);
	if (export_json_embed(f, it->decisions, cJSON_Array, "[]", it, "decisions",
	    cause) != 0)
		return -1;
	fprintf(f, ",\"auto_selected\":%s,\"width\":", it->auto_selected ? "true" : "false");
	json_int_or_null(f, it->width);
	fputs(",\"height\":", f);
	json_int_or_null(f, it->height);
	fputc('}', f);
	return 0;
}

/* The one-file formats share open and finish; only the file name differs. */
static int
json_open(struct export_writer *w, const char *name, char **cause)
{
	return export_file_open(w, &w->out, name, cause);
}

static int
json_finish(struct export_writer *w, char **cause)
{
	if (export_file_finish(&w->out, cause) != 0)
		return -1;
	w->files++;
	return 0;
}

static void
json_release(struct export_writer *w)
{
	(void)w; /* nothing beyond w->out, which export.c discards */
}

/* jsonl: pairs.jsonl. */

static int
jsonl_open(struct export_writer *w, char **cause)
{
	return json_open(w, "pairs.jsonl", cause);
}

static int
jsonl_write(struct export_writer *w, const struct export_item *it, char **cause)
{
	if (export_json_item(w->out.f, it, cause) != 0)
		return -1;
	fputc('\n', w->out.f);
	return export_file_check(&w->out, cause);
}

const struct export_fmt export_fmt_jsonl = {
	"jsonl", jsonl_open, jsonl_write, json_finish, json_release
};

/* imagefolder: metadata.jsonl beside the images the caller placed. */

static int
imagefolder_open(struct export_writer *w, char **cause)
{
	return json_open(w, "metadata.jsonl", cause);
}

static int
imagefolder_write(struct export_writer *w, const struct export_item *it, char **cause)
{
	FILE *f = w->out.f;

	fputs("{\"file_name\":", f);
	export_json_str(f, it->image);
	fputs(",\"text\":", f);
	export_json_str(f, it->text);
	fputs("}\n", f);
	return export_file_check(&w->out, cause);
}

const struct export_fmt export_fmt_imagefolder = {
	"imagefolder", imagefolder_open, imagefolder_write, json_finish, json_release
};

/* llava: llava.json, a JSON array streamed item by item. */

static int
llava_open(struct export_writer *w, char **cause)
{
	if (json_open(w, "llava.json", cause) != 0)
		return -1;
	fputc('[', w->out.f);
	return 0;
}

/*
 * The conversation an imported LLaVA record carried, printed, or NULL when
 * meta has no non-empty "conversations" array. LLaVA finds the image where the
 * "<image>" token is; without one the first human turn gets it in front.
 */
static int
llava_meta_conversations(const struct export_item *it, const char *meta, char **out,
    char **cause)
{
	*out = NULL;
	if (meta == NULL || *meta == '\0')
		return 0;
	cJSON *doc = cJSON_ParseWithOpts(meta, NULL, 1);
	if (doc == NULL)
		return cause_set(cause, "export: item %s: meta is not valid JSON", it->key);
	cJSON *conv = cJSON_GetObjectItemCaseSensitive(doc, "conversations");
	if (!cJSON_IsArray(conv) || cJSON_GetArraySize(conv) == 0) {
		cJSON_Delete(doc);
		return 0;
	}
	cJSON *turn;
	cJSON_ArrayForEach(turn, conv) {
		const cJSON *from = cJSON_GetObjectItemCaseSensitive(turn, "from");
		cJSON *value = cJSON_GetObjectItemCaseSensitive(turn, "value");
		if (!cJSON_IsString(from) || strcmp(from->valuestring, "human") != 0)
			continue;
		if (cJSON_IsString(value) &&
		    strstr(value->valuestring, LLAVA_IMAGE_TOKEN) == NULL) {
			char *v = xasprintf(LLAVA_IMAGE_TOKEN "\n%s", value->valuestring);
			cJSON_ReplaceItemInObjectCaseSensitive(turn, "value",
			    cJSON_CreateString(v));
			free(v);
		}
		break;
	}
	*out = cJSON_PrintUnformatted(conv);
	cJSON_Delete(doc);
	if (*out == NULL)
		return cause_set(cause, "export: item %s: cannot print conversations", it->key);
	return 0;
}

static int
llava_write(struct export_writer *w, const struct export_item *it, char **cause)
{
	FILE *f = w->out.f;
	char *conv;

	/* The candidate's own conversation first, then that of a LLaVA source that named
	 * the same pair after another source had brought it in. */
	if (llava_meta_conversations(it, it->meta, &conv, cause) != 0 ||
	    (conv == NULL &&
	    llava_meta_conversations(it, it->source_meta, &conv, cause) != 0))
		return -1;
	if (w->items > 0)
		fputc(',', f);
	/* One item a line keeps the file greppable and diffable without changing its meaning. */
	fputs("\n{\"id\":", f);
	export_json_str(f, it->key);
	fputs(",\"image\":", f);
	export_json_str(f, it->image);
	fputs(",\"conversations\":", f);
	if (conv != NULL) {
		fputs(conv, f);
		cJSON_free(conv);
	} else {
		fputs("[{\"from\":\"human\",\"value\":\"" LLAVA_IMAGE_TOKEN
		    "\\nDescribe the image.\"},{\"from\":\"gpt\",\"value\":", f);
		export_json_str(f, it->text);
		fputs("}]", f);
	}
	fputc('}', f);
	return export_file_check(&w->out, cause);
}

static int
llava_finish(struct export_writer *w, char **cause)
{
	fputs(w->items > 0 ? "\n]\n" : "]\n", w->out.f);
	return json_finish(w, cause);
}

const struct export_fmt export_fmt_llava = {
	"llava", llava_open, llava_write, llava_finish, json_release
};

const char *
export_text_markup(enum export_format f, const char *text)
{
	static const char *const dj[] = { DJ_IMAGE_TOKEN, DJ_EOC_TOKEN, NULL };
	static const char *const llava[] = { LLAVA_IMAGE_TOKEN, NULL };
	const char *const *tok = f == EXPORT_DJ ? dj : f == EXPORT_LLAVA ? llava : NULL;

	for (; text != NULL && tok != NULL && *tok != NULL; tok++)
		if (strstr(text, *tok) != NULL)
			return *tok;
	return NULL;
}

/* dj: data_juicer.jsonl. */

static int
dj_open(struct export_writer *w, char **cause)
{
	return json_open(w, "data_juicer.jsonl", cause);
}

static int
dj_write(struct export_writer *w, const struct export_item *it, char **cause)
{
	FILE *f = w->out.f;

	fputs("{\"text\":\"" DJ_IMAGE_TOKEN " ", f);
	export_json_body(f, it->text);
	fputs(" " DJ_EOC_TOKEN "\",\"images\":[", f);
	export_json_str(f, it->image);
	fputs("],\"id\":", f);
	export_json_str(f, it->key);
	fputs(",\"meta\":{\"aug_id\":", f);
	export_json_str(f, it->aug_id);
	fputs(",\"op\":", f);
	export_json_str(f, it->op);
	fprintf(f, ",\"auto_selected\":%s}}\n", it->auto_selected ? "true" : "false");
	return export_file_check(&w->out, cause);
}

const struct export_fmt export_fmt_dj = {
	"dj", dj_open, dj_write, json_finish, json_release
};
