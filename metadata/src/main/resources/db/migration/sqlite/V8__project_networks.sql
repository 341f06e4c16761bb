-- Networks a project's repositories may be reached from: comma-separated CIDRs, empty for anywhere.
ALTER TABLE projects ADD COLUMN allowed_networks TEXT NOT NULL DEFAULT '';
