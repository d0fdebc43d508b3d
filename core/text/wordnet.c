/* SPDX-License-Identifier: MIT */
/*
 * WordNet 3.0 look-ups over the original database files (wndb(5)). The
 * index and exception files (about 6 MB together) are read whole and
 * searched by bisection; data.* (22 MB) is never parsed at start-up, only
 * single synset lines are read by offset with pread(2).
 */
#include "core/text/wordnet.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/base/util.h"

#define WN_DEFAULT_DIR "/usr/share/wordnet"
#define WN_FILE_MAX ((size_t)64 << 20)

/* A whole text file split into NUL-terminated lines sorted by first field. */
struct wn_file {
	char *buf;
	const char **lines;
	size_t n;
};

struct wordnet {
	char *dir;
	struct wn_file index[WN_NPOS];
	struct wn_file exc[WN_NPOS];
	int data_fd[WN_NPOS];
	char *rbuf; /* the last synset line read */
	size_t rsize;
};

static const char *const wn_suffix[WN_NPOS] = { "noun", "verb", "adj", "adv" };

/* Detachment rules of morphy(7WN): suffix, replacement; tried in order. */
struct wn_rule {
	const char *from;
	const char *to;
};
static const struct wn_rule wn_noun_rules[] = { { "s", "" }, { "ses", "s" }, { "xes", "x" },
	{ "zes", "z" }, { "ches", "ch" }, { "shes", "sh" }, { "men", "man" }, { "ies", "y" },
	{ NULL, NULL } };
static const struct wn_rule wn_verb_rules[] = { { "s", "" }, { "ies", "y" }, { "es", "e" },
	{ "es", "" }, { "ed", "e" }, { "ed", "" }, { "ing", "e" }, { "ing", "" }, { NULL, NULL } };
static const struct wn_rule wn_adj_rules[] = { { "er", "" }, { "est", "" }, { "er", "e" },
	{ "est", "e" }, { NULL, NULL } };
static const struct wn_rule wn_no_rules[] = { { NULL, NULL } };
static const struct wn_rule *const wn_rules[WN_NPOS] = { wn_noun_rules, wn_verb_rules,
	wn_adj_rules, wn_no_rules };

/* Compares key with the first space-delimited field of line, bytewise. */
static int
wn_keycmp(const char *key, const char *line)
{
	size_t i;

	for (i = 0; key[i] != '\0'; i++) {
		unsigned char a = (unsigned char)key[i], b = (unsigned char)line[i];
		if (b == ' ' || b == '\0')
			return 1;
		if (a != b)
			return a < b ? -1 : 1;
	}
	return (line[i] == ' ' || line[i] == '\0') ? 0 : -1;
}

static int
wn_linecmp(const void *a, const void *b)
{
	const char *la = *(const char *const *)a, *lb = *(const char *const *)b;
	size_t i;

	for (i = 0;; i++) {
		unsigned char ca = (unsigned char)la[i], cb = (unsigned char)lb[i];
		int ea = ca == ' ' || ca == '\0', eb = cb == ' ' || cb == '\0';
		if (ea || eb)
			return ea && eb ? 0 : (ea ? -1 : 1);
		if (ca != cb)
			return ca < cb ? -1 : 1;
	}
}

static void
wn_file_free(struct wn_file *f)
{
	free(f->buf);
	free(f->lines);
	memset(f, 0, sizeof *f);
}

/* Loads path, skipping the licence header (lines starting with a space). */
static int
wn_file_load(struct wn_file *f, const char *path, char **cause)
{
	size_t len, cap = 0, i;
	char *p, *end, *nl;
	int sorted = 1;

	memset(f, 0, sizeof *f);
	if (file_read_all(path, WN_FILE_MAX, &f->buf, &len, cause) != 0)
		return -1;
	for (p = f->buf, end = f->buf + len; p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		*nl = '\0';
		if (nl > p && nl[-1] == '\r')
			nl[-1] = '\0';
		if (*p == ' ' || *p == '\0')
			continue;
		if (f->n == cap) {
			cap = cap ? cap * 2 : 4096;
			f->lines = xreallocarray(f->lines, cap, sizeof *f->lines);
		}
		f->lines[f->n++] = p;
	}
	for (i = 1; i < f->n && sorted; i++)
		sorted = wn_linecmp(&f->lines[i - 1], &f->lines[i]) <= 0;
	/* The shipped files are sorted; a hand-edited one should still work. */
	if (!sorted)
		qsort(f->lines, f->n, sizeof *f->lines, wn_linecmp);
	return 0;
}

