-- An mmda database as schema version 4 left it, on top of schema-v1.sql (load
-- that first): migrations 2-4 frozen, with one original imported from
-- @ROOT@/m.jsonl under its path-and-text aug_id and one decision, for the
-- content-identity upgrade test. Never edit: it stands for databases in the
-- field. The test puts the dataset root in for @ROOT@.
CREATE TRIGGER decisions_no_update BEFORE UPDATE ON decisions BEGIN SELECT RAISE(ABORT, 'the decision log is append-only'); END;
CREATE TRIGGER decisions_no_delete BEFORE DELETE ON decisions BEGIN SELECT RAISE(ABORT, 'the decision log is append-only'); END;
CREATE UNIQUE INDEX decisions_retracts ON decisions(retracts)  WHERE retracts IS NOT NULL;
CREATE INDEX decisions_annotator ON decisions(annotator, id);
CREATE TABLE image_hashes (  candidate INTEGER PRIMARY KEY REFERENCES candidates(id),  ahash INTEGER NOT NULL,  dhash INTEGER NOT NULL,  phash INTEGER NOT NULL,  input_hash TEXT NOT NULL);
CREATE TABLE leases (  candidate INTEGER NOT NULL REFERENCES candidates(id),  annotator TEXT NOT NULL,  expires_at INTEGER NOT NULL,  PRIMARY KEY (candidate, annotator)) WITHOUT ROWID;
CREATE INDEX leases_expiry ON leases(expires_at);
INSERT INTO meta VALUES ('created_by', 'mmda');
INSERT INTO roots VALUES (1, '@ROOT@');
INSERT INTO sources VALUES (1, 1, '@ROOT@/m.jsonl', 'jsonl', 1796410000);
INSERT INTO candidates (id, aug_id, op, op_version, params, root_id, image_path, text, src_key, key_is_id, source_id, created_at) VALUES (1, '04496910a34a3fc3d67a7b274b1ece0595cf5d5c55cf20b21028ec78c02a63ea', 'original', 1, '{}', 1, 'images/0001.png', 'A photo.', 'a1', 1, 1, 1796410000);
INSERT INTO decisions (candidate, annotator, answer, at) VALUES (1, 'ann', 'accept', 1796410001);
PRAGMA user_version = 4;
