/* SPDX-License-Identifier: MIT */
/*
 * openai-chat on the wire: the chat completions request with images as
 * data: URL content parts and the backend's quirks (which length field,
 * whether n works, how structured output is asked for), and the reply's
 * texts. Also the helpers every proto_*.c file shares (proto_priv.h).
 */
#include "core/models/proto.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/b64.h"
#include "core/models/proto_priv.h"
#include "core/base/util.h"

/* Choices a reply may carry; more means the reply is not what was asked for. */
#define CHOICES_MAX 1024

/* ---- shared by the proto files ---- */

const char *
proto_sniff(const uint8_t *d, size_t len)
{
	if (len >= 8 && memcmp(d, "\x89PNG\r\n\x1a\n", 8) == 0)
		return "image/png";
	if (len >= 3 && d[0] == 0xff && d[1] == 0xd8 && d[2] == 0xff)
		return "image/jpeg";
	if (len >= 12 && memcmp(d, "RIFF", 4) == 0 && memcmp(d + 8, "WEBP", 4) == 0)
		return "image/webp";
	if (len >= 6 && (memcmp(d, "GIF87a", 6) == 0 || memcmp(d, "GIF89a", 6) == 0))
		return "image/gif";
	return NULL;
}

char *
proto_data_url(const uint8_t *data, size_t len)
{
	const char *type = proto_sniff(data, len);
	char prefix[40], *b64;
	size_t plen, blen;

	if (type == NULL)
		type = "image/png";
	plen = (size_t)snprintf(prefix, sizeof prefix, "data:%s;base64,", type);
	/* Grow the encoding in place rather than copying it into a second buffer. */
	b64 = b64_encode(data, len, &blen);
	b64 = xrealloc(b64, plen + blen + 1);
	memmove(b64 + plen, b64, blen + 1);
	memcpy(b64, prefix, plen);
	return b64;
}

cJSON *
proto_parse(const char *body, size_t len, char **cause)
{
	const char *end = NULL;
	size_t off;
	cJSON *root;

	if (body == NULL || len == 0) {
		cause_set(cause, "empty reply");
		return NULL;
	}
	root = cJSON_ParseWithLengthOpts(body, len, &end, 0);
	if (root == NULL) {
		off = end != NULL && end >= body && end <= body + len ? (size_t)(end - body) : 0;
		cause_set(cause, "malformed JSON at byte %zu of %zu", off, len);
		return NULL;
	}
	off = (size_t)(end - body);
	while (off < len && isspace((unsigned char)body[off]))
		off++;
	if (off < len) {
		cJSON_Delete(root);
		cause_set(cause, "unexpected data after the JSON reply at byte %zu", off);
		return NULL;
	}
	if (!cJSON_IsObject(root)) {
		cause_set(cause, "the reply is a JSON %s, not an object", cJSON_IsArray(root) ?
		    "array" : cJSON_IsString(root) ? "string" : "scalar");
		cJSON_Delete(root);
		return NULL;
	}
	return root;
}

int
proto_missing(const cJSON *root, const char *body, size_t len, const char *what, char **cause)
{
	char *msg;

	if (cJSON_GetObjectItemCaseSensitive(root, "error") != NULL ||
	    cJSON_GetObjectItemCaseSensitive(root, "detail") != NULL) {
		msg = proto_error_message(body, len);
		cause_set(cause, "the server reported an error: %s", msg);
		free(msg);
		return -1;
	}
	return cause_set(cause, "no %s in the reply", what);
}

char *
proto_print(const cJSON *root)
{
	char *s = cJSON_PrintUnformatted(root);

	if (s == NULL)
		fatal("cJSON_PrintUnformatted: out of memory");
	return s;
}

void
proto_add_int64(cJSON *obj, const char *name, int64_t v)
{
	char buf[32];

	snprintf(buf, sizeof buf, "%lld", (long long)v);
	cJSON_AddItemToObject(obj, name, cJSON_CreateRaw(buf));
}

void
proto_add_ref(cJSON *obj, const char *name, const char *s)
{
	cJSON_AddItemToObject(obj, name, cJSON_CreateStringReference(s));
}

