/* SPDX-License-Identifier: MIT */
/*
 * The store: everything mmda keeps about a project. core/ declares it, db/
 * implements it on SQLite, and nothing outside db/ sees SQL. Every function
 * returns 0 on success and -1 with *cause set (caller frees) on failure
 * unless its comment says otherwise; strings returned in structs are owned by
 * the struct and freed by its *_free function.
 */
#ifndef MMDA_STORE_H
#define MMDA_STORE_H

#include <stddef.h>
#include <stdint.h>

struct store;

/* Decision answers (contract names: accept, reject, skip). */
enum answer {
	ANSWER_ACCEPT = 0,
	ANSWER_REJECT,
	ANSWER_SKIP,
	ANSWER_COUNT
};
/* Name of an answer; static string. */
const char *answer_name(enum answer a);
/* Parses "accept", "reject" or "skip"; returns -1 for anything else. */
int answer_parse(const char *s, enum answer *out);

#define STORE_CREATE 0x1   /* create the database when it does not exist */
#define STORE_READONLY 0x2 /* open without write access (no migration) */

/*
 * Opens the database at path and brings its schema up to date (a second open
 * is a no-op). Returns NULL with *cause when the file cannot be opened, is not
 * an mmda database, or is newer than this program.
 */
struct store *store_open(const char *path, int flags, char **cause);
/* Closes and frees; NULL is allowed. */
void store_close(struct store *st);
/* The schema version this program writes. */
int store_schema_latest(void);
/* The database's schema version (PRAGMA user_version). */
int store_schema_version(struct store *st);
/* Runs PRAGMA integrity_check and foreign_key_check; -1 with the first problem in *cause. */
int store_check(struct store *st, char **cause);
/* Folder of the content-addressed object store ("<db>.objects"); borrowed. */
const char *store_objects_dir(const struct store *st);

/* A write transaction (BEGIN IMMEDIATE, waiting out other writers up to the busy timeout). */
int store_begin(struct store *st, char **cause);
int store_commit(struct store *st, char **cause);
/* Rolls back an open transaction; harmless when none is open. */
void store_rollback(struct store *st);

/* Id of a dataset root (an absolute folder), created when new. */
int store_root_id(struct store *st, const char *abs_path, int64_t *id, char **cause);

/* Id of a source (a manifest, shard or folder) under a root, recorded with its
 * format and the time of this import; created when new. */
int store_source_id(struct store *st, int64_t root_id, const char *path, const char *format,
    int64_t *id, char **cause);

/* An original pair as imported. Strings are borrowed for the call. */
struct store_original {
	int64_t root_id;
	const char *image_path; /* relative to the root; NULL when object is set */
	const char *object;     /* hex sha256 of an image kept in the object store, or NULL */
	const char *text;
	const char *src_key;    /* the key in the source */
	int key_is_id;          /* src_key is an explicit id: another pair under it is an error */
	int64_t source_id;      /* from store_source_id, or 0 */
	const char *meta;       /* extra JSON, or NULL */
	int width, height;      /* 0 when unknown */
	const char *content;    /* hex sha256 of the image bytes when known, or NULL */
	char aug_id[65];
};

/*
 * Adds an original. Returns 1 when added; 0 when the same pair is stored
 * already: the same object, or the same file (root and path), with the same
 * text, found by aug_id or under the same explicit key (nothing is added but
 * this record's source and key, kept beside the others); 2 when a candidate
 * with this aug_id exists whose image is elsewhere (another root, another
 * object), so only their contents can tell: the caller decides and names
 * the record anew (nothing written). *id is set for 0, 1 and 2; -1 with
 * *cause on failure, including an explicit key already used by a different
 * pair under the same root ("duplicate id").
 */
int store_add_original(struct store *st, const struct store_original *o, int64_t *id,
    char **cause);

/*
 * What decides whether an existing original is the same pair as a new one:
 * where its image is and, once somebody computed it, the hash of its bytes.
 * Strings are owned; free with original_image_free.
 */
struct original_image {
	int64_t root_id;   /* 0 for an object-store image */
	char *image_path;  /* relative to its root, or NULL */
	char *object;      /* object hash, or NULL */
	char *content;     /* sha256 of the image bytes, NULL until computed */
	char *root;        /* the absolute root of image_path, or NULL (its file is not
	                      opened here: a re-import meets every pair and must stay cheap) */
	char *text;
};
/* Loads what original id's identity rests on; -1 with *cause when it is not an original. */
int store_original_image(struct store *st, int64_t id, struct original_image *out,
    char **cause);
