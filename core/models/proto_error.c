/* SPDX-License-Identifier: MIT */
/*
 * Error replies of every server kind: the human message out of each JSON
 * dialect the servers use, and whether a failed reply is worth sending
 * again. Both work on the raw body, which may be anything: JSON, HTML from a
 * proxy, or nothing at all.
 */
#include "core/models/proto.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "core/base/util.h"

#define MESSAGE_MAX 300

/*
 * Texts in an error body that mean the request can never succeed as sent,
 * whatever the status: billing (OpenAI's 429 insufficient_quota), a model
 * without vision (llama.cpp without mmproj, LM Studio, Ollama) and a prompt
 * over the context size (OpenAI, vLLM, llama.cpp's exceed_context_size_error).
 */
static const char *const permanent_markers[] = {
	"insufficient_quota",
	"image input is not supported",
	"does not support images",
	"context_length_exceeded",
	"exceed_context_size",
	"maximum context length",
	"context length",
	"context size",
	"context window",
	NULL
};

/* The statuses retried when a backend lists none (protocols.md section 7). */
static const int default_retry_on[] = { 408, 409, 429, 500, 502, 503, 504 };

static const char *
nonempty(const cJSON *item)
{
	if (cJSON_IsString(item) && item->valuestring[0] != '\0')
		return item->valuestring;
	return NULL;
}

static const char *
field(const cJSON *obj, const char *name)
{
	return nonempty(cJSON_GetObjectItemCaseSensitive(obj, name));
}

/* FastAPI's detail: a text, or a list of {loc, msg, type} of which the first msg is shown. */
static const char *
detail_text(const cJSON *detail)
{
	const cJSON *first;

	if (nonempty(detail) != NULL)
		return detail->valuestring;
	if (cJSON_IsArray(detail) && (first = cJSON_GetArrayItem(detail, 0)) != NULL) {
		if (nonempty(first) != NULL)
			return first->valuestring;
		return field(first, "msg");
	}
	return NULL;
}

/* The message of a parsed error body, or NULL; two joined fields are kept in *joined. */
static const char *
json_message(const cJSON *root, char **joined)
{
	const cJSON *err, *detail;
	const char *text, *more;

	if (nonempty(root) != NULL)
		return root->valuestring;
	if (!cJSON_IsObject(root))
		return NULL;
	err = cJSON_GetObjectItemCaseSensitive(root, "error");
	detail = cJSON_GetObjectItemCaseSensitive(root, "detail");
	if (cJSON_IsObject(err)) {
		/* OpenAI and its imitators; a message-less one still names its type or code. */
		if ((text = field(err, "message")) != NULL || (text = field(err, "type")) != NULL ||
		    (text = field(err, "code")) != NULL)
			return text;
	} else if ((text = nonempty(err)) != NULL) {
		/* A1111 puts the exception's name in "error" and what happened beside it. */
		more = detail_text(detail);
		if (more != NULL || (more = field(root, "errors")) != NULL) {
			*joined = xasprintf("%s: %s", text, more);
			return *joined;
		}
		return text;
	}
	if ((text = detail_text(detail)) != NULL)
		return text;
	return field(root, "message");
}

/* Copies at most MESSAGE_MAX bytes of a message: whitespace folded, control bytes dropped. */
static char *
clean(const char *s, size_t len)
{
	char *out = xmalloc(len + 1);
	size_t n = 0, cut;
	int space = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
			space = n > 0;
			continue;
		}
		if (c < 0x20 || c == 0x7f)
			continue;
		if (space)
			out[n++] = ' ';
		space = 0;
		out[n++] = (char)c;
	}
	out[n] = '\0';
	if (n > MESSAGE_MAX) {
		/* Cut before a UTF-8 continuation byte, never inside a character. */
		cut = MESSAGE_MAX;
		while (cut > 0 && ((unsigned char)out[cut] & 0xc0) == 0x80)
			cut--;
		out[cut] = '\0';
	}
	if (out[0] == '\0') {
		free(out);
		out = xstrdup("(no message)");
	}
	return out;
}

char *
proto_error_message(const char *body, size_t len)
{
	cJSON *root = NULL;
	const char *text = NULL;
	char *joined = NULL, *out;

	if (body == NULL)
		len = 0;
	if (len > 0)
		root = cJSON_ParseWithLength(body, len);
	if (root != NULL)
		text = json_message(root, &joined);
	out = text != NULL ? clean(text, strlen(text)) : clean(len > 0 ? body : "", len);
	free(joined);
	cJSON_Delete(root);
	return out;
}

/* Case-insensitive search in a body that need not end with a NUL. */
static int
body_has(const char *body, size_t len, const char *needle)
{
	size_t n = strlen(needle);

	for (size_t i = 0; i + n <= len; i++) {
		size_t k = 0;

		while (k < n && tolower((unsigned char)body[i + k]) == needle[k])
			k++;
		if (k == n)
			return 1;
	}
	return 0;
}

int
proto_is_permanent(const struct backend *be, long status, const char *body, size_t len)
{
	const int *on = default_retry_on;
	size_t non = sizeof default_retry_on / sizeof default_retry_on[0];
	int listed = 0;

	if (status == 501)
		return 1;
	if (be != NULL) {
		on = be->retry.retry_on;
		non = be->retry.nretry_on > 0 ? (size_t)be->retry.nretry_on : 0;
		if (non > sizeof be->retry.retry_on / sizeof be->retry.retry_on[0])
			non = sizeof be->retry.retry_on / sizeof be->retry.retry_on[0];
	}
	for (size_t i = 0; i < non; i++)
		if (on[i] == status)
			listed = 1;
	if (!listed)
		return 1;
	if (body == NULL)
		return 0;
	for (size_t i = 0; permanent_markers[i] != NULL; i++)
		if (body_has(body, len, permanent_markers[i]))
			return 1;
	return 0;
}
