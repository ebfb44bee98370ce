-- Accounts, browser sessions and API tokens. Only SHA-256 hashes of session and API tokens are stored,
-- so a copy of the database does not let anyone sign in; passwords are argon2id (PHC strings).

-- A person who signs in. Street chiefs, lane chiefs and department liaisons are linked to the person
-- whose current assignments give them their scope; losing the person (SET NULL) leaves them no scope.
CREATE TABLE app_user (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    username      text   NOT NULL UNIQUE CHECK (username ~ '^[a-z0-9][a-z0-9._-]{1,62}$'),
    person_id     bigint REFERENCES person (id) ON DELETE SET NULL,
    role          text   NOT NULL CHECK (role IN ('admin', 'district_leader', 'street_chief', 'lane_chief',
                      'department_liaison', 'inspector', 'assessor')),
    password_hash text   NOT NULL CHECK (password_hash LIKE '$argon2id$%'),
    disabled      boolean NOT NULL DEFAULT false,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    password_changed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX app_user_person ON app_user (person_id) WHERE person_id IS NOT NULL;

-- A signed-in browser. The cookie carries the token; the row keeps its hash and the CSRF token the
-- dashboard must echo on every unsafe request.
CREATE TABLE user_session (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    token_hash  bytea  NOT NULL UNIQUE CHECK (octet_length(token_hash) = 32),
    user_id     bigint NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
    csrf_token  text   NOT NULL CHECK (csrf_token <> ''),
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    last_seen   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT user_session_expires_after_creation CHECK (expires_at > created_at)
);
CREATE INDEX user_session_user ON user_session (user_id);
CREATE INDEX user_session_expires ON user_session (expires_at);

-- A bearer token for scripts and integrations. Every token expires; revoked ones are kept for the record.
CREATE TABLE api_token (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id       bigint NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
    name          text   NOT NULL CHECK (name <> '' AND length(name) <= 100),
    token_hash    bytea  NOT NULL UNIQUE CHECK (octet_length(token_hash) = 32),
    created_at    timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz NOT NULL,
    revoked_at    timestamptz,
    last_used_at  timestamptz,
    CONSTRAINT api_token_expires_after_creation CHECK (expires_at > created_at)
);
CREATE INDEX api_token_user ON api_token (user_id, id);
