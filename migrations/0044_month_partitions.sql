-- The two tables that grow without end — every step of every case (incident_event, six to ten rows
-- a case) and every daily shop check (merchant_inspection, one row per shop per day) — partitioned by
-- the Beijing calendar month of `at`, the month the assessment counts them in (docs/scale.md,
-- "Partitions"). A query for one month reads one partition; a month past keeping can be detached
-- whole into a table of its own for archive (`streetchief partitions detach`), never deleted here.
--
-- The case record itself (incident) stays one table: fifteen tables refer to it by id, it is a tenth
-- of the events' size, and its reads are by id, area and status rather than by month.
--
-- A partitioned table's primary and unique keys must hold the partition key, so the keys become
-- (id, at) and the tables that point at an event or an inspection carry its `at` as well, filled by
-- a trigger from the row they point at, so their writers name only the id as before. The
-- inspections' idempotency key, unique per user across all months, moves to a table of its own.

-- month_partitions makes the monthly partitions of parent for first..last (months, inclusive) that
-- do not exist yet, named <parent>_YYYY_MM, bounded at Beijing midnight on the 1st. Returns how many
-- it made. The serve process calls it for the months ahead (internal/database.EnsurePartitions).
CREATE FUNCTION month_partitions(parent regclass, first_month date, last_month date) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    m     date := date_trunc('month', first_month)::date;
    made  integer := 0;
    child text;
BEGIN
    -- Replicas keep partitions ahead each on its own clock: one at a time.
    PERFORM pg_advisory_xact_lock(hashtext('month_partitions'));
    WHILE m <= last_month LOOP
        child := format('%s_%s', parent::text, to_char(m, 'YYYY_MM'));
        IF to_regclass(child) IS NULL THEN
            EXECUTE format('CREATE TABLE %I PARTITION OF %s FOR VALUES FROM (%L) TO (%L)', child, parent,
                m::timestamp AT TIME ZONE 'Asia/Shanghai', (m + interval '1 month')::timestamp AT TIME ZONE 'Asia/Shanghai');
            made := made + 1;
        END IF;
        m := (m + interval '1 month')::date;
    END LOOP;
    RETURN made;
END $$;
COMMENT ON FUNCTION month_partitions IS 'internal/database: creates the missing monthly partitions <parent>_YYYY_MM (Beijing months) for first..last';

-- month_partitions_ahead makes, for every table partitioned here by month, the partitions of this
-- Beijing month and the next `months`.
CREATE FUNCTION month_partitions_ahead(months integer) RETURNS integer
LANGUAGE sql AS $$
    SELECT COALESCE(sum(month_partitions(p.partrelid::regclass, date_trunc('month', now() AT TIME ZONE 'Asia/Shanghai')::date,
                        (date_trunc('month', now() AT TIME ZONE 'Asia/Shanghai') + months * interval '1 month')::date)), 0)::integer
      FROM pg_partitioned_table p
      JOIN pg_class c ON c.oid = p.partrelid
     WHERE p.partstrat = 'r' AND c.relnamespace = 'public'::regnamespace
$$;

-- first_partition_month: the earliest month a table's rows need, or a year back when it is empty.
CREATE FUNCTION first_partition_month(earliest timestamptz) RETURNS date
LANGUAGE sql IMMUTABLE AS $$
    SELECT date_trunc('month', COALESCE(earliest AT TIME ZONE 'Asia/Shanghai', '2026-01-01'::timestamp))::date
$$;

------------------------------------------------------------------------------------------------------
-- incident_event
ALTER TABLE incident_event RENAME TO incident_event_unpartitioned;
CREATE TABLE incident_event (LIKE incident_event_unpartitioned INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING IDENTITY)
    PARTITION BY RANGE (at);
-- Rows dated before the first month made (a backfill of old cases) land here rather than being refused.
CREATE TABLE incident_event_default PARTITION OF incident_event DEFAULT;
SELECT month_partitions('incident_event',
    LEAST(first_partition_month((SELECT min(at) FROM incident_event_unpartitioned)),
          date_trunc('month', now() AT TIME ZONE 'Asia/Shanghai')::date - 12 * interval '1 month')::date,
    (date_trunc('month', now() AT TIME ZONE 'Asia/Shanghai') + interval '3 months')::date);
INSERT INTO incident_event OVERRIDING SYSTEM VALUE SELECT * FROM incident_event_unpartitioned;

