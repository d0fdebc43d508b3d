/* SPDX-License-Identifier: MIT */
/*
 * Readers for the multimodal training formats built on JSON records: LLaVA
 * conversations (one pair per record: the image and the first answer, with
 * the whole conversation kept as meta so an exporter can write it back),
 * Data-Juicer JSONL (special tokens tie captions to the record's images) and
 * ScienceQA's problems.json (one object keyed by problem id; the question is
 * the text, the options, answer index, hint and skill are meta for the
 * rationale op).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ingest/import_priv.h"

#define DJ_IMAGE "<__dj__image>"
#define DJ_EOC "<|__dj__eoc|>"

/* The first assistant turn: LLaVA writes "gpt", chat-style exports "assistant". */
static const cJSON *
llava_answer(const cJSON *conv)
{
	const cJSON *turn;
	cJSON_ArrayForEach(turn, conv) {
		const cJSON *from = cJSON_GetObjectItemCaseSensitive(turn, "from");
		if (cJSON_IsString(from) && (strcmp(from->valuestring, "gpt") == 0 ||
		    strcmp(from->valuestring, "assistant") == 0))
			return turn;
	}
	return NULL;
}

static int
llava_record(struct imp *im, cJSON *rec, long line, long index)
{
	char *id = NULL, *ekey = NULL, *meta = NULL;
	const char *reason;
	int rc;
	if (json_id(cJSON_GetObjectItemCaseSensitive(rec, "id"), &id, &reason) < 0) {
		ekey = json_error_key(rec, index);
		rc = imp_error(im, line, ekey, "%s", reason);
		goto out;
	}
	ekey = id != NULL ? xstrdup(id) : json_error_key(rec, index);
	const cJSON *img = cJSON_GetObjectItemCaseSensitive(rec, "image");
	cJSON *conv = cJSON_GetObjectItemCaseSensitive(rec, "conversations");
	const cJSON *answer = cJSON_IsArray(conv) ? llava_answer(conv) : NULL;
	const cJSON *value = cJSON_GetObjectItemCaseSensitive(answer, "value");
	if (img == NULL || cJSON_IsNull(img))
		rc = imp_error(im, line, ekey, "no image: text-only conversation");
	else if (!cJSON_IsString(img))
		rc = imp_error(im, line, ekey, "image field is not a string");
	else if (json_has_nul(img))
		rc = imp_error(im, line, ekey, "image path contains a NUL character");
	else if (img->valuestring[0] == '\0')
		rc = imp_error(im, line, ekey, "empty image path");
	else if (!cJSON_IsArray(conv))
		rc = imp_error(im, line, ekey, "no \"conversations\" list");
	else if (answer == NULL)
		rc = imp_error(im, line, ekey, "no \"gpt\" turn in the conversation");
	else if (!cJSON_IsString(value))
		rc = imp_error(im, line, ekey, "the \"gpt\" turn has no string \"value\"");
	else if (json_has_nul(value))
		rc = imp_error(im, line, ekey, "caption contains a NUL character");
	else if (imp_blank(value->valuestring))
		rc = imp_error(im, line, ekey, "empty caption");
	else if (json_tree_has_nul(conv))
		rc = imp_error(im, line, ekey, "conversation contains a NUL character");
	else {
		/* A reference prints the array in place without copying it. */
		cJSON *wrap = cJSON_CreateObject();
		cJSON_AddItemReferenceToObject(wrap, "conversations", conv);
		meta = cJSON_PrintUnformatted(wrap);
		cJSON_Delete(wrap);
		struct import_record r = { .line = line, .key = id ? id : img->valuestring,
			.key_is_id = id != NULL, .image = img->valuestring,
			.text = value->valuestring, .meta = meta };
		rc = imp_pair(im, &r);
	}
out:
	if (meta != NULL)
		cJSON_free(meta);
	free(id);
	free(ekey);
	return rc;
}

int
import_llava(struct imp *im)
{
	return json_read_records(im, llava_record);
}

static int
dj_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static size_t
dj_count(const char *s, size_t len)
{
	size_t n = 0;
	const char *p, *end = s + len;
	while ((p = imp_memmem(s, (size_t)(end - s), DJ_IMAGE)) != NULL) {
		n++;
		s = p + strlen(DJ_IMAGE);
	}
	return n;
}