static const char *
wn_file_find(const struct wn_file *f, const char *key)
{
	size_t lo = 0, hi = f->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = wn_keycmp(key, f->lines[mid]);
		if (c == 0)
			return f->lines[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

struct wordnet *
wn_open(const char *dir, char **cause)
{
	struct wordnet *wn;
	struct stat st;
	char *path;
	int pos;

	if (dir == NULL || *dir == '\0')
		dir = getenv("MMDA_WORDNET");
	if (dir == NULL || *dir == '\0')
		dir = WN_DEFAULT_DIR;
	if (stat(dir, &st) != 0) {
		cause_set(cause, "WordNet folder %s: %s", dir, strerror(errno));
		return NULL;
	}
	if (!S_ISDIR(st.st_mode)) {
		cause_set(cause, "WordNet folder %s: not a directory", dir);
		return NULL;
	}
	wn = xcalloc(1, sizeof *wn);
	wn->dir = xstrdup(dir);
	for (pos = 0; pos < WN_NPOS; pos++)
		wn->data_fd[pos] = -1;
	for (pos = 0; pos < WN_NPOS; pos++) {
		path = xasprintf("%s/index.%s", dir, wn_suffix[pos]);
		if (wn_file_load(&wn->index[pos], path, cause) != 0)
			goto fail;
		free(path);
		path = xasprintf("%s/%s.exc", dir, wn_suffix[pos]);
		if (wn_file_load(&wn->exc[pos], path, cause) != 0)
			goto fail;
		free(path);
		path = xasprintf("%s/data.%s", dir, wn_suffix[pos]);
		wn->data_fd[pos] = open(path, O_RDONLY | O_CLOEXEC);
		if (wn->data_fd[pos] == -1) {
			cause_set(cause, "%s: %s", path, strerror(errno));
			goto fail;
		}
		free(path);
	}
	return wn;

fail:
	free(path);
	wn_close(wn);
	return NULL;
}

void
wn_close(struct wordnet *wn)
{
	int pos;

	if (wn == NULL)
		return;
	for (pos = 0; pos < WN_NPOS; pos++) {
		wn_file_free(&wn->index[pos]);
		wn_file_free(&wn->exc[pos]);
		if (wn->data_fd[pos] != -1)
			close(wn->data_fd[pos]);
	}
	free(wn->rbuf);
	free(wn->dir);
	free(wn);
}

const char *
wn_dir(const struct wordnet *wn)
{
	return wn->dir;
}

/* Folds word into a look-up key: lower case, spaces to '_'. */
static int
wn_key(const char *word, char *out, size_t outlen)
{
	size_t i;

	for (i = 0; word[i] != '\0'; i++) {
		if (i + 1 >= outlen)
			return -1;
		out[i] = word[i] == ' ' ? '_' : (char)tolower((unsigned char)word[i]);
	}
	if (i == 0)
		return -1;
	out[i] = '\0';
	return 0;
}

static int
wn_bad_pos(int pos)
{
	return pos < 0 || pos >= WN_NPOS;
}

static int
wn_put(const char *s, size_t len, char *out, size_t outlen)
{
	if (len + 1 > outlen)
		return -1;
	memcpy(out, s, len);
	out[len] = '\0';
	return 0;
}

int
wn_lemma(struct wordnet *wn, const char *word, int pos, char *out, size_t outlen)
{
	char key[WN_LEMMA_MAX], cand[WN_LEMMA_MAX];
	const struct wn_rule *r;
	const char *line, *p, *e;
	size_t klen, flen, tlen;

	if (wn_bad_pos(pos) || wn_key(word, key, sizeof key) != 0)
		return -1;
	/* Irregular forms first: "axes" must find "axis" as well as "axe". */
	if ((line = wn_file_find(&wn->exc[pos], key)) != NULL) {
		for (p = strchr(line, ' '); p != NULL && *p != '\0'; p = e) {
			while (*p == ' ')
				p++;
			e = p + strcspn(p, " ");
			if (e > p && (size_t)(e - p) < sizeof cand) {
				memcpy(cand, p, (size_t)(e - p));
				cand[e - p] = '\0';
				if (wn_file_find(&wn->index[pos], cand) != NULL)
					return wn_put(cand, (size_t)(e - p), out, outlen);
			}
		}
	}
	klen = strlen(key);
	if (wn_file_find(&wn->index[pos], key) != NULL)
		return wn_put(key, klen, out, outlen);
	for (r = wn_rules[pos]; r->from != NULL; r++) {
		flen = strlen(r->from);
		tlen = strlen(r->to);
		if (klen <= flen || strcmp(key + klen - flen, r->from) != 0)
			continue;
		if (klen - flen + tlen + 1 > sizeof cand)
			continue;
		memcpy(cand, key, klen - flen);
		memcpy(cand + klen - flen, r->to, tlen + 1);
		if (wn_file_find(&wn->index[pos], cand) != NULL)
			return wn_put(cand, strlen(cand), out, outlen);
	}
	return -1;
}

/* Skips one space-delimited field and the spaces after it. */
static const char *
wn_skip(const char *p)
{
	p += strcspn(p, " ");
	while (*p == ' ')
		p++;
	return p;
}

/*
 * Parses the index line of lemma: its sense counts, and where its synset
 * offsets start (*offs, *nsyn of them). Returns 0, or -1 when missing or
 * malformed.
 */
static int
wn_index_line(struct wordnet *wn, const char *lemma, int pos, int *senses, int *tagged,
    const char **offs, long *nsyn)
{
	char key[WN_LEMMA_MAX];
	const char *line, *p;
	char *end;
	long nptr, nsense, ntag, i;

	if (wn_bad_pos(pos) || wn_key(lemma, key, sizeof key) != 0)
		return -1;
	if ((line = wn_file_find(&wn->index[pos], key)) == NULL)
		return -1;
	p = wn_skip(wn_skip(line)); /* lemma, pos */
	*nsyn = strtol(p, &end, 10);
	if (end == p || *nsyn < 1)
		return -1;
	p = wn_skip(p);
	nptr = strtol(p, &end, 10);
	if (end == p || nptr < 0)
		return -1;
	p = wn_skip(p);
	for (i = 0; i < nptr; i++)
		p = wn_skip(p);
	nsense = strtol(p, &end, 10);
	if (end == p)
		return -1;
	p = wn_skip(p);
	ntag = strtol(p, &end, 10);
	if (end == p)
		return -1;
	if (senses != NULL)
		*senses = (int)nsense;
	if (tagged != NULL)
		*tagged = (int)ntag;
	*offs = wn_skip(p);
	return 0;
}

/* As wn_index_line, with the first synset offset in *first. */
static int
wn_index_entry(struct wordnet *wn, const char *lemma, int pos, int *senses, int *tagged,
    long *first)
{
	const char *p;
	char *end;
	long nsyn, off;

	if (wn_index_line(wn, lemma, pos, senses, tagged, &p, &nsyn) != 0)
		return -1;
	off = strtol(p, &end, 10);
	if (end == p || off < 0)
		return -1;
	if (first != NULL)
		*first = off;
	return 0;
}

int
wn_senses(struct wordnet *wn, const char *lemma, int pos, int *senses, int *tagged)
{
	return wn_index_entry(wn, lemma, pos, senses, tagged, NULL);
}

/* Reads the synset line at off into wn->rbuf (NUL-terminated). */
static char *
wn_read_synset(struct wordnet *wn, int pos, long off)
{
	size_t have = 0;
	ssize_t r;
	char *nl;

	for (;;) {
		if (wn->rsize - have < 4096 + 1) {
			wn->rsize = wn->rsize ? wn->rsize * 2 : 16384;
			wn->rbuf = xrealloc(wn->rbuf, wn->rsize);
		}
		r = pread(wn->data_fd[pos], wn->rbuf + have, wn->rsize - have - 1,
		    (off_t)off + (off_t)have);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return NULL;
		nl = memchr(wn->rbuf + have, '\n', (size_t)r);
		have += (size_t)r;
		if (nl != NULL) {
			*nl = '\0';
			break;
		}
	}
	/* A stale offset lands mid-line: the line must start with itself. */
	if (strtol(wn->rbuf, NULL, 10) != off)
		return NULL;
	return wn->rbuf;
}

/* Copies a data-file word: '_' to space, adjective marker "(a)" dropped. */
static char *
wn_word_dup(const char *p, size_t len)
{
	char *s;
	size_t i;

	if (len > 0 && p[len - 1] == ')') {
		const char *o = memchr(p, '(', len);
		if (o != NULL)
			len = (size_t)(o - p);
	}
	s = xstrndup(p, len);
	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] == '_')
			s[i] = ' ';
	}
	return s;
}

