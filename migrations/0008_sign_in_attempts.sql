-- Sign-in throttling, owned by internal/auth. Failed sign-ins slow down whoever makes them without
-- locking the account's owner out: the counters below are working state, pruned after a day, while
-- every failed sign-in is also written to audit_log, which keeps the history.

-- Failures counted per key. A key is a (username, address) pair, or a username alone (address '':
-- failures from clients that never signed in to it), or an address alone (username '': failures over
-- all usernames). Usernames are counted as typed, whether or not they exist, so that the answers do
-- not reveal which accounts exist.
CREATE TABLE sign_in_failure (
    username  text        NOT NULL CHECK (length(username) <= 64),
    address   text        NOT NULL CHECK (length(address) <= 64),
    failures  integer     NOT NULL CHECK (failures >= 0),
    last_at   timestamptz NOT NULL,
    PRIMARY KEY (username, address),
    CONSTRAINT sign_in_failure_has_a_key CHECK (username <> '' OR address <> '')
);
CREATE INDEX sign_in_failure_last_at ON sign_in_failure (last_at);

-- Where an account has signed in successfully: an address, or a device cookie (its SHA-256). A known
-- client is spared the account-wide and address-wide ceilings, so an attacker elsewhere cannot keep
-- the owner out. Only the newest few per account are kept.
CREATE TABLE sign_in_known_client (
    user_id          bigint      NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
    client           text        NOT NULL CHECK (client ~ '^(address|device):.{1,70}$'),
    last_success_at  timestamptz NOT NULL,
    PRIMARY KEY (user_id, client)
);

ALTER TABLE audit_log DROP CONSTRAINT audit_log_action_check;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_action_check
    CHECK (action IN ('create', 'update', 'delete', 'end', 'transition', 'import', 'void', 'sign_in_failed'));