/*
 * The caption of one chunk: image tokens removed, the whitespace around each
 * token folded to one space, the edges trimmed. The caller frees.
 */
static char *
dj_clean(const char *s, size_t len)
{
	const char *end = s + len;
	char *out = xmalloc(len + 1);
	size_t o = 0;
	while (s < end) {
		const char *tok = imp_memmem(s, (size_t)(end - s), DJ_IMAGE);
		const char *stop = tok != NULL ? tok : end;
		memcpy(out + o, s, (size_t)(stop - s));
		o += (size_t)(stop - s);
		if (tok == NULL)
			break;
		while (o > 0 && dj_space(out[o - 1]))
			o--;
		for (s = tok + strlen(DJ_IMAGE); s < end && dj_space(*s); s++)
			;
		if (o > 0 && s < end)
			out[o++] = ' ';
	}
	while (o > 0 && dj_space(out[o - 1]))
		o--;
	size_t lead = 0;
	while (lead < o && dj_space(out[lead]))
		lead++;
	memmove(out, out + lead, o - lead);
	out[o - lead] = '\0';
	return out;
}

static int
dj_record(struct imp *im, cJSON *rec, long line, long index)
{
	char *id = NULL, *ekey = NULL;
	const char *reason;
	int rc = 0;
	if (json_id(cJSON_GetObjectItemCaseSensitive(rec, "id"), &id, &reason) < 0) {
		ekey = json_error_key(rec, index);
		rc = imp_error(im, line, ekey, "%s", reason);
		goto out;
	}
	ekey = id != NULL ? xstrdup(id) : json_error_key(rec, index);
	const cJSON *text = cJSON_GetObjectItemCaseSensitive(rec, "text");
	const cJSON *images = cJSON_GetObjectItemCaseSensitive(rec, "images");
	if (!cJSON_IsString(text)) {
		rc = imp_error(im, line, ekey, "no \"text\" string");
		goto out;
	}
	if (json_has_nul(text)) {
		rc = imp_error(im, line, ekey, "caption contains a NUL character");
		goto out;
	}
	if (images != NULL && !cJSON_IsArray(images)) {
		rc = imp_error(im, line, ekey, "\"images\" is not a list");
		goto out;
	}
	int nimages = 0;
	const cJSON *el;
	cJSON_ArrayForEach(el, images) {
		if (!cJSON_IsString(el) || el->valuestring[0] == '\0' || json_has_nul(el)) {
			rc = imp_error(im, line, ekey, "images[%d] is not a usable path", nimages);
			goto out;
		}
		nimages++;
	}
	const char *s = text->valuestring;
	size_t len = strlen(s), ntok = dj_count(s, len);
	if (ntok != (size_t)nimages) {
		rc = imp_error(im, line, ekey, "%zu %s tokens but %d images", ntok, DJ_IMAGE,
		    nimages);
		goto out;
	}
	if (ntok == 0) {
		rc = imp_error(im, line, ekey, "no %s token: no image-text pair", DJ_IMAGE);
		goto out;
	}
	const char *base = id != NULL ? id : images->child->valuestring;
	const cJSON *next = images->child;
	const char *end = s + len;
	int k = 1;
	while (rc == 0 && s <= end) {
		const char *eoc = imp_memmem(s, (size_t)(end - s), DJ_EOC);
		size_t clen = eoc != NULL ? (size_t)(eoc - s) : (size_t)(end - s);
		size_t m = dj_count(s, clen);
		char *cap = m > 0 ? dj_clean(s, clen) : NULL;
		/* One pair per image of the chunk, all with the chunk's caption. */
		for (size_t i = 0; i < m && rc == 0; i++, k++, next = next->next) {
			char *key = imp_key(base, k);
			if (cap[0] == '\0')
				rc = imp_error(im, line, key, "empty caption");
			else {
				struct import_record r = { .line = line, .key = key,
					.key_is_id = id != NULL, .image = next->valuestring,
					.text = cap };
				rc = imp_pair(im, &r);
			}
			free(key);
		}
		free(cap);
		if (eoc == NULL)
			break;
		s = eoc + strlen(DJ_EOC);
	}
out:
	free(id);
	free(ekey);
	return rc;
}