void
proto_merge_extra(cJSON *obj, const char *extra, const char *const *keep)
{
	cJSON *src, *it;
	int owned;

	if (extra == NULL || (src = cJSON_Parse(extra)) == NULL)
		return;
	cJSON_ArrayForEach(it, src) {
		owned = 0;
		for (size_t i = 0; keep != NULL && keep[i] != NULL; i++) {
			if (strcmp(it->string, keep[i]) == 0)
				owned = 1;
		}
		if (owned)
			continue;
		cJSON_DeleteItemFromObjectCaseSensitive(obj, it->string);
		cJSON_AddItemToObject(obj, it->string, cJSON_Duplicate(it, 1));
	}
	cJSON_Delete(src);
}

/* ---- request ---- */

static void
add_message(cJSON *msgs, const char *role, const char *text)
{
	cJSON *m = cJSON_CreateObject();

	cJSON_AddStringToObject(m, "role", role);
	cJSON_AddStringToObject(m, "content", text != NULL ? text : "");
	cJSON_AddItemToArray(msgs, m);
}

/*
 * The query with its images as content parts. The data: URLs are borrowed
 * by the tree and kept in urls until it is printed.
 */
static void
add_query(const struct backend *be, cJSON *msgs, const struct chat_request *r, char **urls)
{
	cJSON *m, *parts, *p, *iu;

	if (r->nimages == 0) {
		add_message(msgs, "user", r->user);
		return;
	}
	m = cJSON_CreateObject();
	cJSON_AddStringToObject(m, "role", "user");
	parts = cJSON_AddArrayToObject(m, "content");
	if (r->user != NULL && r->user[0] != '\0') {
		p = cJSON_CreateObject();
		cJSON_AddStringToObject(p, "type", "text");
		cJSON_AddStringToObject(p, "text", r->user);
		cJSON_AddItemToArray(parts, p);
	}
	for (size_t i = 0; i < r->nimages; i++) {
		urls[i] = proto_data_url(r->images[i].data, r->images[i].len);
		p = cJSON_CreateObject();
		cJSON_AddStringToObject(p, "type", "image_url");
		iu = cJSON_AddObjectToObject(p, "image_url");
		proto_add_ref(iu, "url", urls[i]);
		if (be->image_detail != NULL)
			cJSON_AddStringToObject(iu, "detail", be->image_detail);
		cJSON_AddItemToArray(parts, p);
	}
	cJSON_AddItemToArray(msgs, m);
}

/* OpenAI wants the schema's name to match [a-zA-Z0-9_-]{1,64}. */
static char *
schema_name(const char *name)
{
	char *s;

	if (name == NULL || *name == '\0')
		name = "reply";
	s = xstrndup(name, 64);
	for (char *p = s; *p != '\0'; p++) {
		if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-')
			*p = '_';
	}
	return s;
}

static void
add_response_format(const struct backend *be, cJSON *root, const struct chat_request *r)
{
	cJSON *rf, *js, *schema;
	char *name;

	if (r->schema == NULL || be->structured == STRUCT_NONE)
		return;
	schema = cJSON_Parse(r->schema);
	rf = cJSON_AddObjectToObject(root, "response_format");
	/* A schema that is not a JSON object cannot be sent; JSON mode still helps. */
	if (be->structured == STRUCT_JSON_OBJECT || !cJSON_IsObject(schema)) {
		cJSON_AddStringToObject(rf, "type", "json_object");
		cJSON_Delete(schema);
		return;
	}
	cJSON_AddStringToObject(rf, "type", "json_schema");
	js = cJSON_AddObjectToObject(rf, "json_schema");
	name = schema_name(r->schema_name);
	cJSON_AddStringToObject(js, "name", name);
	free(name);
	cJSON_AddItemToObject(js, "schema", schema);
	cJSON_AddBoolToObject(js, "strict", 1);
}

