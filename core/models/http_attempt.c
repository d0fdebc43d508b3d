/* SPDX-License-Identifier: MIT */
/*
 * One attempt of an HTTP request: which fleet URL it goes to, how the easy
 * handle is set up (the key only in a header list wiped afterwards), the
 * body and header callbacks with the size cap, and what the reply means:
 * success, a retry after some delay, or a failure and whether it is final.
 */
#include "core/models/http_priv.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/models/backend.h"
#include "core/models/proto.h"
#include "core/base/util.h"

/* ---- callbacks (engine thread, lock released) ---- */

static size_t
on_body(char *data, size_t size, size_t n, void *arg)
{
	struct http_job *job = arg;
	size_t add = size * n;

	if (job->max > 0 && (add > job->max || job->len > job->max - add)) {
		job->oversize = 1;
		return 0; /* curl stops the transfer with CURLE_WRITE_ERROR */
	}
	if (job->len + add + 1 > job->cap) {
		size_t cap = job->cap > 0 ? job->cap : 16384;

		while (cap < job->len + add + 1)
			cap *= 2;
		job->buf = xrealloc(job->buf, cap);
		job->cap = cap;
	}
	memcpy(job->buf + job->len, data, add);
	job->len += add;
	job->buf[job->len] = '\0';
	return add;
}

/* The value of header line h when its name is name (any case), trimmed; else NULL. */
static char *
header_value(const char *h, size_t len, const char *name)
{
	size_t nlen = strlen(name);
	const char *v, *end = h + len;

	if (len <= nlen || strncasecmp(h, name, nlen) != 0 || h[nlen] != ':')
		return NULL;
	for (v = h + nlen + 1; v < end && (*v == ' ' || *v == '\t'); v++)
		;
	while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' '))
		end--;
	return xstrndup(v, (size_t)(end - v));
}

static size_t
on_header(char *data, size_t size, size_t n, void *arg)
{
	struct http_job *job = arg;
	size_t len = size * n;
	char *v, *end;
	double d;
	time_t when;

	if (len >= 5 && memcmp(data, "HTTP/", 5) == 0) {
		job->hint_ms = -1; /* a new response: forget an interim one's headers */
		job->hint_is_ms = 0;
	} else if ((v = header_value(data, len, "retry-after-ms")) != NULL) {
		d = strtod(v, &end);
		if (end != v && *end == '\0' && d >= 0) {
			job->hint_ms = d;
			job->hint_is_ms = 1;
		}
		free(v);
	} else if ((v = header_value(data, len, "retry-after")) != NULL) {
		/* Seconds or an HTTP date; retry-after-ms wins when both came. */
		d = strtod(v, &end);
		if (end == v || *end != '\0') {
			d = -1;
			if ((when = curl_getdate(v, NULL)) != (time_t)-1)
				d = when > time(NULL) ? (double)(when - time(NULL)) : 0;
		}
		if (d >= 0 && !job->hint_is_ms)
			job->hint_ms = d * 1000.0;
		free(v);
	}
	return len;
}

/*
 * The URL for the next attempt: the least busy of those not resting (ties
 * go round-robin), else the one whose rest ends first.
 */
size_t
http_pick_url(struct be_state *bs, int64_t now)
{
	size_t n = bs->nurls, best = n, i, k;

	if (n <= 1)
		return 0;
	for (k = 0; k < n; k++) {
		i = (bs->rr + k) % n;
		if (bs->urls[i].rest_until > now)
			continue;
		if (best == n || bs->urls[i].inflight < bs->urls[best].inflight)
			best = i;
	}
	if (best == n) {
		best = 0;
		for (i = 1; i < n; i++)
			if (bs->urls[i].rest_until < bs->urls[best].rest_until)
				best = i;
	}
	bs->rr = (best + 1) % n;
	return best;
}

/*
 * A backend's name and URLs: the engine's state (queue, limits, URL health)
 * goes by this, not by the struct's address, because callers may pass a
 * short-lived copy of a backend (a probe of one URL) that another replaces
 * at the same address later.
 */
char *
http_backend_ident(const struct backend *be)
{
	char *id = xstrdup(be->name != NULL ? be->name : ""), *next;

	for (size_t i = 0; i < be->nurls; i++) {
		next = xasprintf("%s\n%s", id, be->urls[i]);
		free(id);
		id = next;
	}
	return id;
}

