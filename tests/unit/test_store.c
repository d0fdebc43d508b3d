/* SPDX-License-Identifier: MIT */
/*
 * Store tests on real SQLite files: schema creation and upgrade, refusal of
 * foreign and newer files, originals and their de-duplication, lookups, the
 * append-only decision log with undo, and stats. Every test ends with an
 * integrity check.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/base/augid.h"
#include "core/metrics/metrics.h"
#include "core/store.h"
#include "core/base/util.h"
#include "tests/harness.h"

static char tmpdir[256];

static char *
tmp_path(const char *name)
{
	char *p = xasprintf("%s/%s", tmpdir, name);
	unlink(p);
	return p;
}

static void
check_integrity(struct store *st)
{
	char *cause = NULL;
	CHECKF(store_check(st, &cause) == 0, "%s", cause ? cause : "");
	free(cause);
}

static int
raw_exec(const char *path, const char *sql, char **err)
{
	sqlite3 *db;
	int rc;

	if (sqlite3_open(path, &db) != SQLITE_OK)
		return -1;
	rc = sqlite3_exec(db, sql, NULL, NULL, err);
	sqlite3_close(db);
	return rc == SQLITE_OK ? 0 : -1;
}

static int64_t
add(struct store *st, int64_t root, const char *img, const char *text, const char *key,
    int key_is_id, int *added, char **cause)
{
	struct store_original o;
	int64_t id = 0;

	memset(&o, 0, sizeof o);
	o.root_id = root;
	o.image_path = img;
	o.text = text;
	o.src_key = key;
	o.key_is_id = key_is_id;
	augid_original(img, text, o.aug_id);
	*added = store_add_original(st, &o, &id, cause);
	return id;
}

static int
count_taken(void *arg, int64_t id, int auto_selected)
{
	(void)id;
	(void)auto_selected;
	++*(int64_t *)arg;
	return 0;
}

static void
create_and_reopen(void)
{
	char *path = tmp_path("new.db"), *cause = NULL;
	struct store *st = store_open(path, STORE_CREATE, &cause);
	int added;

	CHECKF(st != NULL, "%s", cause ? cause : "");
	if (st == NULL)
		return;
	CHECK(store_schema_version(st) == store_schema_latest());
	CHECK(store_schema_latest() >= 2);
	int64_t root;
	CHECK(store_root_id(st, "/data", &root, &cause) == 0);
	CHECK(store_begin(st, &cause) == 0);
	add(st, root, "a.jpg", "a cat", "k1", 1, &added, &cause);
	CHECK(added == 1);
	CHECK(store_commit(st, &cause) == 0);
	check_integrity(st);
	store_close(st);

	/* A second open is a no-op: same version, same rows. */
	st = store_open(path, 0, &cause);
	CHECK(st != NULL);
	if (st != NULL) {
		struct store_stats s;
		CHECK(store_schema_version(st) == store_schema_latest());
		CHECK(store_stats(st, NULL, &s, &cause) == 0);
		CHECK(s.candidates == 1 && s.originals == 1 && s.images == 1);
		store_stats_free(&s);
		check_integrity(st);
		store_close(st);
	}
	/* Without STORE_CREATE a missing file is an error, not a new database. */
	char *missing = tmp_path("missing.db");
	CHECK(store_open(missing, 0, &cause) == NULL);
	CHECK(cause != NULL && strstr(cause, "missing.db") != NULL);
	CHECK(access(missing, F_OK) != 0);
	free(cause);
	free(missing);
	free(path);
}

