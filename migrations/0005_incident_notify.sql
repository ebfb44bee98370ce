-- Replicas cache vector tiles drawn from incidents. Every committed change to an incident is announced
-- on the 'incident_changed' channel with the incident's id as payload, delivered at commit (nothing for a
-- rolled-back change), so each replica's tile cache moves to a new version within milliseconds.

CREATE FUNCTION incident_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM pg_notify('incident_changed', OLD.id::text);
    ELSE
        PERFORM pg_notify('incident_changed', NEW.id::text);
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER incident_notify AFTER INSERT OR UPDATE OR DELETE ON incident
    FOR EACH ROW EXECUTE FUNCTION incident_notify();

-- TRUNCATE has no rows: announce it once, as '*'.
CREATE FUNCTION incident_notify_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('incident_changed', '*');
    RETURN NULL;
END $$;

CREATE TRIGGER incident_notify_truncate AFTER TRUNCATE ON incident
    FOR EACH STATEMENT EXECUTE FUNCTION incident_notify_truncate();
