-- Two photo tables are history that is never changed (duty_file, assessment_mark_photo), and their
-- triggers refused every UPDATE, so `streetchief photos move-out` could not move their bytes to the
-- object store. One UPDATE is allowed now: the move-out's, which empties bytes and sets size_bytes to
-- their length, under a sha256 that is their hash, and changes nothing else. Deletes stay refused.
CREATE FUNCTION photo_row_moves_out_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.bytes IS NOT NULL AND NEW.bytes IS NULL AND NEW.size_bytes = octet_length(OLD.bytes)
        AND NEW.sha256 = sha256(OLD.bytes)
        AND to_jsonb(NEW) - 'bytes' - 'size_bytes' = to_jsonb(OLD) - 'bytes' - 'size_bytes' THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION '% rows are never changed, except to move their bytes to the object store', TG_TABLE_NAME
        USING ERRCODE = 'check_violation';
END $$;

-- Assessment marks' photos written before 0045 have no hash. They get it from their bytes, which
-- records nothing new; this one UPDATE runs between dropping the append-only trigger and creating its
-- successors. Every row then has a hash, as the other photo tables' rows do, and the move-out and the
-- check find a row by it (a photo attached to two marks has two rows with one hash).
DROP TRIGGER assessment_mark_photo_append_only ON assessment_mark_photo;
UPDATE assessment_mark_photo SET sha256 = sha256(bytes) WHERE sha256 IS NULL;
ALTER TABLE assessment_mark_photo ALTER COLUMN sha256 SET NOT NULL;
CREATE INDEX assessment_mark_photo_sha256 ON assessment_mark_photo (sha256);
CREATE TRIGGER assessment_mark_photo_append_only BEFORE DELETE ON assessment_mark_photo
    FOR EACH ROW EXECUTE FUNCTION assessment_append_only();
CREATE TRIGGER assessment_mark_photo_moves_out_only BEFORE UPDATE ON assessment_mark_photo
    FOR EACH ROW EXECUTE FUNCTION photo_row_moves_out_only();

DROP TRIGGER duty_file_kept ON duty_file;
CREATE TRIGGER duty_file_kept BEFORE DELETE ON duty_file
    FOR EACH ROW EXECUTE FUNCTION duty_history_is_kept();
CREATE TRIGGER duty_file_moves_out_only BEFORE UPDATE ON duty_file
    FOR EACH ROW EXECUTE FUNCTION photo_row_moves_out_only();
