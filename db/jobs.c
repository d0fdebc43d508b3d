/* SPDX-License-Identifier: MIT */
/* Batch jobs: one row per distinct spec, resumed when the same spec runs again. */
#include <stdlib.h>
#include <string.h>

#include "core/base/sha256.h"
#include "core/base/util.h"
#include "db/db.h"

int
store_job_start(struct store *st, const char *kind, const char *spec, int64_t total,
    int64_t *id, char **cause)
{
	char hex[SHA256_HEX_LEN + 1], *both = xasprintf("%s\n%s", kind, spec);
	sqlite3_stmt *s;
	int rc;

	sha256_hex(both, strlen(both), hex);
	free(both);
	if (sqlite3_prepare_v2(st->db,
	    "INSERT INTO jobs (kind, spec, spec_hash, state, total, created_at, updated_at)"
	    " SELECT ?1, ?2, ?3, 'running', ?4, ?5, ?5"
	    " WHERE NOT EXISTS (SELECT 1 FROM jobs WHERE spec_hash = ?3);"
	    , -1, &s, NULL) != SQLITE_OK)
		return db_fail(st, "recording a job", cause);
	db_bind_text(s, 1, kind);
	db_bind_text(s, 2, spec);
	db_bind_text(s, 3, hex);
	sqlite3_bind_int64(s, 4, total);
	sqlite3_bind_int64(s, 5, now_unix());
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return db_fail(st, "recording a job", cause);
	if (sqlite3_prepare_v2(st->db,
	    "UPDATE jobs SET state = 'running', total = ?2, updated_at = ?3"
	    " WHERE spec_hash = ?1 RETURNING id", -1, &s, NULL) != SQLITE_OK)
		return db_fail(st, "recording a job", cause);
	db_bind_text(s, 1, hex);
	sqlite3_bind_int64(s, 2, total);
	sqlite3_bind_int64(s, 3, now_unix());
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW)
		return db_fail(st, "recording a job", cause);
	return 0;
}

int
store_job_progress(struct store *st, int64_t id, int64_t done, int64_t failed, char **cause)
{
	sqlite3_stmt *s;
	int rc;

	if (sqlite3_prepare_v2(st->db,
	    "UPDATE jobs SET done = ?2, failed = ?3, updated_at = ?4 WHERE id = ?1", -1, &s,
	    NULL) != SQLITE_OK)
		return db_fail(st, "updating a job", cause);
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, done);
	sqlite3_bind_int64(s, 3, failed);
	sqlite3_bind_int64(s, 4, now_unix());
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : db_fail(st, "updating a job", cause);
}

int
store_job_finish(struct store *st, int64_t id, const char *state, char **cause)
{
	sqlite3_stmt *s;
	int rc;

	if (sqlite3_prepare_v2(st->db,
	    "UPDATE jobs SET state = ?2, updated_at = ?3 WHERE id = ?1", -1, &s, NULL) !=
	    SQLITE_OK)
		return db_fail(st, "finishing a job", cause);
	sqlite3_bind_int64(s, 1, id);
	db_bind_text(s, 2, state);
	sqlite3_bind_int64(s, 3, now_unix());
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : db_fail(st, "finishing a job", cause);
}