ALTER TABLE incident_photo_ref ADD COLUMN event_at timestamptz;
UPDATE incident_photo_ref r SET event_at = e.at FROM incident_event_unpartitioned e WHERE e.id = r.event_id;
ALTER TABLE incident_photo_ref DROP CONSTRAINT incident_photo_ref_event_id_fkey;
ALTER TABLE incident_joint_action ADD COLUMN event_at timestamptz;
UPDATE incident_joint_action a SET event_at = e.at FROM incident_event_unpartitioned e WHERE e.id = a.event_id;
ALTER TABLE incident_joint_action ALTER COLUMN event_at SET NOT NULL;
ALTER TABLE incident_joint_action DROP CONSTRAINT incident_joint_action_event_id_fkey;

DROP TABLE incident_event_unpartitioned;
ALTER SEQUENCE IF EXISTS incident_event_id_seq1 RENAME TO incident_event_id_seq;
SELECT setval(pg_get_serial_sequence('incident_event', 'id'), COALESCE((SELECT max(id) FROM incident_event), 0) + 1, false);

ALTER TABLE incident_event ADD CONSTRAINT incident_event_pkey PRIMARY KEY (id, at);
ALTER TABLE incident_event ADD CONSTRAINT incident_event_incident_id_fkey
    FOREIGN KEY (incident_id) REFERENCES incident (id) ON DELETE CASCADE;
ALTER TABLE incident_event ADD CONSTRAINT incident_event_user_id_fkey
    FOREIGN KEY (user_id) REFERENCES app_user (id) ON DELETE SET NULL;
ALTER TABLE incident_event ADD CONSTRAINT incident_event_assignee_person_id_fkey
    FOREIGN KEY (assignee_person_id) REFERENCES person (id) ON DELETE SET NULL;
CREATE INDEX incident_event_incident ON incident_event (incident_id, id);
CREATE INDEX incident_event_kpi ON incident_event (incident_id, at) INCLUDE (kind, from_status, to_status)
    WHERE to_status IN ('resolved', 'closed', 'reopened', 'rejected', 'duplicate') OR kind IN ('overdue', 'escalated');
CREATE TRIGGER incident_kpi_case_events AFTER INSERT ON incident_event
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION incident_kpi_case_events();

-- event_at follows event_id: writers name the event, the trigger finds its month.
CREATE FUNCTION fill_event_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.event_id IS NOT NULL AND NEW.event_at IS NULL THEN
        SELECT at INTO NEW.event_at FROM incident_event WHERE id = NEW.event_id;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER incident_photo_ref_event_at BEFORE INSERT OR UPDATE OF event_id ON incident_photo_ref
    FOR EACH ROW EXECUTE FUNCTION fill_event_at();
CREATE TRIGGER incident_joint_action_event_at BEFORE INSERT OR UPDATE OF event_id ON incident_joint_action
    FOR EACH ROW EXECUTE FUNCTION fill_event_at();
ALTER TABLE incident_photo_ref ADD CONSTRAINT incident_photo_ref_event_fkey
    FOREIGN KEY (event_id, event_at) REFERENCES incident_event (id, at) ON DELETE SET NULL;
ALTER TABLE incident_joint_action ADD CONSTRAINT incident_joint_action_event_fkey
    FOREIGN KEY (event_id, event_at) REFERENCES incident_event (id, at) ON DELETE CASCADE;

------------------------------------------------------------------------------------------------------
-- merchant_inspection
DROP VIEW merchant_check_standing;
ALTER TABLE merchant_inspection RENAME TO merchant_inspection_unpartitioned;
ALTER TABLE merchant_inspection_unpartitioned RENAME CONSTRAINT merchant_inspection_idempotent TO merchant_inspection_idempotent_old;
CREATE TABLE merchant_inspection (LIKE merchant_inspection_unpartitioned INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING IDENTITY)
    PARTITION BY RANGE (at);
CREATE TABLE merchant_inspection_default PARTITION OF merchant_inspection DEFAULT;
SELECT month_partitions('merchant_inspection',
    LEAST(first_partition_month((SELECT min(at) FROM merchant_inspection_unpartitioned)),
          date_trunc('month', now() AT TIME ZONE 'Asia/Shanghai')::date - 12 * interval '1 month')::date,
    (date_trunc('month', now() AT TIME ZONE 'Asia/Shanghai') + interval '3 months')::date);
INSERT INTO merchant_inspection OVERRIDING SYSTEM VALUE SELECT * FROM merchant_inspection_unpartitioned;

-- One idempotency key per user across every month: its own table, written with the inspection.
CREATE TABLE merchant_inspection_key (
    user_id          bigint NOT NULL,
    idempotency_key  text NOT NULL,
    inspection_id    bigint NOT NULL,
    inspection_at    timestamptz NOT NULL,
    CONSTRAINT merchant_inspection_idempotent PRIMARY KEY (user_id, idempotency_key)
);
COMMENT ON TABLE merchant_inspection_key IS 'internal/merchants: the idempotency key of each inspection sent with one, unique per user';
INSERT INTO merchant_inspection_key
    SELECT user_id, idempotency_key, id, at FROM merchant_inspection_unpartitioned
     WHERE user_id IS NOT NULL AND idempotency_key IS NOT NULL;