void original_image_free(struct original_image *o);
/* Records the content hash of original id's image, so no later import reads it again. */
int store_original_set_content(struct store *st, int64_t id, const char *hex, char **cause);
/*
 * Keeps another source's naming of original id beside the first one's: its
 * key, source and extra fields (o->src_key, o->source_id, o->key_is_id,
 * o->meta; the rest of o is ignored). Returns 1 when recorded, 0 when the
 * candidate already carries this source and key (nothing written), -1 with
 * *cause on failure.
 */
int store_original_add_source(struct store *st, int64_t id, const struct store_original *o,
    char **cause);
/* One source that names a candidate; strings owned by the array (sources_free). */
struct candidate_source {
	char *key;    /* the key in that source, or NULL */
	char *source; /* the manifest's path, or NULL */
	char *format; /* the import format of the source ("coco", "llava", ...), or NULL */
	char *meta;   /* that source's extra JSON, or NULL */
	int key_is_id; /* the key is the source's own id, not one made up by the reader */
};
/* Every source of candidate id, the first import's first; caller frees with
 * sources_free (*n may be 0 for a derived candidate). */
int store_candidate_sources(struct store *st, int64_t id, struct candidate_source **out,
    size_t *n, char **cause);
void sources_free(struct candidate_source *s, size_t n);

/* A derived candidate, made by an operator from one or two parents. Strings are
 * borrowed for the call. */
struct store_derived {
	int64_t parents[2];
	int nparents;
	const char *op;
	int op_version;
	const char *params;  /* canonical JSON object */
	int has_seed;
	int64_t seed;
	const char *backend, *model, *prompt, *response_id; /* NULL for built-in ops */
	const char *object;  /* hex of its image in the object store (already written), or */
	int64_t root_id;     /* ... when object is NULL, the parent's image is kept by */
	const char *image_path; /* reference: its root and path (caption-only ops) */
	const char *text;
	const char *meta;    /* extra JSON, or NULL */
	int width, height;
	int64_t job_id;      /* 0 when not part of a job */
	char aug_id[65];
};

/*
 * Adds a derived candidate and its lineage in the caller's transaction (or its
 * own when none is open). Returns 1 when added, 0 when its aug_id exists
 * already (nothing written), both with *id set; -1 with *cause on failure.
 */
int store_add_derived(struct store *st, const struct store_derived *d, int64_t *id,
    char **cause);
/* 1 when a candidate with this aug_id exists (its id in *id), 0 when not, -1 on failure. */
int store_augid_exists(struct store *st, const char *aug_id, int64_t *id, char **cause);
/* The ids of all originals in id order; caller frees *ids. */
int store_originals(struct store *st, int64_t **ids, size_t *n, char **cause);

/*
 * Batch jobs. store_job_start finds the job with the same spec (kind + spec
 * text) and marks it running again, or records a new one; a job killed
 * half-way is resumed by starting the same spec. Progress and the end state
 * are recorded as the batch goes.
 */
int store_job_start(struct store *st, const char *kind, const char *spec, int64_t total,
    int64_t *id, char **cause);
int store_job_progress(struct store *st, int64_t id, int64_t done, int64_t failed, char **cause);
/* state: "done", "failed" or "cancelled". */
int store_job_finish(struct store *st, int64_t id, const char *state, char **cause);

/* Every candidate's id and caption, in id order; caller frees each text and both arrays. */
int store_texts(struct store *st, int64_t **ids, char ***texts, size_t *n, char **cause);
/* Every candidate id in id order; caller frees *ids. */
int store_candidate_ids(struct store *st, int64_t **ids, size_t *n, char **cause);
/*
 * Every candidate's op, in id order, compactly: (*ids)[i] is of op
 * (*names)[(*op_of)[i]]; the names are distinct, in order of first use. The
 * caller frees *ids, *op_of, each name and *names.
 */
int store_candidate_ops(struct store *st, int64_t **ids, int **op_of, size_t *n, char ***names,
    size_t *nnames, char **cause);
/* Frees what store_candidate_ops returned (any of it may be NULL). */
void candidate_ops_free(int64_t *ids, int *op_of, char **names, size_t nnames);

/*
 * Scores. A score is (candidate, metric, value) with the hash of the inputs
 * it was computed from, so a re-run recomputes only what changed.
 * store_score_hash returns 1 and fills hex when a score exists, 0 when not.
 */