/* Compares a '_' or ' ' separated lemma ignoring case and the separator. */
static int
wn_same_lemma(const char *a, const char *b)
{
	for (; *a != '\0' && *b != '\0'; a++, b++) {
		int ca = *a == '_' ? ' ' : tolower((unsigned char)*a);
		int cb = *b == '_' ? ' ' : tolower((unsigned char)*b);
		if (ca != cb)
			return 0;
	}
	return *a == *b;
}

/* The lemmas of the synset at off, without skip (compared ignoring case). */
static int
wn_synset_words(struct wordnet *wn, int pos, long off, const char *skip, char ***out,
    size_t *n)
{
	const char *p, *e;
	char *line, *end, *w;
	long nw, i;

	*out = NULL;
	*n = 0;
	if ((line = wn_read_synset(wn, pos, off)) == NULL)
		return -1;
	p = wn_skip(wn_skip(wn_skip(line))); /* offset, lex_filenum, ss_type */
	nw = strtol(p, &end, 16);
	if (end == p || nw < 1)
		return -1;
	p = wn_skip(p);
	for (i = 0; i < nw && *p != '\0'; i++) {
		e = p + strcspn(p, " ");
		w = wn_word_dup(p, (size_t)(e - p));
		if (*w == '\0' || (skip != NULL && wn_same_lemma(w, skip)))
			free(w);
		else {
			*out = xreallocarray(*out, *n + 1, sizeof **out);
			(*out)[(*n)++] = w;
		}
		p = wn_skip(wn_skip(p)); /* word, lex_id */
	}
	return 0;
}