ALTER TABLE merchant_repeat_case ADD COLUMN inspection_at timestamptz;
UPDATE merchant_repeat_case c SET inspection_at = i.at FROM merchant_inspection_unpartitioned i WHERE i.id = c.inspection_id;
ALTER TABLE merchant_repeat_case ALTER COLUMN inspection_at SET NOT NULL;
ALTER TABLE merchant_repeat_case DROP CONSTRAINT merchant_repeat_case_inspection_id_fkey;

DROP TABLE merchant_inspection_unpartitioned;
ALTER SEQUENCE IF EXISTS merchant_inspection_id_seq1 RENAME TO merchant_inspection_id_seq;
SELECT setval(pg_get_serial_sequence('merchant_inspection', 'id'), COALESCE((SELECT max(id) FROM merchant_inspection), 0) + 1, false);

ALTER TABLE merchant_inspection ADD CONSTRAINT merchant_inspection_pkey PRIMARY KEY (id, at);
ALTER TABLE merchant_inspection ADD CONSTRAINT merchant_inspection_merchant_id_fkey
    FOREIGN KEY (merchant_id) REFERENCES merchant (id) ON DELETE RESTRICT;
ALTER TABLE merchant_inspection ADD CONSTRAINT merchant_inspection_inspector_person_id_fkey
    FOREIGN KEY (inspector_person_id) REFERENCES person (id) ON DELETE RESTRICT;
ALTER TABLE merchant_inspection ADD CONSTRAINT merchant_inspection_user_id_fkey
    FOREIGN KEY (user_id) REFERENCES app_user (id) ON DELETE SET NULL;
ALTER TABLE merchant_inspection ADD CONSTRAINT merchant_inspection_voided_by_user_id_fkey
    FOREIGN KEY (voided_by_user_id) REFERENCES app_user (id) ON DELETE SET NULL;
CREATE INDEX merchant_inspection_merchant_at ON merchant_inspection (merchant_id, at DESC);
CREATE INDEX merchant_inspection_day ON merchant_inspection (visit_day, merchant_id);
CREATE INDEX merchant_inspection_person_day ON merchant_inspection (inspector_person_id, visit_day);
CREATE INDEX merchant_inspection_person_at ON merchant_inspection (inspector_person_id, at, id) WHERE voided_at IS NULL;
CREATE INDEX merchant_inspection_violations ON merchant_inspection (merchant_id, at) WHERE violations > 0 AND voided_at IS NULL;
-- A resend is recognised by its key: the read before the write (internal/merchants) finds it here.
CREATE INDEX merchant_inspection_user_key ON merchant_inspection (user_id, idempotency_key) WHERE idempotency_key IS NOT NULL;

ALTER TABLE merchant_inspection_key ADD CONSTRAINT merchant_inspection_key_inspection_fkey
    FOREIGN KEY (inspection_id, inspection_at) REFERENCES merchant_inspection (id, at) ON DELETE RESTRICT;

CREATE FUNCTION merchant_inspection_keep_key() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.user_id IS NOT NULL AND NEW.idempotency_key IS NOT NULL THEN
        INSERT INTO merchant_inspection_key VALUES (NEW.user_id, NEW.idempotency_key, NEW.id, NEW.at);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER merchant_inspection_key AFTER INSERT ON merchant_inspection
    FOR EACH ROW EXECUTE FUNCTION merchant_inspection_keep_key();

CREATE FUNCTION fill_inspection_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.inspection_at IS NULL THEN
        SELECT at INTO NEW.inspection_at FROM merchant_inspection WHERE id = NEW.inspection_id;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER merchant_repeat_case_inspection_at BEFORE INSERT OR UPDATE OF inspection_id ON merchant_repeat_case
    FOR EACH ROW EXECUTE FUNCTION fill_inspection_at();
ALTER TABLE merchant_repeat_case ADD CONSTRAINT merchant_repeat_case_inspection_fkey
    FOREIGN KEY (inspection_id, inspection_at) REFERENCES merchant_inspection (id, at) ON DELETE RESTRICT;

CREATE VIEW merchant_check_standing AS
    SELECT id, merchant_id, inspector_person_id, at, visit_day, off_site, suspect FROM merchant_inspection WHERE voided_at IS NULL;
COMMENT ON VIEW merchant_check_standing IS
    'read interface of internal/merchants to merchant_inspection: every inspection except the voided, with its off-site flag and '
    'whether it is suspect by any proof rule (a credible check-in is one not suspect)';
