/* SPDX-License-Identifier: MIT */
/*
 * The schema and its migrations, keyed on PRAGMA user_version. Each step is
 * applied in its own transaction, so an interrupted upgrade leaves the
 * database at the last complete version. Steps are never edited once
 * released: a change is a new step.
 */
#include <stdio.h>
#include <string.h>

#include "core/base/util.h"
#include "db/db.h"

static const char *const migrations[] = {
	/* 1: the data model of DESIGN section 2. */
	"CREATE TABLE meta ("
	"  key TEXT PRIMARY KEY,"
	"  value TEXT NOT NULL"
	") WITHOUT ROWID;"
	"CREATE TABLE roots ("
	"  id INTEGER PRIMARY KEY,"
	"  path TEXT NOT NULL UNIQUE"
	");"
	"CREATE TABLE objects ("
	"  hash TEXT PRIMARY KEY,"
	"  format TEXT NOT NULL,"
	"  width INTEGER,"
	"  height INTEGER,"
	"  bytes INTEGER NOT NULL,"
	"  created_at INTEGER NOT NULL"
	") WITHOUT ROWID;"
	"CREATE TABLE sources ("
	"  id INTEGER PRIMARY KEY,"
	"  root_id INTEGER NOT NULL REFERENCES roots(id),"
	"  path TEXT NOT NULL,"
	"  format TEXT NOT NULL,"
	"  imported_at INTEGER NOT NULL,"
	"  UNIQUE (root_id, path)"
	");"
	"CREATE TABLE jobs ("
	"  id INTEGER PRIMARY KEY,"
	"  kind TEXT NOT NULL,"
	"  spec TEXT NOT NULL,"
	"  spec_hash TEXT NOT NULL,"
	"  state TEXT NOT NULL DEFAULT 'running'"
	"    CHECK (state IN ('running', 'done', 'failed', 'cancelled')),"
	"  total INTEGER NOT NULL DEFAULT 0,"
	"  done INTEGER NOT NULL DEFAULT 0,"
	"  failed INTEGER NOT NULL DEFAULT 0,"
	"  created_at INTEGER NOT NULL,"
	"  updated_at INTEGER NOT NULL"
	");"
	"CREATE INDEX jobs_spec ON jobs(spec_hash);"
	"CREATE TABLE candidates ("
	"  id INTEGER PRIMARY KEY,"
	"  aug_id TEXT NOT NULL UNIQUE,"
	"  op TEXT NOT NULL,"
	"  op_version INTEGER NOT NULL DEFAULT 1,"
	"  params TEXT NOT NULL DEFAULT '{}',"
	"  seed INTEGER,"
	"  backend TEXT,"
	"  model TEXT,"
	"  prompt TEXT,"
	"  response_id TEXT,"
	"  root_id INTEGER REFERENCES roots(id),"
	"  image_path TEXT,"
	"  object TEXT REFERENCES objects(hash),"
	"  text TEXT NOT NULL,"
	"  src_key TEXT,"
	"  key_is_id INTEGER NOT NULL DEFAULT 0,"
	"  source_id INTEGER REFERENCES sources(id),"
	"  meta TEXT,"
	"  width INTEGER,"
	"  height INTEGER,"
	"  job_id INTEGER REFERENCES jobs(id),"
	"  created_at INTEGER NOT NULL,"
	"  CHECK (image_path IS NOT NULL OR object IS NOT NULL)"
	");"
	"CREATE INDEX candidates_key ON candidates(src_key);"
	"CREATE TABLE lineage ("
	"  child INTEGER NOT NULL REFERENCES candidates(id),"
	"  slot INTEGER NOT NULL,"
	"  parent INTEGER NOT NULL REFERENCES candidates(id),"
	"  PRIMARY KEY (child, slot)"
	") WITHOUT ROWID;"
	"CREATE INDEX lineage_parent ON lineage(parent);"
	"CREATE TABLE decisions ("
	"  id INTEGER PRIMARY KEY,"
	"  candidate INTEGER NOT NULL REFERENCES candidates(id),"
	"  annotator TEXT NOT NULL,"
	"  answer TEXT NOT NULL"
	"    CHECK (answer IN ('accept', 'reject', 'skip', 'retract')),"
	"  retracts INTEGER REFERENCES decisions(id),"
	"  reason TEXT,"
	"  note TEXT,"
	"  lead_ms INTEGER,"
	"  at INTEGER NOT NULL,"
	"  CHECK ((answer = 'retract') = (retracts IS NOT NULL))"
	");"
	"CREATE INDEX decisions_candidate ON decisions(candidate, annotator);"
	"CREATE TABLE scores ("
	"  candidate INTEGER NOT NULL REFERENCES candidates(id),"
	"  metric TEXT NOT NULL,"
	"  model TEXT NOT NULL DEFAULT '',"
	"  value REAL,"
	"  input_hash TEXT,"
	"  computed_at INTEGER NOT NULL,"
	"  PRIMARY KEY (candidate, metric, model)"
	") WITHOUT ROWID;"
	"CREATE INDEX scores_metric ON scores(metric, value);"
	"CREATE TABLE thresholds ("
	"  metric TEXT PRIMARY KEY,"
	"  min REAL,"
	"  max REAL,"
	"  enabled INTEGER NOT NULL DEFAULT 1,"
	"  changed_by TEXT NOT NULL,"
	"  changed_at INTEGER NOT NULL"
	") WITHOUT ROWID;"
	"CREATE TABLE threshold_history ("
	"  id INTEGER PRIMARY KEY,"
	"  metric TEXT NOT NULL,"
	"  min REAL,"
	"  max REAL,"
	"  enabled INTEGER NOT NULL,"
	"  changed_by TEXT NOT NULL,"
	"  changed_at INTEGER NOT NULL"
	");",

	/*
	 * 2: make the decision log append-only in the database itself, so no
	 * tool (ours or a user's sqlite3 shell) can rewrite history by
	 * accident; one retraction per decision; a fast path for undo.
	 */
	"CREATE TRIGGER decisions_no_update BEFORE UPDATE ON decisions"
	" BEGIN SELECT RAISE(ABORT, 'the decision log is append-only'); END;"
	"CREATE TRIGGER decisions_no_delete BEFORE DELETE ON decisions"
	" BEGIN SELECT RAISE(ABORT, 'the decision log is append-only'); END;"
	"CREATE UNIQUE INDEX decisions_retracts ON decisions(retracts)"
	"  WHERE retracts IS NOT NULL;"
	"CREATE INDEX decisions_annotator ON decisions(annotator, id);",

	/*
	 * 3: perceptual hashes per candidate image, kept as 64-bit integers (a
	 * score is a double and would lose bits), so distances to parents and
	 * near-duplicate groups need no second decode.
	 */
	"CREATE TABLE image_hashes ("
	"  candidate INTEGER PRIMARY KEY REFERENCES candidates(id),"
	"  ahash INTEGER NOT NULL,"
	"  dhash INTEGER NOT NULL,"
	"  phash INTEGER NOT NULL,"
	"  input_hash TEXT NOT NULL"
	");",

	/*
	 * 4: several annotators at once: leases hand out work so two people do
	 * not review the same candidate unless overlap asks for it.
	 */
	"CREATE TABLE leases ("
	"  candidate INTEGER NOT NULL REFERENCES candidates(id),"
	"  annotator TEXT NOT NULL,"
	"  expires_at INTEGER NOT NULL,"
	"  PRIMARY KEY (candidate, annotator)"
	") WITHOUT ROWID;"
	"CREATE INDEX leases_expiry ON leases(expires_at);",

	/*
	 * 5: an original is the same pair as another only when its image bytes
	 * and its text are: content caches the sha256 of the bytes, computed
	 * when an import meets a second pair with the same path and caption (an
	 * object's name is already that hash). original_sources keeps every
	 * further source that names a pair, with its key and extra fields.
	 */
	"ALTER TABLE candidates ADD COLUMN content TEXT;"
	"UPDATE candidates SET content = object WHERE op = 'original' AND object IS NOT NULL;"
	"CREATE TABLE original_sources ("
	"  candidate INTEGER NOT NULL REFERENCES candidates(id),"
	"  source_id INTEGER NOT NULL REFERENCES sources(id),"
	"  src_key TEXT NOT NULL,"
	"  key_is_id INTEGER NOT NULL DEFAULT 0,"
	"  meta TEXT,"
	"  added_at INTEGER NOT NULL,"
	"  PRIMARY KEY (candidate, source_id, src_key)"
	") WITHOUT ROWID;"
	"CREATE INDEX original_sources_key ON original_sources(src_key);",

	/*
	 * 6: thresholds with a scope: a metric may have one threshold per set
	 * of ops ('' is the metric's default scope, '*' every candidate). The
	 * thresholds set before had no scope: they take the default, which is
	 * what a threshold set without --ops means from now on. Removals are
	 * recorded in the history.
	 */
	"CREATE TABLE thresholds_scoped ("
	"  metric TEXT NOT NULL,"
	"  scope TEXT NOT NULL DEFAULT '',"
	"  min REAL,"
	"  max REAL,"
	"  enabled INTEGER NOT NULL DEFAULT 1,"
	"  changed_by TEXT NOT NULL,"
	"  changed_at INTEGER NOT NULL,"
	"  PRIMARY KEY (metric, scope)"
	") WITHOUT ROWID;"
	"INSERT INTO thresholds_scoped (metric, scope, min, max, enabled, changed_by, changed_at)"
	"  SELECT metric, '', min, max, enabled, changed_by, changed_at FROM thresholds;"
	"DROP TABLE thresholds;"
	"ALTER TABLE thresholds_scoped RENAME TO thresholds;"
	"ALTER TABLE threshold_history ADD COLUMN scope TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE threshold_history ADD COLUMN removed INTEGER NOT NULL DEFAULT 0;",
};