static void
upgrade_from_v1(void)
{
	char *path = tmp_path("v1.db"), *cause = NULL, *sql = NULL, *err = NULL;
	size_t len;

	CHECK(file_read_all("tests/data/schema-v1.sql", 1 << 20, &sql, &len, &cause) == 0);
	if (sql == NULL)
		return;
	CHECK(raw_exec(path, sql, &err) == 0);
	CHECK(raw_exec(path,
	    "INSERT INTO roots VALUES (1, '/old');"
	    "INSERT INTO candidates (id, aug_id, op, root_id, image_path, text, created_at)"
	    "  VALUES (1, 'abc', 'original', 1, 'x.jpg', 'old text', 0);"
	    "INSERT INTO decisions (candidate, annotator, answer, at) VALUES (1, 'ann', 'accept', 0);"
	    "UPDATE decisions SET answer = 'reject';", /* allowed in v1 */
	    &err) == 0);
	free(sql);

	struct store *st = store_open(path, 0, &cause);
	CHECKF(st != NULL, "%s", cause ? cause : "");
	if (st == NULL)
		return;
	CHECK(store_schema_version(st) == store_schema_latest());
	struct candidate c;
	CHECK(store_candidate_get(st, 1, &c, &cause) == 0);
	CHECK_STR(c.text, "old text");
	candidate_free(&c);
	check_integrity(st);
	store_close(st);
	/* Version 2 made the decision log append-only. */
	CHECK(raw_exec(path, "UPDATE decisions SET answer = 'skip'", &err) == -1);
	CHECK(err != NULL && strstr(err, "append-only") != NULL);
	sqlite3_free(err);
	err = NULL;
	CHECK(raw_exec(path, "DELETE FROM decisions", &err) == -1);
	sqlite3_free(err);
	/* Opening again changes nothing. */
	st = store_open(path, 0, &cause);
	CHECK(st != NULL && store_schema_version(st) == store_schema_latest());
	store_close(st);
	free(path);
}

/*
 * Thresholds before schema 5 had no scope and checked every candidate: a
 * min-SSIM threshold failed correct flips, a text_dup one every image op
 * (they keep their parent's caption). An old database is built here, its
 * thresholds keep their bounds and take the metric's default scope, and a
 * metric can then hold one threshold per scope.
 */
