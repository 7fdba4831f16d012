-- JWT mode: signing keys, refresh-token families and their tokens.

-- Ed25519 keys. The newest unretired key signs; retired keys still verify until every token they
-- signed has expired, then they are pruned.
CREATE TABLE signing_keys (
    kid           TEXT    PRIMARY KEY,
    private_pkcs8 BLOB    NOT NULL,
    public_key    BLOB    NOT NULL,            -- 32 raw bytes
    created_at    INTEGER NOT NULL,            -- unix seconds
    retired_at    INTEGER                      -- unix seconds, NULL while current
);

-- One family per login: every refresh token descends from the login's first one.
CREATE TABLE refresh_families (
    id             TEXT    PRIMARY KEY,        -- random, also the `fid` claim of access tokens
    user_id        INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at     INTEGER NOT NULL,           -- unix ms
    last_used_at   INTEGER NOT NULL,           -- unix ms
    revoked_at     INTEGER,                    -- unix ms
    revoked_reason TEXT,
    user_agent     TEXT,
    ip             TEXT
);
CREATE INDEX refresh_families_user ON refresh_families(user_id);

-- Only the SHA-256 of each refresh token is stored: a database leak yields no usable token.
CREATE TABLE refresh_tokens (
    hash        BLOB    PRIMARY KEY,
    family_id   TEXT    NOT NULL REFERENCES refresh_families(id) ON DELETE CASCADE,
    parent_hash BLOB,
    created_at  INTEGER NOT NULL,              -- unix ms
    used_at     INTEGER                        -- unix ms; set when rotated
);
CREATE INDEX refresh_tokens_family ON refresh_tokens(family_id);
