/* SPDX-License-Identifier: MIT */
/*
 * JSON manifests: the record loop shared by the JSONL, LLaVA and Data-Juicer
 * readers (a JSON Lines file read line by line, or one JSON array read
 * whole), cJSON helpers that catch what cJSON lets slip (a \u0000 escape cuts
 * a string short without a word), and the generic JSONL reader itself, which
 * also covers Hugging Face ImageFolder metadata.jsonl.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "core/ingest/import_priv.h"
#include "core/base/linereader.h"

static const char *const id_fields[] = { "id", "key", NULL };
const char *const json_image_fields[] = { "file_name", "image", "image_path", "img_path",
	"filepath", "path", NULL };
static const char *const text_fields[] = { "text", "caption", "captions", "sentences",
	NULL };

static const char *
json_skip_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

/* Steps over the string literal opening at p; *nul is set if it holds \u0000. */
static const char *
json_skip_string(const char *p, const char *end, int *nul)
{
	for (p++; p < end && *p != '"'; p++) {
		if (*p != '\\' || p + 1 >= end)
			continue;
		if (p[1] == 'u' && end - p >= 6 && memcmp(p + 2, "0000", 4) == 0)
			*nul = 1;
		p++; /* the escaped character; the hex digits of \u are plain */
	}
	return p < end ? p + 1 : end;
}

/*
 * Walks the source of a value cJSON accepted alongside the parsed item and
 * flags (valueint = 1, unused for strings) each string that held a \u0000.
 * cJSON keeps members in source order, so the two walks stay in step.
 */
static const char *
json_mark(const char *p, const char *end, cJSON *item)
{
	p = json_skip_ws(p, end);
	if (p >= end || item == NULL)
		return end;
	if (*p == '"') {
		int nul = 0;
		p = json_skip_string(p, end, &nul);
		if (nul && cJSON_IsString(item))
			item->valueint = 1;
		return p;
	}
	if (*p == '{' || *p == '[') {
		int object = *p == '{';
		p++;
		for (cJSON *c = item->child; c != NULL; c = c->next) {
			p = json_skip_ws(p, end);
			if (object) {
				int ignored = 0;
				if (p >= end || *p != '"')
					return end;
				p = json_skip_ws(json_skip_string(p, end, &ignored), end);
				if (p < end && *p == ':')
					p++;
			}
			p = json_skip_ws(json_mark(p, end, c), end);
			if (p < end && *p == ',')
				p++;
		}
		p = json_skip_ws(p, end);
		return p < end ? p + 1 : end;
	}
	while (p < end && *p != ',' && *p != ']' && *p != '}' && *p != ' ' && *p != '\t' &&
	    *p != '\n' && *p != '\r')
		p++;
	return p;
}

