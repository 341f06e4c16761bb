-- When a tag last left the manifest (moved to another, or deleted): the collector's grace period for untagged
-- manifests counts from here, so a client that resolved the tag a moment ago can still pull what it named.
ALTER TABLE manifests ADD COLUMN untagged_at BIGINT;
