-- PostgreSQL twin of ../sqlite/0002_jwt.sql. `rowid` is spelled out here because SQLite has it
-- implicitly: the queries break ties between rows created in the same instant by it.

CREATE TABLE signing_keys (
    kid           TEXT    PRIMARY KEY,
    private_pkcs8 BYTEA   NOT NULL,
    public_key    BYTEA   NOT NULL,            -- 32 raw bytes
    created_at    BIGINT  NOT NULL,            -- unix seconds
    retired_at    BIGINT,                      -- unix seconds, NULL while current
    rowid         BIGINT  GENERATED ALWAYS AS IDENTITY
);

CREATE TABLE refresh_families (
    id             TEXT    PRIMARY KEY,
    user_id        BIGINT  NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at     BIGINT  NOT NULL,           -- unix ms
    last_used_at   BIGINT  NOT NULL,           -- unix ms
    revoked_at     BIGINT,                     -- unix ms
    revoked_reason TEXT,
    user_agent     TEXT,
    ip             TEXT
);
CREATE INDEX refresh_families_user ON refresh_families(user_id);

CREATE TABLE refresh_tokens (
    hash        BYTEA   PRIMARY KEY,
    family_id   TEXT    NOT NULL REFERENCES refresh_families(id) ON DELETE CASCADE,
    parent_hash BYTEA,
    created_at  BIGINT  NOT NULL,              -- unix ms
    used_at     BIGINT,                        -- unix ms; set when rotated
    rowid       BIGINT  GENERATED ALWAYS AS IDENTITY
);
CREATE INDEX refresh_tokens_family ON refresh_tokens(family_id);