cJSON *
json_parse(const char *text, size_t len, char *why, size_t whylen)
{
	const char *end = NULL;
	cJSON *doc = cJSON_ParseWithLengthOpts(text, len + 1, &end, 1);
	if (doc != NULL) {
		if (imp_memmem(text, len, "\\u0000") != NULL) {
			const char *p = text;
			if (len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
				p += 3;
			json_mark(p, text + len, doc);
		}
		return doc;
	}
	size_t pos = end != NULL && end >= text ? (size_t)(end - text) : len;
	if (pos >= len) {
		snprintf(why, whylen, "invalid JSON: ends too early");
		return NULL;
	}
	long line = 1;
	size_t bol = 0;
	for (const char *nl = text; (nl = memchr(nl, '\n', pos - (size_t)(nl - text))) != NULL;
	    nl++) {
		line++;
		bol = (size_t)(nl - text) + 1;
	}
	size_t n = 0;
	while (n < 24 && pos + n < len && text[pos + n] != '\n')
		n++;
	char *near = imp_printable(text + pos, n);
	if (line > 1)
		snprintf(why, whylen, "invalid JSON at line %ld, column %zu near '%s'", line,
		    pos - bol + 1, near);
	else
		snprintf(why, whylen, "invalid JSON at column %zu near '%s'", pos + 1, near);
	free(near);
	return NULL;
}

int
json_has_nul(const cJSON *item)
{
	return cJSON_IsString(item) && item->valueint != 0;
}

int
json_tree_has_nul(const cJSON *item)
{
	if (json_has_nul(item))
		return 1;
	for (const cJSON *c = item != NULL ? item->child : NULL; c != NULL; c = c->next) {
		if (json_tree_has_nul(c))
			return 1;
	}
	return 0;
}

int
json_id(const cJSON *v, char **out, const char **reason)
{
	if (v == NULL || cJSON_IsNull(v))
		return 0;
	if (cJSON_IsString(v)) {
		if (json_has_nul(v)) {
			*reason = "id contains a NUL character";
			return -1;
		}
		if (v->valuestring[0] == '\0') {
			*reason = "empty id";
			return -1;
		}
		*out = xstrdup(v->valuestring);
		return 1;
	}
	/* Whole numbers only, and only those a double holds exactly. The range comes
	 * first: converting a double beyond long long (an id of 1e300) is undefined. */
	double d = cJSON_IsNumber(v) ? v->valuedouble : 0.5;
	if (!(d >= -9007199254740992.0 && d <= 9007199254740992.0) || d != (double)(long long)d) {
		*reason = "id is not a string or a whole number";
		return -1;
	}
	*out = xasprintf("%lld", (long long)d);
	return 1;
}

cJSON *
json_first(const cJSON *obj, const char *const *names, const char **which)
{
	for (; *names != NULL; names++) {
		cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, *names);
		if (v != NULL && !cJSON_IsNull(v)) {
			if (which != NULL)
				*which = *names;
			return v;
		}
	}
	return NULL;
}

char *
json_error_key(const cJSON *rec, long index)
{
	char *id = NULL;
	const char *reason;
	if (json_id(json_first(rec, id_fields, NULL), &id, &reason) == 1)
		return id;
	if (index >= 0)
		return xasprintf("[%ld]", index);
	return NULL;
}

cJSON *
json_read_file(const char *path, char **cause)
{
	char *data, why[160];
	size_t len;
	cJSON *doc;

	if (file_read_all(path, IMPORT_DOC_MAX, &data, &len, cause) != 0)
		return NULL;
	doc = json_parse(data, len, why, sizeof why);
	free(data);
	if (doc == NULL)
		cause_set(cause, "%s: %s", path, why);
	return doc;
}

/* A file holding one JSON array of records: read and parsed whole. */
static int
json_read_array(struct imp *im, json_record_fn fn)
{
	cJSON *doc = json_read_file(im->path, im->cause);
	if (doc == NULL)
		return -1;
	if (!cJSON_IsArray(doc)) {
		cJSON_Delete(doc);
		return cause_set(im->cause, "%s: not a JSON array of records", im->path);
	}
	int rc = 0;
	long i = 0;
	for (cJSON *el = doc->child; el != NULL && rc == 0; el = el->next, i++) {
		if (!cJSON_IsObject(el)) {
			char key[32];
			snprintf(key, sizeof key, "[%ld]", i);
			rc = imp_error(im, 0, key, "record is not a JSON object");
		} else
			rc = fn(im, el, 0, i);
	}
	cJSON_Delete(doc);
	return rc;
}