int store_score_hash(struct store *st, int64_t candidate, const char *metric,
    char hex[65], char **cause);
/* Inserts or replaces a score (in the caller's transaction, if one is open). */
int store_score_put(struct store *st, int64_t candidate, const char *metric, double value,
    const char *input_hash, char **cause);
/* The same for a score that came from a model (a CLIP backend): the model's name is kept
 * beside the value; one value per metric, so another model's value is replaced. */
int store_score_put_model(struct store *st, int64_t candidate, const char *metric,
    const char *model, double value, const char *input_hash, char **cause);
struct score {
	char *metric;
	double value;
	char *model; /* the model behind a model-backed score, else NULL */
};
/* The scores of one candidate, by metric name; caller frees with scores_free. */
int store_scores_of(struct store *st, int64_t candidate, struct score **out, size_t *n,
    char **cause);
void scores_free(struct score *s, size_t n);
/* The model a model-backed metric's scores came from: 1 with *model (caller frees), 0 when
 * its scores name none (a built-in metric), -1 on failure. */
int store_metric_model(struct store *st, const char *metric, char **model, char **cause);
/* The names of the metrics that have scores, sorted; caller frees each and the array. */
int store_scored_metrics(struct store *st, char ***names, size_t *n, char **cause);
/*
 * The k scores of metric nearest to cutoff on one side (below: value < cutoff,
 * nearest first; else value >= cutoff, nearest first) among the candidates
 * want(arg, id) accepts, ties in id order. It walks the scores_metric index out
 * from the cutoff, so a moved cutoff costs the rows it passes, not every score of
 * the metric. Fills ids[] and values[] (room for k) and returns how many it found,
 * or -1 with *cause.
 */
int store_metric_near(struct store *st, const char *metric, double cutoff, int below,
    int (*want)(void *arg, int64_t id), void *arg, int64_t *ids, double *values, int k,
    char **cause);
/* All values of one metric with their candidates, in candidate order; caller frees both. */
int store_metric_values(struct store *st, const char *metric, int64_t **ids, double **values,
    size_t *n, char **cause);

/*
 * Labels for tuning: per candidate with a decision in force, the majority
 * of accept against reject across annotators (skips ignored; a tie is
 * undecided). labels[i] is 1 accept, 0 reject, -1 undecided. Caller frees.
 */
int store_labels(struct store *st, int64_t **ids, signed char **labels, size_t *n,
    char **cause);

/* Perceptual hashes of a candidate's image; input_hash names the image they came from. */
struct image_hashes {
	uint64_t ahash, dhash, phash;
	char input_hash[65];
};
/* 1 with *h filled when stored, 0 when not, -1 on failure. */
int store_hashes_get(struct store *st, int64_t candidate, struct image_hashes *h, char **cause);
int store_hashes_put(struct store *st, int64_t candidate, const struct image_hashes *h,
    char **cause);
/* Every stored pHash with its candidate, in candidate order; caller frees both. */
int store_phashes(struct store *st, int64_t **ids, uint64_t **phash, size_t *n, char **cause);

/*
 * A threshold on a metric: keep candidates with min <= value <= max, among
 * the candidates its scope names. scope is "" for the metric's default
 * scope (the ops it means something for: struct metric_scope), "*" for
 * every candidate, or a comma-separated list of op names; a metric may have
 * several thresholds, one per scope.
 */
struct threshold {
	char *metric;
	char *scope; /* never NULL from the store; NULL on input means "" */
	int has_min, has_max;
	double min, max;
	int enabled;
	int removed; /* history only: this change removed the threshold */
	char *changed_by;
	int64_t changed_at;
};
/*
 * Per metric, the ops a threshold of scope "" applies to (comma-separated),
 * and whether it compares with a parent (then never to originals, whatever
 * the scope). An array ended by a NULL metric, from the metric table
 * (metric_default_scopes); a threshold on a metric it does not name applies
 * to every candidate.
 */
struct metric_scope {
	const char *metric;
	const char *ops;
	int parent;
};
/* Sets (or replaces) the threshold of (metric, scope) and appends it to the history,
 * in one transaction. */
int store_threshold_set(struct store *st, const struct threshold *t, char **cause);
/* Removes the threshold of (metric, scope), recording who in the history: 1 when
 * there was one, 0 when not, -1 with *cause. */
