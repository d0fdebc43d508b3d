/* SPDX-License-Identifier: MIT */
/*
 * Private to db/: the struct behind the store, its cache of prepared statements and
 * the helpers the files of db/ share. Nothing outside db/ includes this.
 */
#ifndef MMDA_DB_H
#define MMDA_DB_H

#include <sqlite3.h>

#include "core/store.h"

/* Statements kept prepared for the life of the store, one slot each. */
enum db_stmt {
	STMT_ROOT_GET,
	STMT_ROOT_ADD,
	STMT_ORIG_BY_AUGID,
	STMT_ORIG_BY_KEY,
	STMT_ORIG_ADD,
	STMT_SOURCE_ADD,
	STMT_DERIVED_ADD,
	STMT_LINEAGE_ADD,
	STMT_SCORE_HASH,
	STMT_SCORE_PUT,
	STMT_SCORE_DROP_OTHER,
	STMT_HASHES_GET,
	STMT_HASHES_PUT,
	STMT_OBJECT_ADD,
	STMT_DECIDE,
	STMT_COUNT
};

struct store {
	sqlite3 *db;
	char *path;
	char *objects;
	int in_tx;
	sqlite3_stmt *stmt[STMT_COUNT];
};

/* Returns the cached statement for slot, preparing sql the first time and
 * resetting it otherwise. NULL with *cause when sql does not compile. */
sqlite3_stmt *db_stmt(struct store *st, enum db_stmt slot, const char *sql, char **cause);
/* Sets *cause to "what: sqlite's message" and returns -1. */
int db_fail(struct store *st, const char *what, char **cause);
/* Runs SQL with no result rows; -1 with *cause on error. */
int db_exec(struct store *st, const char *sql, char **cause);
/* Binds a string or NULL. */
int db_bind_text(sqlite3_stmt *s, int i, const char *v);
/* Copies a column's text, or NULL when it is NULL. */
char *db_column_dup(sqlite3_stmt *s, int i);

/* Schema (db/schema.c): brings the database to the latest version. */
int db_migrate(struct store *st, char **cause);
int db_schema_latest(void);

#endif
