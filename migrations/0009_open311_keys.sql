-- Open311 API keys, issued to integrators (a hotline, a city app) per jurisdiction: a key lifts the
-- anonymous report limit to its own. Owned by internal/auth. Only the SHA-256 of a key is kept, as for
-- api_token; a key is revoked by setting revoked_at, never deleted, so the audit log keeps its meaning.
CREATE TABLE open311_key (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name          text   NOT NULL CHECK (name <> '' AND length(name) <= 100),
    jurisdiction  text   NOT NULL CHECK (jurisdiction ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$'),
    key_hash      bytea  NOT NULL UNIQUE CHECK (octet_length(key_hash) = 32),
    per_minute    integer NOT NULL CHECK (per_minute BETWEEN 1 AND 100000),
    created_at    timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz NOT NULL,
    revoked_at    timestamptz,
    CONSTRAINT open311_key_expires_after_creation CHECK (expires_at > created_at)
);

-- The address a reporter gave (Open311 address_string), beside the point it was routed by. Owned by
-- internal/incidents.
ALTER TABLE incident ADD COLUMN address text NOT NULL DEFAULT '' CHECK (length(address) <= 500);