int store_threshold_remove(struct store *st, const char *metric, const char *scope,
    const char *who, char **cause);
/* Current thresholds by metric, then scope (history when metric is non-NULL: that
 * metric's changes in every scope, oldest first). Caller frees with thresholds_free. */
int store_thresholds(struct store *st, const char *history_of, struct threshold **out,
    size_t *n, char **cause);
void thresholds_free(struct threshold *t, size_t n);
/*
 * Counts candidates that pass every enabled threshold that applies to them
 * (scope: defaults gives the default scopes) and fills *passing; with ids
 * non-NULL also returns them (caller frees). A candidate with no score for
 * a thresholded metric that applies to it does not pass.
 */
int store_passing(struct store *st, const struct metric_scope *defaults, int64_t *passing,
    int64_t **ids, char **cause);

/* Which candidates an export takes. */
enum select_mode {
	SELECT_GOLD,     /* accepted by the consensus rule */
	SELECT_ACCEPTED, /* accepted by at least one annotator */
	SELECT_PASSING,  /* inside every enabled threshold, no human needed */
	SELECT_ALL,
};
struct select_opts {
	enum select_mode mode;
	/* GOLD: "majority" (more accepts than rejects; skips ignored), "all" (someone
	 * accepted and nobody rejected), "any" (someone accepted), or an annotator's
	 * name (that annotator accepted). */
	const char *consensus;
	int fill_passing;  /* GOLD: also undecided candidates that pass the thresholds */
	const struct metric_scope *defaults; /* as for store_passing */
};
/*
 * Streams the selection in id order: fn(arg, id, auto_selected) for each
 * candidate (auto_selected: taken by --fill passing, not by a person); a
 * non-zero return stops the walk and is returned. -1 with *cause on failure.
 */
int store_select(struct store *st, const struct select_opts *o,
    int (*fn)(void *arg, int64_t id, int auto_selected), void *arg, char **cause);
/* Names of the select modes ("gold", ...) and parsing (-1 for an unknown name). */
const char *select_mode_name(enum select_mode m);
int select_mode_parse(const char *s, enum select_mode *out);

/* What a merge brought in. */
struct store_merge_result {
	int64_t candidates; /* new candidates (keyed by aug_id) */
	int64_t existing;   /* candidates both databases had */
	int64_t decisions;  /* decisions and retractions not seen before */
	int64_t objects;    /* object files copied */
};
/*
 * Folds the candidates (with lineage and images) and decisions of the
 * database at src into st, keyed by aug_id; decisions remember the database
 * they were first made in, so merging twice, or merging back, adds nothing.
 * Scores are not merged (mmda score recomputes them); thresholds stay st's.
 * src is upgraded to the current schema first. All in one transaction.
 * Every source row that names a file is checked first (object hashes, image
 * paths relative to their root); a source root st does not have is refused
 * unless flags has STORE_MERGE_TRUST_ROOTS. Returns 0, or -1 with *cause
 * naming the source and the row (nothing is merged then).
 */
#define STORE_MERGE_TRUST_ROOTS 1
int store_merge(struct store *st, const char *src, int flags, struct store_merge_result *res,
    char **cause);

/*
 * Hands out work: the next candidate (review order) that annotator has not
 * decided and that fewer than `overlap` annotators have decided or hold a
 * live lease on, leased to annotator for lease_seconds. A live lease the
 * annotator already holds on an undecided candidate is returned first, then
 * the rest in review order (see store_queue).
 * Returns 1 with *id, 0 when nothing is left, -1 on failure.
 */
int store_lease_next(struct store *st, const char *annotator, int overlap, int lease_seconds,
    int64_t *id, char **cause);
/* The same over a queue's order (store_queue; q->annotator is set to annotator). */
struct queue_spec;
int store_lease_next_in(struct store *st, const struct queue_spec *q, const char *annotator,
    int overlap, int lease_seconds, int64_t *id, char **cause);

/*
 * Review queues: the candidates `mmda review` goes through, in review order
 * (a derived candidate with its siblings, grouped under their first parent
 * in the parent's id order; originals after every derived one). DEFAULT is
 * every candidate; ORIGINALS only originals (id order); UNDECIDED what
 * annotator has no decision in force on; CONFLICTS what annotators accepted
 * and rejected; OP the candidates of op; UNCERTAIN what annotator has not
 * decided, the ones the filter is least sure about first (see
 * QUEUE_RANDOM_SHARE). store_queue returns 0 with *ids (caller frees; *n
 * may be 0), or -1 with *cause.
 */
