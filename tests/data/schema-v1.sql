-- An mmda database as schema version 1 left it (a frozen copy of migration 1),
-- for the upgrade test. Never edit: it stands for databases in the field.
CREATE TABLE meta (  key TEXT PRIMARY KEY,  value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE roots (  id INTEGER PRIMARY KEY,  path TEXT NOT NULL UNIQUE);
CREATE TABLE objects (  hash TEXT PRIMARY KEY,  format TEXT NOT NULL,  width INTEGER,  height INTEGER,  bytes INTEGER NOT NULL,  created_at INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE sources (  id INTEGER PRIMARY KEY,  root_id INTEGER NOT NULL REFERENCES roots(id),  path TEXT NOT NULL,  format TEXT NOT NULL,  imported_at INTEGER NOT NULL,  UNIQUE (root_id, path));
CREATE TABLE jobs (  id INTEGER PRIMARY KEY,  kind TEXT NOT NULL,  spec TEXT NOT NULL,  spec_hash TEXT NOT NULL,  state TEXT NOT NULL DEFAULT 'running'    CHECK (state IN ('running', 'done', 'failed', 'cancelled')),  total INTEGER NOT NULL DEFAULT 0,  done INTEGER NOT NULL DEFAULT 0,  failed INTEGER NOT NULL DEFAULT 0,  created_at INTEGER NOT NULL,  updated_at INTEGER NOT NULL);
CREATE INDEX jobs_spec ON jobs(spec_hash);
CREATE TABLE candidates (  id INTEGER PRIMARY KEY,  aug_id TEXT NOT NULL UNIQUE,  op TEXT NOT NULL,  op_version INTEGER NOT NULL DEFAULT 1,  params TEXT NOT NULL DEFAULT '{}',  seed INTEGER,  backend TEXT,  model TEXT,  prompt TEXT,  response_id TEXT,  root_id INTEGER REFERENCES roots(id),  image_path TEXT,  object TEXT REFERENCES objects(hash),  text TEXT NOT NULL,  src_key TEXT,  key_is_id INTEGER NOT NULL DEFAULT 0,  source_id INTEGER REFERENCES sources(id),  meta TEXT,  width INTEGER,  height INTEGER,  job_id INTEGER REFERENCES jobs(id),  created_at INTEGER NOT NULL,  CHECK (image_path IS NOT NULL OR object IS NOT NULL));
CREATE INDEX candidates_key ON candidates(src_key);
CREATE TABLE lineage (  child INTEGER NOT NULL REFERENCES candidates(id),  slot INTEGER NOT NULL,  parent INTEGER NOT NULL REFERENCES candidates(id),  PRIMARY KEY (child, slot)) WITHOUT ROWID;
CREATE INDEX lineage_parent ON lineage(parent);
CREATE TABLE decisions (  id INTEGER PRIMARY KEY,  candidate INTEGER NOT NULL REFERENCES candidates(id),  annotator TEXT NOT NULL,  answer TEXT NOT NULL    CHECK (answer IN ('accept', 'reject', 'skip', 'retract')),  retracts INTEGER REFERENCES decisions(id),  reason TEXT,  note TEXT,  lead_ms INTEGER,  at INTEGER NOT NULL,  CHECK ((answer = 'retract') = (retracts IS NOT NULL)));
CREATE INDEX decisions_candidate ON decisions(candidate, annotator);
CREATE TABLE scores (  candidate INTEGER NOT NULL REFERENCES candidates(id),  metric TEXT NOT NULL,  model TEXT NOT NULL DEFAULT '',  value REAL,  input_hash TEXT,  computed_at INTEGER NOT NULL,  PRIMARY KEY (candidate, metric, model)) WITHOUT ROWID;
CREATE INDEX scores_metric ON scores(metric, value);
CREATE TABLE thresholds (  metric TEXT PRIMARY KEY,  min REAL,  max REAL,  enabled INTEGER NOT NULL DEFAULT 1,  changed_by TEXT NOT NULL,  changed_at INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE threshold_history (  id INTEGER PRIMARY KEY,  metric TEXT NOT NULL,  min REAL,  max REAL,  enabled INTEGER NOT NULL,  changed_by TEXT NOT NULL,  changed_at INTEGER NOT NULL);
PRAGMA user_version = 1;
