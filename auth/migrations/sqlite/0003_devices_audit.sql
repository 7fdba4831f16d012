-- Devices, account state and the audit log.

-- Disabled accounts cannot sign in, and their sessions and token families are ended.
ALTER TABLE users ADD COLUMN disabled_at INTEGER;  -- unix ms; NULL while enabled

-- Which sessions belong to whom. The session store is a key-value store keyed by id; this
-- index lets a user (or an admin) list and end a user's sessions.
CREATE TABLE session_index (
    id          TEXT    PRIMARY KEY,               -- the session id (the store's key)
    fingerprint TEXT    NOT NULL,                  -- short hash shown in the UI instead of the id
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at  INTEGER NOT NULL,                  -- unix ms
    user_agent  TEXT,
    ip          TEXT
);
CREATE INDEX session_index_user ON session_index(user_id);

-- Who did what, when, how. Credentials appear only as short fingerprints; never a password.
CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    at         INTEGER NOT NULL,                   -- unix ms
    event      TEXT    NOT NULL,
    user_id    INTEGER,
    email      TEXT,
    mode       TEXT,
    ip         TEXT,
    user_agent TEXT,
    detail     TEXT
);
CREATE INDEX audit_log_at ON audit_log(at);
CREATE INDEX audit_log_user ON audit_log(user_id);
