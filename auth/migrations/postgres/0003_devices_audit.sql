-- PostgreSQL twin of ../sqlite/0003_devices_audit.sql.

ALTER TABLE users ADD COLUMN disabled_at BIGINT;  -- unix ms; NULL while enabled

CREATE TABLE session_index (
    id          TEXT    PRIMARY KEY,
    fingerprint TEXT    NOT NULL,
    user_id     BIGINT  NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at  BIGINT  NOT NULL,                  -- unix ms
    user_agent  TEXT,
    ip          TEXT
);
CREATE INDEX session_index_user ON session_index(user_id);

CREATE TABLE audit_log (
    id         BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at         BIGINT  NOT NULL,                   -- unix ms
    event      TEXT    NOT NULL,
    user_id    BIGINT,
    email      TEXT,
    mode       TEXT,
    ip         TEXT,
    user_agent TEXT,
    detail     TEXT
);
CREATE INDEX audit_log_at ON audit_log(at);
CREATE INDEX audit_log_user ON audit_log(user_id);
