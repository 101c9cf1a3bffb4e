-- lockstep store, schema version 1.
-- One file for both backends. `@AUTO_ID@` becomes an auto-incrementing primary key
-- (SQLite: INTEGER PRIMARY KEY AUTOINCREMENT; PostgreSQL: BIGSERIAL PRIMARY KEY). Times are
-- RFC 3339 UTC text; JSON is stored as text, so the audit hash covers exactly what is stored.

-- A case: one operation under review.
CREATE TABLE cases (
    id          TEXT PRIMARY KEY,
    kind        TEXT NOT NULL DEFAULT '',
    status      TEXT NOT NULL DEFAULT 'open',
    opened_at   TEXT NOT NULL,
    opened_by   TEXT NOT NULL,
    details     TEXT NOT NULL DEFAULT '{}'
);

-- The verdict on an account within a case ('' when the account belongs to no operation).
CREATE TABLE verdicts (
    account     TEXT NOT NULL,
    case_id     TEXT NOT NULL DEFAULT '',
    verdict     TEXT NOT NULL,
    score       DOUBLE PRECISION NOT NULL,
    reasons     TEXT NOT NULL DEFAULT '',
    plan_id     TEXT NOT NULL DEFAULT '',
    recorded_at TEXT NOT NULL,
    PRIMARY KEY (account, case_id)
);

-- Enforcement actions; `key` (SHA-256 of kind, subject and operation) makes them idempotent.
-- status: pending -> applied -> undo_pending -> undone (pending may go to undo_pending).
CREATE TABLE actions (
    key               TEXT PRIMARY KEY,
    kind              TEXT NOT NULL,
    subject           TEXT NOT NULL,
    operation         TEXT NOT NULL DEFAULT '',
    account           TEXT,
    reason            TEXT NOT NULL DEFAULT '',
    payload           TEXT NOT NULL DEFAULT '{}',
    plan_id           TEXT NOT NULL DEFAULT '',
    status            TEXT NOT NULL,
    recorded_at       TEXT NOT NULL,
    recorded_by       TEXT NOT NULL,
    applied_at        TEXT,
    undo_requested_at TEXT,
    undo_reason       TEXT,
    undone_at         TEXT
);
CREATE INDEX actions_account ON actions (account);
CREATE INDEX actions_operation ON actions (operation);
CREATE INDEX actions_status ON actions (status);

-- Appeals by account holders; a granted appeal undoes the actions on the account.
CREATE TABLE appeals (
    id              @AUTO_ID@,
    account         TEXT NOT NULL,
    status          TEXT NOT NULL,
    reason          TEXT NOT NULL,
    opened_by       TEXT NOT NULL,
    opened_at       TEXT NOT NULL,
    decided_by      TEXT,
    decided_at      TEXT,
    decision_reason TEXT
);
CREATE INDEX appeals_account ON appeals (account);

-- Banned vendors (operations) with the fingerprints to recognise them when they return.
CREATE TABLE bans (
    operation   TEXT PRIMARY KEY,
    kind        TEXT NOT NULL DEFAULT '',
    action_key  TEXT NOT NULL,
    devices     TEXT NOT NULL DEFAULT '[]',
    ip_ranges   TEXT NOT NULL DEFAULT '[]',
    app_ids     TEXT NOT NULL DEFAULT '[]',
    behaviour   TEXT NOT NULL DEFAULT '{}',
    banned_at   TEXT NOT NULL,
    banned_by   TEXT NOT NULL,
    lifted_at   TEXT
);

-- Append-only audit log; each entry's hash covers the previous entry's hash.
CREATE TABLE audit_log (
    seq         BIGINT PRIMARY KEY,
    time        TEXT NOT NULL,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    subject     TEXT NOT NULL,
    reason      TEXT NOT NULL,
    payload     TEXT NOT NULL,
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL
);