static void
scoped_thresholds_upgrade(void)
{
	char *path = tmp_path("v1-thresholds.db"), *cause = NULL, *sql = NULL, *err = NULL;
	size_t len, n = 0;

	CHECK(file_read_all("tests/data/schema-v1.sql", 1 << 20, &sql, &len, &cause) == 0);
	if (sql == NULL)
		return;
	CHECK(raw_exec(path, sql, &err) == 0);
	free(sql);
	CHECK(raw_exec(path,
	    "INSERT INTO roots VALUES (1, '/old');"
	    "INSERT INTO candidates (id, aug_id, op, root_id, image_path, text, created_at) VALUES"
	    "  (1, 'a1', 'original', 1, 'x.jpg', 'a cat on the left', 0),"
	    "  (2, 'a2', 'hflip', 1, 'x.jpg', 'a cat on the right', 0),"
	    "  (3, 'a3', 'noise', 1, 'x.jpg', 'a cat on the left', 0),"
	    "  (4, 'a4', 'synonym', 1, 'x.jpg', 'a cat on the left', 0);"
	    "INSERT INTO lineage VALUES (2, 0, 1), (3, 0, 1), (4, 0, 1);"
	    "INSERT INTO scores (candidate, metric, value, computed_at) VALUES"
	    "  (2, 'ssim', 0.04, 0), (3, 'ssim', 0.95, 0), (4, 'ssim', 1.0, 0),"
	    "  (1, 'text_dup', 0, 0), (2, 'text_dup', 0, 0), (3, 'text_dup', 1, 0),"
	    "  (4, 'text_dup', 1, 0);"
	    "INSERT INTO thresholds VALUES ('ssim', 0.5, NULL, 1, 'ann', 0),"
	    "  ('text_dup', NULL, 0, 1, 'ann', 0);",
	    &err) == 0);
	struct store *st = store_open(path, 0, &cause);
	CHECKF(st != NULL, "%s", cause ? cause : "");
	if (st == NULL)
		return;
	CHECK(store_schema_version(st) == store_schema_latest());
	struct threshold *t = NULL;
	CHECK(store_thresholds(st, NULL, &t, &n, &cause) == 0 && n == 2);
	CHECK(n == 2 && strcmp(t[0].metric, "ssim") == 0 && strcmp(t[0].scope, "") == 0 &&
	    t[0].has_min && t[0].min == 0.5 && !t[0].has_max);
	/* The flip is not judged by SSIM; the noise is, and keeps its duplicate caption;
	 * the synonym's duplicate caption fails it (text_dup is a caption measure). */
	int64_t passing = 0, *ids = NULL;
	CHECK(store_passing(st, metric_default_scopes(), &passing, &ids, &cause) == 0);
	CHECK(passing == 3 && ids[0] == 1 && ids[1] == 2 && ids[2] == 3);
	free(ids);
	/* The same verdict where screens compute it. */
	char ssim[] = "ssim", dup[] = "text_dup", noise[] = "noise", bob[] = "bob";
	struct score flip[] = { { ssim, 0.04, NULL }, { dup, 0, NULL } };
	struct score syn[] = { { ssim, 1.0, NULL }, { dup, 1, NULL } };
	CHECK(metric_passes(t, n, flip, 2, "hflip", NULL, 0, NULL) == 1);
	CHECK(metric_passes(t, n, syn, 2, "synonym", NULL, 0, NULL) == 0);
	CHECK(metric_check(&t[0], flip, 2, "hflip", &(double){ 0 }) == METRIC_SKIPPED);
	thresholds_free(t, n);

	/* A second SSIM threshold for noise alone: both hold. */
	struct threshold strict = { ssim, noise, 1, 0, 0.99, 0, 1, 0, bob, 0 };
	CHECK(store_threshold_set(st, &strict, &cause) == 0);
	CHECK(store_thresholds(st, NULL, &t, &n, &cause) == 0 && n == 3);
	thresholds_free(t, n);
	CHECK(store_passing(st, metric_default_scopes(), &passing, NULL, &cause) == 0 &&
	    passing == 2);
	struct select_opts o = { SELECT_PASSING, NULL, 0, metric_default_scopes() };
	int64_t taken = 0;
	CHECK(store_select(st, &o, count_taken, &taken, &cause) == 0 && taken == 2);
	CHECK(store_threshold_remove(st, "ssim", "noise", "bob", &cause) == 1);
	CHECK(store_threshold_remove(st, "ssim", "noise", "bob", &cause) == 0);
	CHECK(store_passing(st, metric_default_scopes(), &passing, NULL, &cause) == 0 &&
	    passing == 3);
	CHECK(store_thresholds(st, "ssim", &t, &n, &cause) == 0 && n == 2);
	CHECK(n == 2 && strcmp(t[0].scope, "noise") == 0 && !t[0].removed && t[1].removed);
	thresholds_free(t, n);
	/* Every candidate, yet an original has no parent to compare with. */
	char all[] = "*";
	struct threshold every = { ssim, all, 1, 0, 0.99, 0, 1, 0, bob, 0 };
	CHECK(store_threshold_set(st, &every, &cause) == 0);
	CHECK(store_passing(st, metric_default_scopes(), &passing, &ids, &cause) == 0);
	CHECK(passing == 1 && ids[0] == 1); /* 4 has its duplicate caption */
	free(ids);
	CHECK(metric_in_scope(&every, "original") == 0 && metric_in_scope(&every, "hflip") == 1);
	check_integrity(st);
	store_close(st);
	free(path);
}

static void
refuses_foreign_files(void)
{
	char *path = tmp_path("foreign.db"), *cause = NULL, *err = NULL;
	FILE *f;

	CHECK(raw_exec(path, "CREATE TABLE accounts (id INTEGER)", &err) == 0);
	CHECK(store_open(path, STORE_CREATE, &cause) == NULL);
	CHECK(cause != NULL && strstr(cause, "not an mmda database") != NULL);
	free(cause);
	cause = NULL;
	free(path);

	path = tmp_path("text.db");
	f = fopen(path, "w");
	fputs("this is not a database, just some text that is long enough......\n", f);
	fclose(f);
	CHECK(store_open(path, 0, &cause) == NULL);
	CHECK(cause != NULL && strstr(cause, "not an SQLite database") != NULL);
	free(cause);
	cause = NULL;
	free(path);

	path = tmp_path("future.db");
	struct store *st = store_open(path, STORE_CREATE, &cause);
	store_close(st);
	CHECK(raw_exec(path, "PRAGMA user_version = 99", &err) == 0);
	CHECK(store_open(path, 0, &cause) == NULL);
	CHECK(cause != NULL && strstr(cause, "newer") != NULL);
	free(cause);
	free(path);
}