int
import_dj(struct imp *im)
{
	return json_read_records(im, dj_record);
}

/*
 * One ScienceQA problem. Its image lives where the release puts it,
 * images/SPLIT/ID/IMAGE under the root; text-only problems (image null, about
 * half the set) have no pair to review and are reported.
 */
static int
sqa_record(struct imp *im, const cJSON *rec, const char *pid)
{
	const cJSON *q = cJSON_GetObjectItemCaseSensitive(rec, "question");
	const cJSON *choices = cJSON_GetObjectItemCaseSensitive(rec, "choices");
	const cJSON *answer = cJSON_GetObjectItemCaseSensitive(rec, "answer");
	const cJSON *img = cJSON_GetObjectItemCaseSensitive(rec, "image");
	const cJSON *split = cJSON_GetObjectItemCaseSensitive(rec, "split");
	const cJSON *v;
	int nchoices = cJSON_GetArraySize(choices), rc;

	if (!cJSON_IsObject(rec))
		return imp_error(im, 0, pid, "not an object");
	if (!cJSON_IsString(q) || imp_blank(q->valuestring))
		return imp_error(im, 0, pid, "no \"question\" string");
	if (!cJSON_IsArray(choices) || nchoices < 2)
		return imp_error(im, 0, pid, "no \"choices\" list of two or more");
	cJSON_ArrayForEach(v, choices)
		if (!cJSON_IsString(v))
			return imp_error(im, 0, pid, "a choice is not a string");
	if (!cJSON_IsNumber(answer) || answer->valuedouble != (double)answer->valueint ||
	    answer->valueint < 0 || answer->valueint >= nchoices)
		return imp_error(im, 0, pid, "\"answer\" is not the index of a choice");
	if (img == NULL || cJSON_IsNull(img))
		return imp_error(im, 0, pid, "no image: text-only problem");
	if (!cJSON_IsString(img) || img->valuestring[0] == '\0' ||
	    strchr(img->valuestring, '/') != NULL)
		return imp_error(im, 0, pid, "\"image\" is not a file name");
	if (json_tree_has_nul(rec))
		return imp_error(im, 0, pid, "the record contains a NUL character");
	if (strchr(pid, '/') != NULL || strcmp(pid, "..") == 0 || strcmp(pid, ".") == 0)
		return imp_error(im, 0, pid, "the problem id is not a folder name");
	const char *sp = cJSON_IsString(split) && *split->valuestring != '\0' &&
	    strchr(split->valuestring, '/') == NULL && strcmp(split->valuestring, "..") != 0 ?
	    split->valuestring : "train";
	char *path = xasprintf("images/%s/%s/%s", sp, pid, img->valuestring);
	cJSON *meta = cJSON_CreateObject();
	static const char *const keep[] = { "question", "choices", "answer", "hint", "skill",
		"subject", "topic", "category", "grade", "split" };
	for (size_t k = 0; k < sizeof keep / sizeof keep[0]; k++)
		if ((v = cJSON_GetObjectItemCaseSensitive(rec, keep[k])) != NULL && !cJSON_IsNull(v))
			cJSON_AddItemToObject(meta, keep[k], cJSON_Duplicate(v, 1));
	cJSON_AddStringToObject(meta, "sqa_id", pid);
	char *mtext = cJSON_PrintUnformatted(meta);
	cJSON_Delete(meta);
	struct import_record r = { .line = 0, .key = pid, .key_is_id = 1, .image = path,
		.text = q->valuestring, .meta = mtext };
	rc = imp_pair(im, &r);
	cJSON_free(mtext);
	free(path);
	return rc;
}

int
import_scienceqa(struct imp *im)
{
	cJSON *doc = json_read_file(im->path, im->cause), *rec;
	int rc = 0;

	if (doc == NULL)
		return -1;
	if (!cJSON_IsObject(doc)) {
		cJSON_Delete(doc);
		return cause_set(im->cause, "%s: not a ScienceQA problems object", im->path);
	}
	cJSON_ArrayForEach(rec, doc)
		if ((rc = sqa_record(im, rec, rec->string)) != 0)
			break;
	cJSON_Delete(doc);
	return rc;
}