int
wn_synonyms_first_sense(struct wordnet *wn, const char *lemma, int pos, char ***out,
    size_t *n)
{
	long off;

	*out = NULL;
	*n = 0;
	if (wn_index_entry(wn, lemma, pos, NULL, NULL, &off) != 0)
		return -1;
	return wn_synset_words(wn, pos, off, lemma, out, n);
}

int
wn_sense_synonyms(struct wordnet *wn, const char *lemma, int pos, long off, char ***out,
    size_t *n)
{
	if (wn_bad_pos(pos))
		return -1;
	return wn_synset_words(wn, pos, off, lemma, out, n);
}

/* The offset of the first hypernym ('@', else the first '@i') of noun synset off. */
static long
wn_synset_hyper(struct wordnet *wn, long off)
{
	const char *p;
	char *line, *end;
	long nw, np, i, hyper = -1, inst = -1, t;

	if ((line = wn_read_synset(wn, WN_NOUN, off)) == NULL)
		return -1;
	p = wn_skip(wn_skip(wn_skip(line)));
	nw = strtol(p, &end, 16);
	if (end == p || nw < 1)
		return -1;
	p = wn_skip(p);
	for (i = 0; i < nw; i++)
		p = wn_skip(wn_skip(p));
	np = strtol(p, &end, 10);
	if (end == p)
		return -1;
	p = wn_skip(p);
	for (i = 0; i < np && *p != '\0' && hyper == -1; i++) {
		int is_h = strncmp(p, "@ ", 2) == 0, is_i = strncmp(p, "@i ", 3) == 0;
		p = wn_skip(p);
		t = strtol(p, &end, 10);
		if (end != p && is_h)
			hyper = t;
		else if (end != p && is_i && inst == -1)
			inst = t;
		p = wn_skip(wn_skip(wn_skip(p))); /* offset, pos, source/target */
	}
	return hyper != -1 ? hyper : inst;
}

/* The first lemma of noun synset off, newly allocated, or NULL. */
static char *
wn_synset_head(struct wordnet *wn, long off)
{
	const char *p, *e;
	char *line;

	if ((line = wn_read_synset(wn, WN_NOUN, off)) == NULL)
		return NULL;
	p = wn_skip(wn_skip(wn_skip(wn_skip(line))));
	e = p + strcspn(p, " ");
	if (e == p)
		return NULL;
	return wn_word_dup(p, (size_t)(e - p));
}

int
wn_hypernym_first_sense(struct wordnet *wn, const char *lemma, char **out)
{
	long off, hyper;

	*out = NULL;
	if (wn_index_entry(wn, lemma, WN_NOUN, NULL, NULL, &off) != 0)
		return -1;
	if ((hyper = wn_synset_hyper(wn, off)) == -1 || (*out = wn_synset_head(wn, hyper)) == NULL)
		return -1;
	return 0;
}

