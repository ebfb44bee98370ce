-- A person may take a channel's news once a day: with digest_only, that channel carries only their
-- morning digest (每日待办), not each notice as it comes; the inbox still has every notice at once.
ALTER TABLE notification_channel ADD COLUMN digest_only boolean NOT NULL DEFAULT false;
