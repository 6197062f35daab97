-- User management and e-mail: invitation and password-reset links, the e-mail outbox, and the
-- secret of each user's calendar feed.
-- Timestamps are UTC RFC 3339 text with microseconds, as everywhere.

-- One-time links: `purpose` is 'invite' (creates an account) or 'reset' (sets a new password).
-- Only the SHA-256 of the token is stored; the link itself goes out in the e-mail. The scope
-- columns have no foreign keys: an invitation must not block deleting a partner, unit or
-- contact; acceptance checks that they still exist.
CREATE TABLE invitations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    token_hash TEXT NOT NULL UNIQUE,
    purpose TEXT NOT NULL,
    email TEXT NOT NULL,
    role TEXT,
    institution_id INTEGER,
    person_id INTEGER,
    -- reset: the account; invite: the account created when the link was used.
    user_id INTEGER REFERENCES users (id),
    lang TEXT NOT NULL DEFAULT 'en',
    invited_by INTEGER REFERENCES users (id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT
);
CREATE INDEX invitations_email ON invitations (email, purpose);

CREATE TABLE invitation_units (
    invitation_id INTEGER NOT NULL REFERENCES invitations (id),
    org_unit_id INTEGER NOT NULL,
    PRIMARY KEY (invitation_id, org_unit_id)
);

-- E-mail waiting to be sent (or sent). `status` is 'queued', 'sent' or 'failed' (gave up);
-- a worker claims a due message by setting `locked_until` (a lease), so that several nodes never
-- send the same message at once.
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    to_addr TEXT NOT NULL,
    subject TEXT NOT NULL,
    body_text TEXT NOT NULL,
    lang TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'queued',
    created_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    sent_at TEXT,
    last_error TEXT,
    locked_until TEXT
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
CREATE INDEX outbox_created ON outbox (created_at);

-- The secret in a user's calendar feed URL (/calendar/{secret}.ics); NULL until created.
ALTER TABLE users ADD COLUMN ical_secret TEXT;
CREATE UNIQUE INDEX users_ical_secret ON users (ical_secret);
