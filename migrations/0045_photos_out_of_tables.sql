-- Photos out of the main tables: a photo row may now keep its bytes in the object store
-- (internal/objectstore, streetchief serve --photo-dir) instead of in its bytes column.
--   bytes NOT NULL  the row holds the photo (every row written before this change, until
--                   `streetchief photos move-out` moves it); its size is octet_length(bytes).
--   bytes NULL      the photo is in the object store under the row's sha256; size_bytes is its size.
-- The existing size CHECKs on bytes stay (a NULL passes them). Each table stays its owner's: the
-- columns are added here for all of them so the rule reads the same everywhere. No row is rewritten.
ALTER TABLE incident_photo ALTER COLUMN bytes DROP NOT NULL,
    ADD COLUMN size_bytes integer CHECK (size_bytes BETWEEN 1 AND 5242880),
    ADD CONSTRAINT incident_photo_bytes_somewhere CHECK (bytes IS NOT NULL OR size_bytes IS NOT NULL);
ALTER TABLE merchant_photo ALTER COLUMN bytes DROP NOT NULL,
    ADD COLUMN size_bytes integer CHECK (size_bytes BETWEEN 1 AND 5242880),
    ADD CONSTRAINT merchant_photo_bytes_somewhere CHECK (bytes IS NOT NULL OR size_bytes IS NOT NULL);
ALTER TABLE operation_photo ALTER COLUMN bytes DROP NOT NULL,
    ADD COLUMN size_bytes integer CHECK (size_bytes BETWEEN 1 AND 5242880),
    ADD CONSTRAINT operation_photo_bytes_somewhere CHECK (bytes IS NOT NULL OR size_bytes IS NOT NULL);
ALTER TABLE task_photo ALTER COLUMN bytes DROP NOT NULL,
    ADD COLUMN size_bytes integer CHECK (size_bytes BETWEEN 1 AND 5242880),
    ADD CONSTRAINT task_photo_bytes_somewhere CHECK (bytes IS NOT NULL OR size_bytes IS NOT NULL);
ALTER TABLE duty_file ALTER COLUMN bytes DROP NOT NULL,
    ADD COLUMN size_bytes integer CHECK (size_bytes BETWEEN 1 AND 5242880),
    ADD CONSTRAINT duty_file_bytes_somewhere CHECK (bytes IS NOT NULL OR size_bytes IS NOT NULL);
ALTER TABLE volunteer_photo ALTER COLUMN bytes DROP NOT NULL,
    ADD COLUMN size_bytes integer CHECK (size_bytes BETWEEN 1 AND 5242880),
    ADD CONSTRAINT volunteer_photo_bytes_somewhere CHECK (bytes IS NOT NULL OR size_bytes IS NOT NULL);
-- Assessment marks' photos were kept by position only; a photo in the store needs its hash.
ALTER TABLE assessment_mark_photo ALTER COLUMN bytes DROP NOT NULL,
    ADD COLUMN sha256 bytea CHECK (octet_length(sha256) = 32),
    ADD COLUMN size_bytes integer CHECK (size_bytes BETWEEN 1 AND 8388608),
    ADD CONSTRAINT assessment_mark_photo_bytes_somewhere CHECK (bytes IS NOT NULL OR (sha256 IS NOT NULL AND size_bytes IS NOT NULL));
