-- Users of both auth modes. Emails are stored normalised (trimmed, lower-cased) by `Email::parse`.
CREATE TABLE users (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    email         TEXT    NOT NULL UNIQUE,
    password_hash TEXT    NOT NULL,              -- PHC string, argon2id
    role          TEXT    NOT NULL DEFAULT 'user' CHECK (role IN ('user', 'admin')),
    created_at    INTEGER NOT NULL               -- unix seconds, UTC
);
