-- Failed sign-ins, per throttling key (`account:EMAIL`, `ip:ADDRESS`). In the database, not in
-- memory, so that every node behind a load balancer counts the same failures (C10).
CREATE TABLE login_failures (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    throttle_key TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX login_failures_key ON login_failures (throttle_key, at);
CREATE INDEX login_failures_at ON login_failures (at);