static void
originals_and_lookup(void)
{
	char *path = tmp_path("orig.db"), *cause = NULL;
	struct store *st = store_open(path, STORE_CREATE, &cause);
	int64_t root, root2, id1, id2, id3, id;
	int added;

	if (st == NULL)
		return;
	CHECK(store_root_id(st, "/data", &root, &cause) == 0);
	CHECK(store_root_id(st, "/data", &id, &cause) == 0 && id == root);
	CHECK(store_root_id(st, "/other", &root2, &cause) == 0 && root2 != root);
	id1 = add(st, root, "a.jpg", "a cat", "cat-1", 1, &added, &cause);
	CHECK(added == 1);
	id2 = add(st, root, "a.jpg", "a cat", "cat-1", 1, &added, &cause);
	CHECK(added == 0 && id2 == id1); /* same content: nothing new */
	add(st, root, "b.jpg", "a dog", "cat-1", 1, &added, &cause);
	CHECK(added == -1 && cause != NULL && strstr(cause, "duplicate id") != NULL);
	free(cause);
	cause = NULL;
	/* The same explicit id under another root is another dataset's. */
	id3 = add(st, root2, "b.jpg", "a dog", "cat-1", 1, &added, &cause);
	CHECK(added == 1 && id3 != id1);
	/* Made-up keys may repeat. */
	add(st, root, "c.jpg", "one", "c.jpg", 0, &added, &cause);
	CHECK(added == 1);
	add(st, root, "c.jpg", "two", "c.jpg", 0, &added, &cause);
	CHECK(added == 1);
	/* The same path and text under another root may be another picture: the store
	 * says so (2) and writes nothing, for the importer to compare contents. */
	id = add(st, root2, "a.jpg", "a cat", "other-1", 1, &added, &cause);
	CHECK(added == 2 && id == id1);
	size_t nsrc;
	struct candidate_source *src;
	CHECK(store_candidate_sources(st, id1, &src, &nsrc, &cause) == 0 && nsrc == 1);
	sources_free(src, nsrc);

	struct candidate c;
	CHECK(store_candidate_get(st, id1, &c, &cause) == 0);
	CHECK_STR(c.op, "original");
	CHECK_STR(c.root, "/data");
	CHECK_STR(c.image_path, "a.jpg");
	char *img = store_candidate_image(st, &c);
	CHECK_STR(img, "/data/a.jpg");
	free(img);

	CHECK(store_candidate_find(st, "1", &id, &cause) == 0 && id == id1);
	char prefix[9];
	memcpy(prefix, c.aug_id, 8);
	prefix[8] = '\0';
	CHECK(store_candidate_find(st, prefix, &id, &cause) == 0 && id == id1);
	CHECK(store_candidate_find(st, c.aug_id, &id, &cause) == 0 && id == id1);
	candidate_free(&c);
	CHECK(store_candidate_find(st, "cat-1", &id, &cause) == -1);
	CHECK(cause != NULL && strstr(cause, "ambiguous") != NULL);
	free(cause);
	cause = NULL;
	CHECK(store_candidate_find(st, "nope", &id, &cause) == -1);
	CHECK(cause != NULL && strstr(cause, "no candidate") != NULL);
	free(cause);
	cause = NULL;
	CHECK(store_candidate_find(st, "999", &id, &cause) == -1);
	free(cause);
	cause = NULL;
	CHECK(store_candidate_get(st, 999, &c, &cause) == -1);
	free(cause);
	cause = NULL;

	/* A derived row already there (another process's) is not "added" a second time. */
	struct store_derived d;
	int64_t did1 = 0, did2 = 0;
	memset(&d, 0, sizeof d);
	memset(d.aug_id, 'd', 64);
	d.nparents = 1;
	d.parents[0] = id1;
	d.op = "hflip";
	d.op_version = 1;
	d.params = "{}";
	d.text = "a cat, mirrored";
	d.root_id = root;
	d.image_path = "a.jpg";
	CHECK(store_add_derived(st, &d, &did1, &cause) == 1);
	CHECK(store_add_derived(st, &d, &did2, &cause) == 0 && did2 == did1);
	check_integrity(st);
	store_close(st);
	free(path);
}

