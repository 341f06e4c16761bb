-- No repository exists outside a project (a project's quota, retention, immutability, members and networks must
-- reach every repository). Installations where a repository was pushed into a project that did not exist get that
-- project now: private and without members, which changes no one's access (only system administrators could reach
-- such a repository, and only they reach a private project without members), and lets administrators govern it.
-- A repository's project is the first component of its name; a top-level repository is its own project's.
INSERT INTO projects (name, is_public, created_at)
SELECT DISTINCT split_part(r.name, '/', 1), 0, (EXTRACT(EPOCH FROM now()) * 1000)::BIGINT
FROM repositories r
WHERE (EXISTS (SELECT 1 FROM manifests m WHERE m.repository_id = r.id)
       OR EXISTS (SELECT 1 FROM repository_blobs rb WHERE rb.repository_id = r.id))
  AND NOT EXISTS (SELECT 1 FROM projects p WHERE p.name = split_part(r.name, '/', 1));