int
wn_sense_hypernym(struct wordnet *wn, long off, long *hyper, char **out)
{
	*out = NULL;
	if ((*hyper = wn_synset_hyper(wn, off)) == -1 || (*out = wn_synset_head(wn, *hyper)) == NULL)
		return -1;
	return 0;
}

int
wn_sense_lexfile(struct wordnet *wn, int pos, long off)
{
	char *line, *end;
	const char *p;
	long lex;

	if (wn_bad_pos(pos) || (line = wn_read_synset(wn, pos, off)) == NULL)
		return -1;
	p = wn_skip(line);
	lex = strtol(p, &end, 10);
	return end == p ? -1 : (int)lex;
}

/*
 * Lexicographer files (lexnames(5WN)) of things a camera sees: 2 for
 * animal, artifact, body, food, location, object, person, plant; 1 for
 * phenomenon and substance ("rain", "water", but "light" is first a lamp);
 * 0 for the rest.
 */
static int
wn_visual_lexfile(int lex)
{
	if (lex == 5 || lex == 6 || lex == 8 || lex == 13 || lex == 15 || lex == 17 ||
	    lex == 18 || lex == 20)
		return 2;
	return lex == 19 || lex == 27;
}

/* Whether the first lemma of noun synset off is key (case ignored). */
static int
wn_synset_named(struct wordnet *wn, long off, const char *key)
{
	char *head = wn_synset_head(wn, off);
	int same = head != NULL && wn_same_lemma(head, key);

	free(head);
	return same;
}

int
wn_caption_sense(struct wordnet *wn, const char *lemma, int pos, long *offset)
{
	char key[WN_LEMMA_MAX];
	const char *p;
	char *end;
	long nsyn, i, off, first = -1, second = -1, visual = -1, named = -1;
	int v;

	if (wn_key(lemma, key, sizeof key) != 0 ||
	    wn_index_line(wn, lemma, pos, NULL, NULL, &p, &nsyn) != 0)
		return -1;
	/* Sense order is frequency order; a visual sense further down still wins. */
	for (i = 0; i < nsyn && i < WN_CAPTION_SENSES && *p != '\0'; i++) {
		off = strtol(p, &end, 10);
		if (end == p)
			break;
		if (first == -1)
			first = off;
		v = pos == WN_NOUN ? wn_visual_lexfile(wn_sense_lexfile(wn, pos, off)) : 2;
		/* "plate" in home_plate's synset is a nickname: a sense it heads comes first. */
		if (v == 2 && pos == WN_NOUN && named == -1 && wn_synset_named(wn, off, key))
			named = off;
		if (v == 2 && visual == -1)
			visual = off;
		if (v == 2 && pos != WN_NOUN) {
			*offset = off;
			return 0;
		}
		if (v == 1 && second == -1)
			second = off;
		p = wn_skip(p);
	}
	if (first == -1)
		return -1;
	*offset = named != -1 ? named : visual != -1 ? visual : second != -1 ? second : first;
	return 0;
}

size_t
wn_irregular_forms(struct wordnet *wn, const char *lemma, int pos, char ***out)
{
	const struct wn_file *f;
	const char *p, *e;
	size_t i, n = 0, len;
	char key[WN_LEMMA_MAX];

	*out = NULL;
	if (wn_bad_pos(pos) || wn_key(lemma, key, sizeof key) != 0)
		return 0;
	len = strlen(key);
	f = &wn->exc[pos];
	/* Inverted by a scan: the files are small (a few thousand lines). */
	for (i = 0; i < f->n; i++) {
		for (p = strchr(f->lines[i], ' '); p != NULL && *p != '\0'; p = e) {
			while (*p == ' ')
				p++;
			e = p + strcspn(p, " ");
			if ((size_t)(e - p) == len && memcmp(p, key, len) == 0) {
				*out = xreallocarray(*out, n + 1, sizeof **out);
				(*out)[n++] = wn_word_dup(f->lines[i], strcspn(f->lines[i], " "));
				break;
			}
		}
	}
	return n;
}

void
wn_free_list(char **list, size_t n)
{
	size_t i;

	if (list == NULL)
		return;
	for (i = 0; i < n; i++)
		free(list[i]);
	free(list);
}