void
http_wipe_free(char *s)
{
	if (s != NULL) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

/* Every text that would reveal the backend's key: the key, and the credential of its header. */
void
http_redact_backend(const struct backend *be, char **text, size_t *len)
{
	char *secret = backend_secret(be), *auth = backend_auth_header(be), *cred;
	size_t n = len != NULL ? *len : *text != NULL ? strlen(*text) : 0;

	http_redact_mem(text, &n, secret);
	if (auth != NULL && (cred = strrchr(auth, ' ')) != NULL)
		http_redact_mem(text, &n, cred + 1);
	if (len != NULL)
		*len = n;
	http_wipe_free(secret);
	http_wipe_free(auth);
}

/* ---- requests and replies ---- */

/* Adds one part to a multipart body (curl copies the bytes). Returns 0, or -1. */
static int
mime_add(curl_mime *mime, const struct http_part *p)
{
	curl_mimepart *mp = curl_mime_addpart(mime);

	if (mp == NULL || curl_mime_name(mp, p->name) != CURLE_OK ||
	    curl_mime_data(mp, p->data != NULL ? p->data : "", p->len) != CURLE_OK)
		return -1;
	if (p->filename != NULL && curl_mime_filename(mp, p->filename) != CURLE_OK)
		return -1;
	if (p->type != NULL && curl_mime_type(mp, p->type) != CURLE_OK)
		return -1;
	return 0;
}

/* Sets the easy handle up for one attempt of job. Returns 0, or -1 with *cause. */
int
http_attempt_setup(struct http_job *job, char **cause)
{
	const struct http_req *req = job->req;
	const struct backend *be = req->be;
	char *auth;
	CURL *e = job->easy;

	curl_easy_setopt(e, CURLOPT_URL, job->urlstr);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_USERAGENT, "mmda");
	if (be->connect_ms > 0)
		curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, be->connect_ms);
	if (be->request_ms > 0)
		curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, be->request_ms);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, job);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, job);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, job->errbuf);
	curl_easy_setopt(e, CURLOPT_PRIVATE, job);

	/* An empty Expect: keeps a large POST from waiting a second for "100 Continue". */
	job->hdrs = curl_slist_append(NULL, "Expect:");
	if (strcmp(req->method, "GET") == 0)
		curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
	else if (req->parts != NULL) {
		job->mime = curl_mime_init(e);
		for (size_t i = 0; i < req->nparts; i++) {
			if (mime_add(job->mime, &req->parts[i]) != 0)
				return cause_set(cause, "part %zu (%s): cannot be encoded", i,
				    req->parts[i].name != NULL ? req->parts[i].name : "unnamed");
		}
		curl_easy_setopt(e, CURLOPT_MIMEPOST, job->mime);
	} else {
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)(req->body != NULL ? req->bodylen : 0));
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, req->body != NULL ? req->body : "");
		if (req->body != NULL)
			job->hdrs = curl_slist_append(job->hdrs, "Content-Type: application/json");
	}
	if (strcmp(req->method, "GET") != 0 && strcmp(req->method, "POST") != 0)
		curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, req->method);
	/* The key is read now and lives only in the header list, wiped when the attempt ends. */
	if ((auth = backend_auth_header(be)) != NULL) {
		job->hdrs = curl_slist_append(job->hdrs, auth);
		http_wipe_free(auth);
	}
	if (job->hdrs == NULL)
		return cause_set(cause, "cannot build the request headers");
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, job->hdrs);
	return 0;
}

static int
transient(CURLcode rc)
{
	switch (rc) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_PARTIAL_FILE:
	case CURLE_GOT_NOTHING:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		return 1;
	default:
		return 0;
	}
}

/* The backoff before retry number k (0 first): min(cap, base * 2^k), less up to jitter. */
static double
backoff_ms(const struct backend_retry *r, int k, double u)
{
	double d = r->base_ms > 0 ? r->base_ms : 0;

	for (int i = 0; i < k && (r->cap_ms <= 0 || d < r->cap_ms); i++)
		d *= 2;
	if (r->cap_ms > 0 && d > r->cap_ms)
		d = r->cap_ms;
	if (r->jitter > 0)
		d -= d * (r->jitter > 1 ? 1 : r->jitter) * u;
	return d;
}

void
http_classify(struct http_job *job, CURLcode rc, double u, struct outcome *o)
{
	const struct backend *be = job->req->be;
	long status = 0;
	curl_off_t ra = 0;
	double hint = job->hint_ms;
	char *msg, *more;

	memset(o, 0, sizeof *o);
	curl_easy_getinfo(job->easy, CURLINFO_RESPONSE_CODE, &status);
	o->status = status;
	if (job->oversize) {
		o->error = xasprintf("backend %s: %s: reply larger than %zu bytes", be->name,
		    job->urlstr, job->max);
		o->permanent = 1;
		return;
	}
	if (rc != CURLE_OK) {
		o->error = xasprintf("backend %s: %s: %s", be->name, job->urlstr,
		    job->errbuf[0] != '\0' ? job->errbuf : curl_easy_strerror(rc));
		o->retry = o->url_failed = transient(rc);
		o->permanent = !o->retry;
	} else if (status >= 200 && status <= 299) {
		o->ok = 1;
		return;
	} else {
		msg = proto_error_message(job->buf, job->len);
		o->error = xasprintf("backend %s: %s: %ld: %s", be->name, job->urlstr, status, msg);
		free(msg);
		o->permanent = proto_is_permanent(be, status, job->buf, job->len);
		o->retry = !o->permanent;
		o->url_failed = status >= 500 || status == 429;
	}
	if (!o->retry)
		return;
	if (hint < 0 && curl_easy_getinfo(job->easy, CURLINFO_RETRY_AFTER, &ra) == CURLE_OK &&
	    ra > 0)
		hint = (double)ra * 1000.0;
	if (hint >= 0 && be->retry.max_retry_after_s > 0 &&
	    hint > be->retry.max_retry_after_s * 1000.0) {
		more = xasprintf("%s (the server asks to retry after %.0f s, more than "
		    "max_retry_after_s %d)", o->error, hint / 1000.0, be->retry.max_retry_after_s);
		free(o->error);
		o->error = more;
		o->retry = 0;
		o->permanent = 1;
		return;
	}
	if (job->req->attempts > be->retry.max) {
		o->retry = 0; /* out of retries: it might work later, so not permanent */
		return;
	}
	o->delay_ms = hint >= 0 ? hint : backoff_ms(&be->retry, job->req->attempts - 1, u);
}