/* 1 when the file's first non-blank byte opens an array: a JSON document. */
static int
json_is_array_file(struct imp *im)
{
	char buf[4096];
	ssize_t n = imp_peek(im->path, buf, sizeof buf, NULL);
	if (n <= 0)
		return 0;
	const char *p = buf, *end = buf + n;
	if (n >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3;
	p = json_skip_ws(p, end);
	return p < end && *p == '[';
}

int
json_read_records(struct imp *im, json_record_fn fn)
{
	if (json_is_array_file(im))
		return json_read_array(im, fn);
	struct linereader *lr = linereader_open(im->path, IMPORT_LINE_MAX, im->cause);
	if (lr == NULL)
		return -1;
	int rc = 0;
	char why[160];
	for (;;) {
		char *line;
		size_t len;
		enum linereader_status st = linereader_next(lr, &line, &len, im->cause);
		long lineno = linereader_lineno(lr);
		if (st == LINEREADER_EOF)
			break;
		if (st == LINEREADER_ERROR) {
			rc = -1;
			break;
		}
		if (st == LINEREADER_LONG) {
			if ((rc = imp_error(im, lineno, NULL, "line too long (over %zu MiB)",
			    IMPORT_LINE_MAX >> 20)) != 0)
				break;
			continue;
		}
		if (lineno == 1 && len >= 3 && memcmp(line, "\xef\xbb\xbf", 3) == 0) {
			line += 3;
			len -= 3;
		}
		if (memchr(line, '\0', len) != NULL) {
			if ((rc = imp_error(im, lineno, NULL, "NUL byte in the line")) != 0)
				break;
			continue;
		}
		if (imp_blank(line))
			continue;
		cJSON *rec = json_parse(line, len, why, sizeof why);
		if (rec == NULL)
			rc = imp_error(im, lineno, NULL, "%s", why);
		else if (!cJSON_IsObject(rec))
			rc = imp_error(im, lineno, NULL, "not a JSON object");
		else
			rc = fn(im, rec, lineno, -1);
		cJSON_Delete(rec);
		if (rc != 0)
			break;
	}
	linereader_close(lr);
	return rc;
}

/* One caption of a JSONL record: checked, then handed on as a pair. */
static int
jsonl_emit(struct imp *im, const cJSON *cap, long line, const char *base, int k,
    int key_is_id, const char *image)
{
	char *key = imp_key(base, k);
	int rc;
	if (!cJSON_IsString(cap))
		rc = imp_error(im, line, key, "caption %d is not a string", k);
	else if (json_has_nul(cap))
		rc = imp_error(im, line, key, "caption contains a NUL character");
	else if (imp_blank(cap->valuestring))
		rc = imp_error(im, line, key, "empty caption");
	else {
		struct import_record r = { .line = line, .key = key, .key_is_id = key_is_id,
			.image = image, .text = cap->valuestring };
		rc = imp_pair(im, &r);
	}
	free(key);
	return rc;
}

static int
jsonl_record(struct imp *im, cJSON *rec, long line, long index)
{
	char *id = NULL, *ekey = NULL;
	const char *reason, *which = NULL, *twhich = NULL;
	int rc;
	if (json_id(json_first(rec, id_fields, NULL), &id, &reason) < 0) {
		ekey = json_error_key(rec, index);
		rc = imp_error(im, line, ekey, "%s", reason);
		goto out;
	}
	ekey = id != NULL ? xstrdup(id) : json_error_key(rec, index);
	const cJSON *img = json_first(rec, json_image_fields, &which);
	const cJSON *txt = json_first(rec, text_fields, &twhich);
	if (img == NULL)
		rc = imp_error(im, line, ekey, "no image field (file_name, image, image_path, "
		    "img_path, filepath or path)");
	else if (!cJSON_IsString(img))
		rc = imp_error(im, line, ekey, "image field \"%s\" is not a string", which);
	else if (json_has_nul(img))
		rc = imp_error(im, line, ekey, "image path contains a NUL character");
	else if (img->valuestring[0] == '\0')
		rc = imp_error(im, line, ekey, "empty image path");
	else if (txt == NULL)
		rc = imp_error(im, line, ekey, "no caption field (text, caption, captions or "
		    "sentences)");
	else if (cJSON_IsString(txt))
		rc = jsonl_emit(im, txt, line, id ? id : img->valuestring, 1, id != NULL,
		    img->valuestring);
	else if (!cJSON_IsArray(txt))
		rc = imp_error(im, line, ekey, "caption field \"%s\" is not a string or a list "
		    "of strings", twhich);
	else if (txt->child == NULL)
		rc = imp_error(im, line, ekey, "empty caption list");
	else {
		/* Several captions of one image become several pairs. */
		rc = 0;
		int k = 1;
		for (const cJSON *c = txt->child; c != NULL && rc == 0; c = c->next, k++)
			rc = jsonl_emit(im, c, line, id ? id : img->valuestring, k, id != NULL,
			    img->valuestring);
	}
out:
	free(id);
	free(ekey);
	return rc;
}

int
import_jsonl(struct imp *im)
{
	return json_read_records(im, jsonl_record);
}