char *
chat_build(const struct backend *be, const struct chat_request *r)
{
	static const char *const keep[] = { "model", "messages", NULL };
	cJSON *root, *msgs;
	char **urls, *out;

	root = cJSON_CreateObject();
	if (be->model != NULL)
		cJSON_AddStringToObject(root, "model", be->model);
	msgs = cJSON_AddArrayToObject(root, "messages");
	if (r->system != NULL)
		add_message(msgs, "system", r->system);
	for (size_t i = 0; i < r->nshots; i++) {
		if (r->shots[i].user != NULL)
			add_message(msgs, "user", r->shots[i].user);
		if (r->shots[i].assistant != NULL)
			add_message(msgs, "assistant", r->shots[i].assistant);
	}
	urls = xcalloc(r->nimages + 1, sizeof *urls);
	add_query(be, msgs, r, urls);
	if (r->temperature >= 0)
		cJSON_AddNumberToObject(root, "temperature", r->temperature);
	if (r->top_p >= 0)
		cJSON_AddNumberToObject(root, "top_p", r->top_p);
	if (r->max_tokens > 0)
		cJSON_AddNumberToObject(root, be->max_tokens_field != NULL ?
		    be->max_tokens_field : "max_tokens", r->max_tokens);
	if (r->has_seed)
		proto_add_int64(root, "seed", r->seed);
	if (r->n > 1 && be->supports_n)
		cJSON_AddNumberToObject(root, "n", r->n);
	cJSON_AddBoolToObject(root, "stream", 0);
	add_response_format(be, root, r);
	proto_merge_extra(root, be->extra_body, keep);
	out = proto_print(root);
	cJSON_Delete(root);
	for (size_t i = 0; i < r->nimages; i++)
		free(urls[i]);
	free(urls);
	return out;
}

/* ---- reply ---- */

/* The text of a message's content: a string, or the text parts of a list joined. */
static int
content_text(const cJSON *content, size_t i, char **out, char **cause)
{
	const cJSON *p, *t;
	size_t len = 0, l;
	char *s;

	if (cJSON_IsString(content)) {
		*out = xstrdup(content->valuestring);
		return 0;
	}
	if (content == NULL || cJSON_IsNull(content))
		return cause_set(cause, "choices[%zu].message.content is %s", i,
		    content == NULL ? "missing" : "null");
	if (!cJSON_IsArray(content))
		return cause_set(cause, "choices[%zu].message.content is neither a string nor a "
		    "list of parts", i);
	s = xstrdup("");
	cJSON_ArrayForEach(p, content) {
		t = cJSON_GetObjectItemCaseSensitive(p, "text");
		if (!cJSON_IsString(t))
			continue;
		l = strlen(t->valuestring);
		s = xrealloc(s, len + l + 1);
		memcpy(s + len, t->valuestring, l + 1);
		len += l;
	}
	*out = s;
	return 0;
}

static char *
string_or_null(const cJSON *obj, const char *name)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, name);

	return cJSON_IsString(it) ? xstrdup(it->valuestring) : NULL;
}

/* Places each choice by its "index" (the list order when absent). */
static int
chat_choices(const cJSON *choices, struct chat_reply *out, char **cause)
{
	const cJSON *ch, *msg, *idx;
	size_t n = (size_t)cJSON_GetArraySize(choices), i = 0, at;

	out->texts = xcalloc(n, sizeof *out->texts);
	out->ntexts = n;
	cJSON_ArrayForEach(ch, choices) {
		if (!cJSON_IsObject(ch))
			return cause_set(cause, "choices[%zu] is not an object", i);
		at = i;
		idx = cJSON_GetObjectItemCaseSensitive(ch, "index");
		if (idx != NULL) {
			if (!cJSON_IsNumber(idx) || idx->valuedouble < 0 ||
			    idx->valuedouble >= (double)n || idx->valuedouble != (double)(size_t)
			    idx->valuedouble)
				return cause_set(cause, "choices[%zu].index is not in 0..%zu", i,
				    n - 1);
			at = (size_t)idx->valuedouble;
		}
		if (out->texts[at] != NULL)
			return cause_set(cause, "choices[%zu]: index %zu appears twice", i, at);
		msg = cJSON_GetObjectItemCaseSensitive(ch, "message");
		if (!cJSON_IsObject(msg))
			return cause_set(cause, "no choices[%zu].message", i);
		if (content_text(cJSON_GetObjectItemCaseSensitive(msg, "content"), i,
		    &out->texts[at], cause) != 0)
			return -1;
		if (at == 0)
			out->finish = string_or_null(ch, "finish_reason");
		i++;
	}
	return 0;
}

