/* SPDX-License-Identifier: MIT */
/*
 * Merging another mmda database into this one. The source is attached, so
 * candidates, lineage and the object rows move in a few set-based statements
 * keyed by aug_id and paths; decisions move one by one because retractions
 * point at other decisions, which are matched through their origin.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/base/objects.h"
#include "core/base/safefile.h"
#include "core/base/sha256.h"
#include "core/base/util.h"
#include "db/db.h"

/*
 * A stored image path must stay under its root by its text alone: relative,
 * no "." or ".." step, no empty step. (Symlinks are judged when the file is
 * opened, by store_candidate_image_checked.)
 */
static int
path_is_plain_relative(const char *p)
{
	if (*p == '\0' || *p == '/')
		return 0;
	for (const char *s = p;;) {
		const char *e = strchr(s, '/');
		size_t n = e != NULL ? (size_t)(e - s) : strlen(s);
		if (n == 0 || (n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.'))
			return 0;
		if (e == NULL)
			return 1;
		s = e + 1;
	}
}

/* The content hash of an original's image: cached, its object's name, or read from its
 * file. 1 with hex when known, 0 when the file cannot be read. */
static int
original_content(sqlite3_stmt *s, int col, char hex[SHA256_HEX_LEN + 1])
{
	const char *content = (const char *)sqlite3_column_text(s, col);
	const char *object = (const char *)sqlite3_column_text(s, col + 1);
	const char *root = (const char *)sqlite3_column_text(s, col + 2);
	const char *path = (const char *)sqlite3_column_text(s, col + 3);
	int ok = 0;

	if (content != NULL || object != NULL) {
		snprintf(hex, SHA256_HEX_LEN + 1, "%s", content ? content : object);
		return 1;
	}
	if (root == NULL || path == NULL)
		return 0;
	char *full = xasprintf("%s/%s", root, path), *real = NULL;
	if (path_contain(root, full, 0, &real, NULL) == 0 && real != NULL)
		ok = sha256_file(real, hex) == 0;
	free(real);
	free(full);
	return ok;
}

/*
 * An original's aug_id is its path and caption unless an import met another
 * image under them (see core/ingest/ingest.c): two hosts that imported
 * different images under one relative path and caption hold one aug_id for
 * two pairs. Merging would fold one into the other, so such a source is
 * refused. Pairs whose root and path agree are one file and are not read.
 */
static int
check_same_images(struct store *st, const char *src, char **cause)
{
	sqlite3_stmt *s;
	int rc = 0;

	if (sqlite3_prepare_v2(st->db, "SELECT sc.id, mc.id, sc.content, sc.object, sr.path,"
	    " sc.image_path, mc.content, mc.object, mr.path, mc.image_path"
	    " FROM src.candidates sc JOIN main.candidates mc ON mc.aug_id = sc.aug_id"
	    " LEFT JOIN src.roots sr ON sr.id = sc.root_id"
	    " LEFT JOIN main.roots mr ON mr.id = mc.root_id WHERE sc.op = 'original'"
	    " AND NOT (sr.path IS mr.path AND sc.image_path IS mc.image_path"
	    " AND sc.object IS mc.object)", -1, &s, NULL) != SQLITE_OK)
		return db_fail(st, "checking the source", cause);
	while (rc == 0 && sqlite3_step(s) == SQLITE_ROW) {
		char theirs[SHA256_HEX_LEN + 1], ours[SHA256_HEX_LEN + 1];
		if (original_content(s, 2, theirs) && original_content(s, 6, ours) &&
		    strcmp(theirs, ours) != 0)
			rc = cause_set(cause, "%s: candidate %" PRId64 " and candidate %" PRId64
			    " here share an aug_id (path and caption) but not their image; nothing"
			    " was merged (import that source into this database instead)", src,
			    (int64_t)sqlite3_column_int64(s, 0), (int64_t)sqlite3_column_int64(s, 1));
	}
	sqlite3_finalize(s);
	return rc;
}

/*
 * Every row that names a file is checked before anything is copied: the
 * source is someone else's file, and its hashes become paths in our object
 * store and its roots and paths become files that export copies out.
 */
static int
validate_source(struct store *st, const char *src, int flags, char **cause)
{
	sqlite3_stmt *s;
	int rc = 0;

	if (sqlite3_prepare_v2(st->db, "SELECT hash FROM src.objects", -1, &s, NULL) !=
	    SQLITE_OK)
		return db_fail(st, "checking the source", cause);
	while (rc == 0 && sqlite3_step(s) == SQLITE_ROW) {
		const char *hex = (const char *)sqlite3_column_text(s, 0);
		if (!hex64_valid(hex))
			rc = cause_set(cause, "%s: object row \"%.80s\" is not a SHA-256 name"
			    " (64 lowercase hex digits)", src, hex ? hex : "");
	}
	sqlite3_finalize(s);
	if (rc != 0)
		return rc;
	if (sqlite3_prepare_v2(st->db, "SELECT c.id, c.object, c.image_path, c.root_id, r.path"
	    " FROM src.candidates c LEFT JOIN src.roots r ON r.id = c.root_id", -1, &s, NULL) !=
	    SQLITE_OK)
		return db_fail(st, "checking the source", cause);
	while (rc == 0 && sqlite3_step(s) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(s, 0);
		const char *obj = (const char *)sqlite3_column_text(s, 1);
		const char *path = (const char *)sqlite3_column_text(s, 2);
		if (obj != NULL && !hex64_valid(obj))
			rc = cause_set(cause, "%s: candidate %" PRId64 ": object \"%.80s\" is not"
			    " a SHA-256 name", src, id, obj);
		else if (path != NULL && !path_is_plain_relative(path))
			rc = cause_set(cause, "%s: candidate %" PRId64 ": image path \"%.200s\" is"
			    " not a plain path relative to its root", src, id, path);
		else if (path != NULL && sqlite3_column_type(s, 4) == SQLITE_NULL)
			rc = cause_set(cause, "%s: candidate %" PRId64 ": image path without a"
			    " root", src, id);
		else if (path != NULL) {
			/* The same real-path check the readers make, on this host's files. */
			const char *root = (const char *)sqlite3_column_text(s, 4);
			char *full = xasprintf("%s/%s", root, path), *why = NULL;
			if (path_contain(root, full, 1, NULL, &why) != 0)
				rc = cause_set(cause, "%s: candidate %" PRId64 ": %s", src, id, why);
			free(why);
			free(full);
		}
	}
	sqlite3_finalize(s);
	if (rc != 0)
		return rc;
	if (sqlite3_prepare_v2(st->db, "SELECT path FROM src.roots WHERE path NOT IN"
	    " (SELECT path FROM main.roots) ORDER BY path", -1, &s, NULL) != SQLITE_OK)
		return db_fail(st, "checking the source", cause);
	while (rc == 0 && sqlite3_step(s) == SQLITE_ROW) {
		const char *root = (const char *)sqlite3_column_text(s, 0);
		if (root == NULL || root[0] != '/')
			rc = cause_set(cause, "%s: root \"%.200s\" is not an absolute folder",
			    src, root ? root : "");
		else if (!(flags & STORE_MERGE_TRUST_ROOTS))
			/* A root decides which host files show and export read: a source cannot
			 * pick one for us. */
			rc = cause_set(cause, "%s: root %.200s is not a folder this database knows;"
			    " its images would be read from there (pass --trust-roots if that"
			    " folder is meant)", src, root);
	}
	sqlite3_finalize(s);
	return rc != 0 ? rc : check_same_images(st, src, cause);
}

/* Copies object files the destination lacks; rows were merged already. */
static int
copy_objects(struct store *st, const char *src, struct store_merge_result *res, char **cause)
{
	char *srcdir = xasprintf("%s.objects", src);
	sqlite3_stmt *s;
	int rc = 0;

	if (sqlite3_prepare_v2(st->db, "SELECT hash FROM src.objects", -1, &s, NULL) !=
	    SQLITE_OK) {
		free(srcdir);
		return db_fail(st, "merging objects", cause);
	}
	while (rc == 0 && sqlite3_step(s) == SQLITE_ROW) {
		const char *hex = (const char *)sqlite3_column_text(s, 0);
		char *to = objects_path(st->objects, hex), *from, *data, got[65];
		size_t len;
		struct stat sb;
		if (stat(to, &sb) == 0) {
			free(to);
			continue;
		}
		from = objects_path(srcdir, hex);
		if (file_read_all(from, (size_t)1 << 31, &data, &len, cause) != 0)
			rc = -1;
		else {
			rc = objects_put(st->objects, data, len, got, cause);
			if (rc == 0 && strcmp(got, hex) != 0)
				rc = cause_set(cause, "%s: content does not match its name", from);
			free(data);
			res->objects += rc == 0;
		}
		free(from);
		free(to);
	}
	sqlite3_finalize(s);
	free(srcdir);
	return rc;
}

static int
merge_rows(struct store *st, struct store_merge_result *res, char **cause)
{
	static const char *const steps[] = {
		"INSERT OR IGNORE INTO roots (path) SELECT path FROM src.roots",
		"INSERT OR IGNORE INTO objects SELECT * FROM src.objects",
		"INSERT OR IGNORE INTO sources (root_id, path, format, imported_at)"
		" SELECT (SELECT id FROM main.roots WHERE path = r.path), s.path, s.format,"
		" s.imported_at FROM src.sources s JOIN src.roots r ON r.id = s.root_id",
		/* Parents have smaller ids than their children, so id order keeps lineage valid. */
		"INSERT INTO candidates (aug_id, op, op_version, params, seed, backend, model, prompt,"
		" response_id, root_id, image_path, object, text, src_key, key_is_id, source_id, meta,"
		" width, height, created_at, content)"
		" SELECT c.aug_id, c.op, c.op_version, c.params, c.seed, c.backend, c.model, c.prompt,"
		" c.response_id, (SELECT id FROM main.roots WHERE path = r.path), c.image_path,"
		" c.object, c.text, c.src_key, c.key_is_id,"
		" (SELECT ms.id FROM main.sources ms JOIN main.roots mr ON mr.id = ms.root_id"
		"   WHERE mr.path = r.path AND ms.path = s.path),"
		" c.meta, c.width, c.height, c.created_at, c.content"
		" FROM src.candidates c LEFT JOIN src.roots r ON r.id = c.root_id"
		" LEFT JOIN src.sources s ON s.id = c.source_id"
		" WHERE NOT EXISTS (SELECT 1 FROM main.candidates m WHERE m.aug_id = c.aug_id)"
		" ORDER BY c.id",
		"INSERT OR IGNORE INTO lineage (child, slot, parent)"
		" SELECT mc.id, l.slot, mp.id FROM src.lineage l"
		" JOIN src.candidates sc ON sc.id = l.child JOIN src.candidates sp ON sp.id = l.parent"
		" JOIN main.candidates mc ON mc.aug_id = sc.aug_id"
		" JOIN main.candidates mp ON mp.aug_id = sp.aug_id",
		/*
		 * Every source that names a pair over there names it here too: the
		 * further sources, and the first one of a pair this database had from
		 * another source. A source already first here is not repeated.
		 */
		"INSERT OR IGNORE INTO original_sources (candidate, source_id, src_key, key_is_id,"
		" meta, added_at)"
		" SELECT mc.id, ms.id, k.src_key, k.key_is_id, k.meta, k.at FROM ("
		"  SELECT o.candidate AS cand, o.source_id AS sid, o.src_key, o.key_is_id, o.meta,"
		"   o.added_at AS at FROM src.original_sources o"
		"  UNION ALL SELECT c.id, c.source_id, c.src_key, c.key_is_id, c.meta, c.created_at"
		"   FROM src.candidates c WHERE c.op = 'original' AND c.src_key IS NOT NULL"
		"   AND c.source_id IS NOT NULL) k"
		" JOIN src.candidates sc ON sc.id = k.cand"
		" JOIN main.candidates mc ON mc.aug_id = sc.aug_id"
		" JOIN src.sources s ON s.id = k.sid JOIN src.roots r ON r.id = s.root_id"
		" JOIN main.roots mr ON mr.path = r.path"
		" JOIN main.sources ms ON ms.root_id = mr.id AND ms.path = s.path"
		" WHERE NOT (mc.source_id IS ms.id AND mc.src_key IS k.src_key)",
	};
	int64_t before, after, total;
	sqlite3_stmt *s;

	if (sqlite3_prepare_v2(st->db, "SELECT (SELECT count(*) FROM main.candidates),"
	    " (SELECT count(*) FROM src.candidates)", -1, &s, NULL) != SQLITE_OK)
		return db_fail(st, "merging", cause);
	sqlite3_step(s);
	before = sqlite3_column_int64(s, 0);
	total = sqlite3_column_int64(s, 1);
	sqlite3_finalize(s);
	for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
		if (db_exec(st, steps[i], cause) != 0)
			return -1;
	if (sqlite3_prepare_v2(st->db, "SELECT count(*) FROM main.candidates", -1, &s, NULL) !=
	    SQLITE_OK)
		return db_fail(st, "merging", cause);
	sqlite3_step(s);
	after = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	res->candidates = after - before;
	res->existing = total - res->candidates;
	return 0;
}

/*
 * A decision is known by its content: candidate (by aug_id), annotator,
 * answer, time, reason, note, lead time and, for a retraction, the key of the
 * decision it retracts. Copies of one database reviewed on several hosts
 * share their early ids, so ids cannot say which decisions are the same.
 */
struct keymap {
	char (*key)[SHA256_HEX_LEN + 1];
	int64_t *id;
	size_t cap, n;
};

static size_t
slot_of(const char *hex, size_t cap)
{
	uint64_t h = 0;
	for (int i = 0; i < 16; i++)
		h = h << 4 | (uint64_t)(hex[i] <= '9' ? hex[i] - '0' : hex[i] - 'a' + 10);
	return (size_t)(h & (cap - 1));
}

static int64_t
keymap_get(const struct keymap *m, const char *hex)
{
	if (m->cap == 0)
		return 0;
	for (size_t i = slot_of(hex, m->cap);; i = (i + 1) & (m->cap - 1)) {
		if (m->key[i][0] == '\0')
			return 0;
		if (strcmp(m->key[i], hex) == 0)
			return m->id[i];
	}
}

static void
keymap_put(struct keymap *m, const char *hex, int64_t id)
{
	if (2 * (m->n + 1) > m->cap) {
		struct keymap big = { NULL, NULL, m->cap ? m->cap * 2 : 1024, 0 };
		big.key = xcalloc(big.cap, sizeof *big.key);
		big.id = xcalloc(big.cap, sizeof *big.id);
		for (size_t i = 0; i < m->cap; i++)
			if (m->key[i][0] != '\0')
				keymap_put(&big, m->key[i], m->id[i]);
		free(m->key);
		free(m->id);
		*m = big;
	}
	size_t i = slot_of(hex, m->cap);
	while (m->key[i][0] != '\0' && strcmp(m->key[i], hex) != 0)
		i = (i + 1) & (m->cap - 1);
	if (m->key[i][0] == '\0')
		m->n++;
	memcpy(m->key[i], hex, SHA256_HEX_LEN + 1);
	m->id[i] = id;
}

static void
keymap_free(struct keymap *m)
{
	free(m->key);
	free(m->id);
}

/* Columns: aug_id, annotator, answer, at, reason, note, lead_ms, then the retracted id. */
static void
decision_key(sqlite3_stmt *s, int col, const char *retracted, char hex[SHA256_HEX_LEN + 1])
{
	struct sha256 h;

	sha256_init(&h);
	for (int i = 0; i < 7; i++) {
		const unsigned char *v = sqlite3_column_text(s, col + i);
		sha256_update(&h, v ? (const char *)v : "\x01", v ? strlen((const char *)v) : 1);
		sha256_update(&h, "", 1);
	}
	sha256_update(&h, retracted ? retracted : "-", retracted ? strlen(retracted) : 1);
	sha256_final_hex(&h, hex);
}

/* Keys every decision of schema `db` ("main" or "src") in id order; by_key (when
 * not NULL) maps the keys to ids. */
static int
key_all(struct store *st, const char *db, struct keymap *by_key,
    char (**keys)[SHA256_HEX_LEN + 1], int64_t **ids, size_t *n, char **cause)
{
	char *sql = sqlite3_mprintf("SELECT d.id, c.aug_id, d.annotator, d.answer, d.at,"
	    " d.reason, d.note, d.lead_ms, d.retracts, d.candidate FROM %s.decisions d"
	    " JOIN %s.candidates c ON c.id = d.candidate ORDER BY d.id", db, db);
	sqlite3_stmt *s;
	size_t len = 0, cap = 0;
	int rc;

	rc = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL);
	sqlite3_free(sql);
	if (rc != SQLITE_OK)
		return db_fail(st, "merging decisions", cause);
	*keys = NULL;
	*ids = NULL;
	while (sqlite3_step(s) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(s, 0), r = sqlite3_column_int64(s, 8);
		const char *retracted = NULL;
		if (len == cap) {
			cap = cap ? cap * 2 : 1024;
			*keys = xreallocarray(*keys, cap, sizeof **keys);
			*ids = xreallocarray(*ids, cap, sizeof **ids);
		}
		/* Ids ascend and a retraction comes after what it retracts: bisect. */
		if (r > 0) {
			size_t lo = 0, hi = len;
			while (lo < hi) {
				size_t mid = (lo + hi) / 2;
				if ((*ids)[mid] < r)
					lo = mid + 1;
				else
					hi = mid;
			}
			if (lo < len && (*ids)[lo] == r)
				retracted = (*keys)[lo];
		}
		decision_key(s, 1, retracted, (*keys)[len]);
		(*ids)[len] = id;
		if (by_key != NULL)
			keymap_put(by_key, (*keys)[len], id);
		len++;
	}
	sqlite3_finalize(s);
	*n = len;
	return 0;
}

static int
merge_decisions(struct store *st, struct store_merge_result *res, char **cause)
{
	struct keymap have = { NULL, NULL, 0, 0 };
	char (*mk)[SHA256_HEX_LEN + 1] = NULL, (*sk)[SHA256_HEX_LEN + 1] = NULL;
	int64_t *mid = NULL, *sid = NULL;
	size_t mn = 0, sn = 0;
	sqlite3_stmt *s = NULL, *ins = NULL;
	int rc = -1;

	if (key_all(st, "main", &have, &mk, &mid, &mn, cause) != 0 ||
	    key_all(st, "src", NULL, &sk, &sid, &sn, cause) != 0)
		goto out;
	if (sqlite3_prepare_v2(st->db, "SELECT d.id, m.id, d.annotator, d.answer, d.reason,"
	    " d.note, d.lead_ms, d.at, d.retracts FROM src.decisions d"
	    " JOIN src.candidates c ON c.id = d.candidate"
	    " JOIN main.candidates m ON m.aug_id = c.aug_id ORDER BY d.id", -1, &s, NULL) !=
	    SQLITE_OK ||
	    sqlite3_prepare_v2(st->db, "INSERT INTO main.decisions (candidate, annotator, answer,"
	    " retracts, reason, note, lead_ms, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", -1, &ins,
	    NULL) != SQLITE_OK) {
		db_fail(st, "merging decisions", cause);
		goto out;
	}
	for (size_t i = 0; sqlite3_step(s) == SQLITE_ROW; i++) {
		int64_t retracts = 0;
		/* Both walks are in src id order, so row i is sk[i]. */
		if (keymap_get(&have, sk[i]) != 0)
			continue;
		if (sqlite3_column_type(s, 8) != SQLITE_NULL) {
			int64_t r = sqlite3_column_int64(s, 8);
			size_t lo = 0, hi = i;
			while (lo < hi) {
				size_t m = (lo + hi) / 2;
				if (sid[m] < r)
					lo = m + 1;
				else
					hi = m;
			}
			if (lo < i && sid[lo] == r)
				retracts = keymap_get(&have, sk[lo]);
			if (retracts == 0) {
				cause_set(cause, "merging: a retraction names an unknown decision");
				goto out;
			}
		}
		sqlite3_reset(ins);
		sqlite3_clear_bindings(ins);
		sqlite3_bind_int64(ins, 1, sqlite3_column_int64(s, 1));
		sqlite3_bind_value(ins, 2, sqlite3_column_value(s, 2));
		sqlite3_bind_value(ins, 3, sqlite3_column_value(s, 3));
		if (retracts > 0)
			sqlite3_bind_int64(ins, 4, retracts);
		sqlite3_bind_value(ins, 5, sqlite3_column_value(s, 4));
		sqlite3_bind_value(ins, 6, sqlite3_column_value(s, 5));
		sqlite3_bind_value(ins, 7, sqlite3_column_value(s, 6));
		sqlite3_bind_value(ins, 8, sqlite3_column_value(s, 7));
		if (sqlite3_step(ins) != SQLITE_DONE) {
			db_fail(st, "merging a decision", cause);
			goto out;
		}
		keymap_put(&have, sk[i], sqlite3_last_insert_rowid(st->db));
		res->decisions++;
	}
	rc = 0;
out:
	sqlite3_finalize(s);
	sqlite3_finalize(ins);
	keymap_free(&have);
	free(mk);
	free(mid);
	free(sk);
	free(sid);
	return rc;
}

int
store_merge(struct store *st, const char *src, int flags, struct store_merge_result *res,
    char **cause)
{
	struct store *other;
	struct stat a, b;
	sqlite3_stmt *s;
	int rc = -1;

	memset(res, 0, sizeof *res);
	if (stat(src, &a) == 0 && stat(st->path, &b) == 0 && a.st_dev == b.st_dev &&
	    a.st_ino == b.st_ino)
		return cause_set(cause, "%s: is the destination itself", src);
	/* Opening it brings it to this schema, so the columns below exist. */
	if ((other = store_open(src, 0, cause)) == NULL)
		return -1;
	store_close(other);
	if (sqlite3_prepare_v2(st->db, "ATTACH DATABASE ? AS src", -1, &s, NULL) != SQLITE_OK)
		return db_fail(st, "attaching", cause);
	db_bind_text(s, 1, src);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return db_fail(st, "attaching", cause);
	rc = -1;
	if (validate_source(st, src, flags, cause) != 0 || copy_objects(st, src, res, cause) != 0 ||
	    store_begin(st, cause) != 0)
		goto detach;
	if (merge_rows(st, res, cause) != 0 || merge_decisions(st, res, cause) != 0) {
		store_rollback(st);
		goto detach;
	}
	rc = store_commit(st, cause);
detach:
	/* Statements on src must be finalised before it can be detached. */
	for (int i = 0; i < STMT_COUNT; i++) {
		sqlite3_finalize(st->stmt[i]);
		st->stmt[i] = NULL;
	}
	sqlite3_exec(st->db, "DETACH DATABASE src", NULL, NULL, NULL);
	return rc;
}