enum queue_kind {
	QUEUE_DEFAULT,
	QUEUE_ORIGINALS,
	QUEUE_UNDECIDED,
	QUEUE_CONFLICTS,
	QUEUE_OP,
	QUEUE_UNCERTAIN,
	QUEUE_AUDIT,     /* the audit sample (mmda audit), in the order it was drawn */
};
/*
 * The uncertain queue's order: by |learned_accept - 0.5| when the learned
 * filter has scored the candidate, else by the distance of its nearest score
 * to an enabled threshold's cutoff over that metric's range (thresholds that
 * apply to the candidate's op only); candidates with
 * neither come last. One position in QUEUE_RANDOM_SHARE is a uniformly drawn
 * undecided candidate instead (seeded by the queue's seed), so what gets
 * reviewed still estimates the whole set without bias.
 */
#define QUEUE_RANDOM_SHARE 5
struct queue_spec {
	enum queue_kind kind;
	const char *op;        /* QUEUE_OP */
	const char *annotator; /* QUEUE_UNDECIDED, QUEUE_UNCERTAIN */
	uint64_t seed;         /* QUEUE_UNCERTAIN's random share */
	const struct metric_scope *defaults; /* QUEUE_UNCERTAIN: as for store_passing */
};
int store_queue(struct store *st, const struct queue_spec *q, int64_t **ids, size_t *n,
    char **cause);
/* The candidates annotator has a decision in force on, in id order: 0 with *ids
 * (caller frees), or -1 with *cause. */
int store_decided_ids(struct store *st, const char *annotator, int64_t **ids, size_t *n,
    char **cause);

/* A candidate whose annotators disagree (some accepted, some rejected). */
struct conflict {
	int64_t id;
	char aug_id[65];
	char *op;
	struct decision *d; /* the decisions in force */
	size_t nd;
};
/* Every conflict in id order; caller frees with conflicts_free. */
int store_conflicts(struct store *st, struct conflict **out, size_t *n, char **cause);
void conflicts_free(struct conflict *c, size_t n);

/*
 * How many annotators have a decision in force, counting no further than most:
 * 0 with *n, or -1 with *cause. (A decision no retraction names leaves its
 * annotator one in force on that candidate, so no walk of the log is needed.)
 */
int store_annotators_in_force(struct store *st, int most, int *n, char **cause);
/*
 * Streams the decisions in force, ordered by candidate then annotator:
 * fn(arg, candidate, op, annotator, answer). Used for agreement statistics.
 */
int store_decisions_walk(struct store *st,
    void (*fn)(void *arg, int64_t candidate, const char *op, const char *annotator,
    enum answer a), void *arg, char **cause);

/* The first candidate (id order) annotator has no decision in force on:
 * 1 with *id, 0 when every one is decided, -1 on failure. */
int store_first_undecided(struct store *st, const char *annotator, int64_t *id, char **cause);
/* The candidates whose caption contains needle, ignoring ASCII case, in id order:
 * 0 with *ids (caller frees; *n may be 0), or -1 with *cause. */
int store_search(struct store *st, const char *needle, int64_t **ids, size_t *n, char **cause);
/* An annotator's pace: log entries and the unix times of the first and last. */
int store_annotator_pace(struct store *st, const char *annotator, int64_t *count,
    int64_t *first, int64_t *last, char **cause);
/* One annotator's decisions in force, per answer (cheap: for a title bar). */
int store_annotator_counts(struct store *st, const char *annotator,
    int64_t out[ANSWER_COUNT], char **cause);

/* A project setting kept in the database (e.g. ALIA's domain descriptions): 1 with *value
 * (caller frees) when set, 0 when not, -1 on failure. Keys starting "mmda." are reserved. */
int store_setting_get(struct store *st, const char *key, char **value, char **cause);
/* Sets (or replaces) a setting in its own transaction, or the caller's. */
int store_setting_put(struct store *st, const char *key, const char *value, char **cause);

/* Records an object file already written to the object store. */
int store_add_object(struct store *st, const char *hex, const char *format, int width,
    int height, int64_t bytes, char **cause);