int
chat_parse(const char *body, size_t len, struct chat_reply *out, char **cause)
{
	const cJSON *choices;
	cJSON *root;
	int rc;

	memset(out, 0, sizeof *out);
	if ((root = proto_parse(body, len, cause)) == NULL)
		return -1;
	choices = cJSON_GetObjectItemCaseSensitive(root, "choices");
	if (choices == NULL)
		rc = proto_missing(root, body, len, "choices", cause);
	else if (!cJSON_IsArray(choices))
		rc = cause_set(cause, "choices is not a list");
	else if (cJSON_GetArraySize(choices) == 0)
		rc = cause_set(cause, "choices is empty");
	else if (cJSON_GetArraySize(choices) > CHOICES_MAX)
		rc = cause_set(cause, "more than %d choices", CHOICES_MAX);
	else
		rc = chat_choices(choices, out, cause);
	if (rc == 0) {
		out->id = string_or_null(root, "id");
		out->model = string_or_null(root, "model");
	}
	cJSON_Delete(root);
	if (rc != 0)
		chat_reply_free(out);
	return rc;
}

void
chat_reply_free(struct chat_reply *r)
{
	free(r->id);
	free(r->model);
	for (size_t i = 0; i < r->ntexts; i++)
		free(r->texts[i]);
	free(r->texts);
	free(r->finish);
	memset(r, 0, sizeof *r);
}

/* One model entry of a /models list: its id, and what tells its weights apart. */
static char *
served_entry(const cJSON *m)
{
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(m, "id");
	const cJSON *root = cJSON_GetObjectItemCaseSensitive(m, "root");
	const cJSON *meta = cJSON_GetObjectItemCaseSensitive(m, "meta");
	char *s = xasprintf("id=%s", id->valuestring), *next, *json;

	/* vLLM names the weights behind a served name in root; llama.cpp describes the
	 * loaded file in meta (parameters, size, vocabulary). "created" is left out: both
	 * set it to the time of the request. */
	if (cJSON_IsString(root)) {
		next = xasprintf("%s\nroot=%s", s, root->valuestring);
		free(s);
		s = next;
	}
	if (cJSON_IsObject(meta) && (json = cJSON_PrintUnformatted(meta)) != NULL) {
		next = xasprintf("%s\nmeta=%s", s, json);
		cJSON_free(json);
		free(s);
		s = next;
	}
	return s;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every id of the list, sorted, one line each: a server that serves several and not
 * the configured one is known by all of them. */
static char *
served_all(const cJSON *data)
{
	size_t n = 0, k = 0, len = 5;
	char **ids, *s;
	const cJSON *m;

	cJSON_ArrayForEach(m, data)
		n++;
	ids = xcalloc(n, sizeof *ids);
	cJSON_ArrayForEach(m, data) {
		ids[k] = cJSON_GetObjectItemCaseSensitive(m, "id")->valuestring;
		len += strlen(ids[k++]) + 1;
	}
	qsort(ids, n, sizeof *ids, cmp_str);
	s = xmalloc(len);
	strcpy(s, "ids=");
	for (size_t i = 0; i < n; i++) {
		strcat(s, ids[i]);
		if (i + 1 < n)
			strcat(s, "\n");
	}
	free(ids);
	return s;
}

char *
models_parse(const char *body, size_t len, const char *configured)
{
	cJSON *root = proto_parse(body, len, NULL), *data, *m, *ck, *hash;
	const cJSON *pick = NULL;
	size_t n = 0;
	char *s = NULL;

	if (root == NULL)
		return NULL;
	data = cJSON_GetObjectItemCaseSensitive(root, "data");
	ck = cJSON_GetObjectItemCaseSensitive(root, "sd_model_checkpoint");
	if (cJSON_IsArray(data)) {
		cJSON_ArrayForEach(m, data) {
			const cJSON *id = cJSON_GetObjectItemCaseSensitive(m, "id");
			if (!cJSON_IsString(id)) {
				n = 0; /* a list we cannot read says nothing */
				break;
			}
			if (configured != NULL && strcmp(id->valuestring, configured) == 0)
				pick = m;
			n++;
		}
		if (n == 1)
			pick = cJSON_GetArrayItem(data, 0);
		if (pick != NULL)
			s = served_entry(pick);
		else if (n > 0)
			s = served_all(data);
	} else if (cJSON_IsString(ck)) {
		hash = cJSON_GetObjectItemCaseSensitive(root, "sd_checkpoint_hash");
		s = xasprintf("checkpoint=%s\nhash=%s", ck->valuestring,
		    cJSON_IsString(hash) ? hash->valuestring : "-");
	}
	cJSON_Delete(root);
	return s;
}
