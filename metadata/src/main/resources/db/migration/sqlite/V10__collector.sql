-- When a blob entered its current state: for 'deleting', when the collector claimed it, so a push can tell a
-- deletion in progress (wait) from one a stopped collector left behind (finish it).
ALTER TABLE blobs ADD COLUMN state_since BIGINT;