/* A candidate as stored. */
struct candidate {
	int64_t id;
	char aug_id[65];
	char *op;
	int op_version;
	char *params;      /* canonical JSON object */
	int has_seed;
	int64_t seed;
	char *backend, *model, *prompt; /* NULL unless model-backed */
	char *response_id; /* the model reply's id, or NULL */
	int64_t root_id;   /* 0 when the image is in the object store */
	char *root;        /* absolute dataset root of the image, else NULL */
	char *image_path;  /* relative to root, else NULL */
	char *object;      /* hex of an object-store image, else NULL */
	char *text;
	char *src_key, *source, *meta; /* NULL when absent; source is the manifest's path */
	int width, height; /* 0 when unknown */
	int64_t created_at;
	int nparents;
	int64_t parents[2];
};
/* Frees the strings of c and zeroes it. */
void candidate_free(struct candidate *c);
/* Loads candidate id; -1 with "no candidate N" when it does not exist. */
int store_candidate_get(struct store *st, int64_t id, struct candidate *c, char **cause);
/*
 * Resolves what a user typed: a numeric id, an aug_id or a unique prefix of
 * one (at least 6 hex digits), or an original's source key. -1 with a cause
 * that says "no candidate" or "ambiguous" (naming the matches).
 */
int store_candidate_find(struct store *st, const char *spec, int64_t *id, char **cause);
/*
 * Absolute path of a candidate's image (the real path of root + path, or the
 * object file); caller frees. NULL when the candidate has no image, when its
 * path resolves outside its root (a symlink out) or its object name is not a
 * hash: then *cause says which.
 */
char *store_candidate_image_checked(const struct store *st, const struct candidate *c,
    char **cause);
/* The same without the reason (for screens that show a placeholder). */
char *store_candidate_image(const struct store *st, const struct candidate *c);
/*
 * store_candidate_image_checked that also opens the image it checked: *fd is
 * a read descriptor of it (the caller closes it) and *size its size when it
 * is a regular file, else -1 (missing, not a regular file, unreadable).
 * Returns the path as _checked does (caller frees); NULL with *fd -1 likewise.
 */
char *store_candidate_image_open(const struct store *st, const struct candidate *c, int *fd,
    size_t *size, char **cause);


/* One decision from the log. */
struct decision {
	int64_t id;
	int64_t candidate;
	char *annotator;
	enum answer answer;
	char *reason, *note; /* NULL when absent */
	int64_t lead_ms;     /* -1 when unknown */
	int64_t at;          /* unix seconds */
};
void decision_free(struct decision *d);
void decisions_free(struct decision *d, size_t n);

/*
 * Appends a decision in its own transaction (several annotators may decide
 * at once from separate processes). reason, note may be NULL; lead_ms < 0
 * when unknown. Sets *decision_id when not NULL.
 */
int store_decide(struct store *st, int64_t candidate, const char *annotator, enum answer a,
    const char *reason, const char *note, int64_t lead_ms, int64_t *decision_id, char **cause);
/*
 * Undo: appends a retraction of annotator's latest decision that is still in
 * force. Returns 1 with *candidate set to the candidate it concerned, 0 when
 * there is nothing to undo, -1 on failure.
 */
int store_undo(struct store *st, const char *annotator, int64_t *candidate, char **cause);
/* The decisions in force for a candidate, one per annotator, oldest first;
 * caller frees with decisions_free. */
int store_decisions_current(struct store *st, int64_t candidate, struct decision **out,
    size_t *n, char **cause);

struct store_count {
	char *name;
	int64_t n;
};
struct store_annotator_stats {
	char *name;
	int64_t answers[ANSWER_COUNT];
	int64_t log_entries; /* decisions and retractions */
};
struct store_stats {
	int64_t images;     /* distinct original images */
	int64_t originals;  /* original pairs */
	int64_t candidates; /* all candidates, originals included */
	int64_t derived;    /* candidates made by an operator */
	struct store_count *by_op; /* candidates per op, by name */
	size_t nops;
	int64_t answers[ANSWER_COUNT]; /* decisions in force, per answer */
	int64_t decided;    /* candidates with at least one decision in force */
	int64_t undecided;
	int64_t log_entries;
	int64_t thresholds;  /* enabled thresholds */
	int64_t passing;     /* candidates passing all of them (all when there are none) */
	struct store_annotator_stats *by_annotator;
	size_t nannotators;
	int schema_version;
};
/* defaults: as for store_passing. */
int store_stats(struct store *st, const struct metric_scope *defaults, struct store_stats *out,
    char **cause);
void store_stats_free(struct store_stats *s);

#endif
