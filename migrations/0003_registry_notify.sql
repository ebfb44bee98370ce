-- Replicas keep in-memory copies of the territory (the lookup index, tile caches). Every committed
-- change to areas, admin units or assignments is announced on the 'registry_changed' channel as
-- "<table>:<op>:<id>", delivered at commit, so each replica updates exactly what changed.

CREATE FUNCTION registry_notify() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    row_id bigint;
BEGIN
    IF TG_OP = 'DELETE' THEN
        row_id := OLD.id;
    ELSE
        row_id := NEW.id;
    END IF;
    PERFORM pg_notify('registry_changed', TG_TABLE_NAME || ':' || lower(TG_OP) || ':' || row_id);
    RETURN NULL;
END $$;

CREATE TRIGGER area_notify AFTER INSERT OR UPDATE OR DELETE ON area
    FOR EACH ROW EXECUTE FUNCTION registry_notify();
CREATE TRIGGER admin_unit_notify AFTER INSERT OR UPDATE OR DELETE ON admin_unit
    FOR EACH ROW EXECUTE FUNCTION registry_notify();
CREATE TRIGGER assignment_notify AFTER INSERT OR UPDATE OR DELETE ON assignment
    FOR EACH ROW EXECUTE FUNCTION registry_notify();
CREATE TRIGGER person_notify AFTER UPDATE ON person
    FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name OR OLD.phone IS DISTINCT FROM NEW.phone)
    EXECUTE FUNCTION registry_notify();