#define NMIGRATIONS ((int)(sizeof migrations / sizeof migrations[0]))

int
db_schema_latest(void)
{
	return NMIGRATIONS;
}

static int
user_version(struct store *st, int *v, char **cause)
{
	sqlite3_stmt *s;

	if (sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &s, NULL) != SQLITE_OK)
		return db_fail(st, "reading the schema version", cause);
	if (sqlite3_step(s) != SQLITE_ROW) {
		sqlite3_finalize(s);
		return db_fail(st, "reading the schema version", cause);
	}
	*v = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return 0;
}

/* A database that is neither empty nor ours must not be written to. */
static int
looks_foreign(struct store *st, int *foreign, char **cause)
{
	sqlite3_stmt *s;
	const char *sql = "SELECT count(*) FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%'"
			  " AND name NOT IN ('meta')";

	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
		return db_fail(st, "reading the schema", cause);
	*foreign = sqlite3_step(s) == SQLITE_ROW && sqlite3_column_int(s, 0) > 0;
	sqlite3_finalize(s);
	return 0;
}

int
db_migrate(struct store *st, char **cause)
{
	int v, foreign = 0;

	if (user_version(st, &v, cause) != 0)
		return -1;
	if (v > NMIGRATIONS)
		return cause_set(cause, "%s: schema version %d is newer than this mmda (%d)",
		    st->path, v, NMIGRATIONS);
	if (v == NMIGRATIONS)
		return 0;
	if (v == 0) {
		if (looks_foreign(st, &foreign, cause) != 0)
			return -1;
		if (foreign)
			return cause_set(cause, "%s: not an mmda database", st->path);
	}
	for (; v < NMIGRATIONS; v++) {
		char pragma[64];
		if (store_begin(st, cause) != 0)
			return -1;
		/* Another process may have migrated while we waited for the lock. */
		int now;
		if (user_version(st, &now, cause) != 0) {
			store_rollback(st);
			return -1;
		}
		if (now > v) {
			v = now - 1;
			store_rollback(st);
			continue;
		}
		snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d", v + 1);
		if (db_exec(st, migrations[v], cause) != 0 || db_exec(st, pragma, cause) != 0) {
			store_rollback(st);
			return -1;
		}
		if (v == 0 && db_exec(st, "INSERT OR IGNORE INTO meta VALUES ('created_by', 'mmda')",
		    cause) != 0) {
			store_rollback(st);
			return -1;
		}
		if (store_commit(st, cause) != 0)
			return -1;
	}
	return 0;
}