static void
decisions_and_undo(void)
{
	char *path = tmp_path("dec.db"), *cause = NULL;
	struct store *st = store_open(path, STORE_CREATE, &cause);
	struct decision *d;
	size_t n;
	int64_t root, a, b, cand, did;
	int added;

	if (st == NULL)
		return;
	CHECK(store_root_id(st, "/data", &root, &cause) == 0);
	a = add(st, root, "a.jpg", "a", "a", 1, &added, &cause);
	b = add(st, root, "b.jpg", "b", "b", 1, &added, &cause);

	CHECK(store_decide(st, a, "ann", ANSWER_ACCEPT, NULL, "fine", 1200, &did, &cause) == 0);
	CHECK(store_decide(st, a, "ann", ANSWER_REJECT, "artifact", NULL, -1, NULL, &cause) == 0);
	CHECK(store_decide(st, a, "bob", ANSWER_SKIP, NULL, NULL, -1, NULL, &cause) == 0);
	CHECK(store_decide(st, b, "ann", ANSWER_ACCEPT, NULL, NULL, -1, NULL, &cause) == 0);
	CHECK(store_decide(st, 999, "ann", ANSWER_ACCEPT, NULL, NULL, -1, NULL, &cause) == -1);
	free(cause);
	cause = NULL;

	CHECK(store_decisions_current(st, a, &d, &n, &cause) == 0);
	CHECK(n == 2);
	if (n == 2) {
		CHECK_STR(d[0].annotator, "ann");
		CHECK(d[0].answer == ANSWER_REJECT);
		CHECK_STR(d[0].reason, "artifact");
		CHECK_STR(d[1].annotator, "bob");
	}
	decisions_free(d, n);

	/* Undo walks back ann's decisions newest first, across candidates. */
	CHECK(store_undo(st, "ann", &cand, &cause) == 1 && cand == b);
	CHECK(store_undo(st, "ann", &cand, &cause) == 1 && cand == a);
	CHECK(store_decisions_current(st, a, &d, &n, &cause) == 0);
	CHECK(n == 2 && d[0].answer == ANSWER_ACCEPT && d[0].lead_ms == 1200);
	CHECK(n == 2 && d[0].note != NULL && strcmp(d[0].note, "fine") == 0);
	decisions_free(d, n);
	CHECK(store_undo(st, "ann", &cand, &cause) == 1 && cand == a);
	CHECK(store_undo(st, "ann", &cand, &cause) == 0); /* nothing left */
	CHECK(store_decisions_current(st, b, &d, &n, &cause) == 0 && n == 0);
	decisions_free(d, n);

	struct store_stats s;
	CHECK(store_stats(st, NULL, &s, &cause) == 0);
	CHECK(s.answers[ANSWER_SKIP] == 1 && s.answers[ANSWER_ACCEPT] == 0);
	CHECK(s.decided == 1 && s.undecided == 1);
	CHECK(s.log_entries == 7); /* 4 decisions + 3 retractions: nothing rewritten */
	CHECK(s.nannotators == 2);
	store_stats_free(&s);
	check_integrity(st);
	store_close(st);
	free(path);
}

static void
answers(void)
{
	enum answer a;
	CHECK(answer_parse("accept", &a) == 0 && a == ANSWER_ACCEPT);
	CHECK(answer_parse("reject", &a) == 0 && a == ANSWER_REJECT);
	CHECK(answer_parse("skip", &a) == 0 && a == ANSWER_SKIP);
	CHECK(answer_parse("retract", &a) == -1);
	CHECK(answer_parse("Accept", &a) == -1);
	CHECK_STR(answer_name(ANSWER_REJECT), "reject");
}

int
main(void)
{
	h_suite = "store";
	snprintf(tmpdir, sizeof tmpdir, "%s/mmda-store.XXXXXX",
	    getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(tmpdir) == NULL)
		return 1;
	RUN(create_and_reopen);
	RUN(upgrade_from_v1);
	RUN(scoped_thresholds_upgrade);
	RUN(refuses_foreign_files);
	RUN(originals_and_lookup);
	RUN(decisions_and_undo);
	RUN(answers);
	char *cmd = xasprintf("rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tmpdir);
	free(cmd);
	HARNESS_END();
}
