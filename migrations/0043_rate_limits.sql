-- Request rate limits shared by every replica, owned by internal/ratelimit. Behind a load balancer
-- each replica sees a share of a client's requests; counting them here makes the limit the same
-- whichever replica answers (docs/scale.md, "Replicas").
--
-- Hits counted per scope (what is limited: "public_reports", "open311_key"), key (an address, an
-- api_key's id) and fixed window (its start, on the database's clock, so replicas whose clocks
-- differ still agree on the window). Working state, not history: windows are deleted a few minutes
-- after they close. UNLOGGED because a count lost in a crash or a failover only lets a client start
-- its minute again, and a counted request should not cost a WAL record.
CREATE UNLOGGED TABLE rate_limit_window (
    scope         text        NOT NULL CHECK (scope ~ '^[a-z0-9_]{1,40}$'),
    key           text        NOT NULL CHECK (char_length(key) BETWEEN 1 AND 200),
    window_start  timestamptz NOT NULL,
    hits          integer     NOT NULL CHECK (hits > 0),
    PRIMARY KEY (scope, key, window_start)
);
CREATE INDEX rate_limit_window_start ON rate_limit_window (window_start);
