-- Project robots record their project; system robots have none (NULL). Before this, a robot belonged to project p
-- when its name started with 'robot$p+', which let p's administrators take over a system robot named that way.
ALTER TABLE robots ADD COLUMN project TEXT;

-- An existing 'robot$<p>+<n>' becomes p's robot only when p exists and every one of its permissions names p's
-- repositories ('p/...', all that p's routes ever allowed); any other (a system robot created with a '+' in its
-- name) stays a system robot that only system administrators see.
UPDATE robots SET project = substr(name, 7, instr(name, '+') - 7)
WHERE instr(name, '+') > 7
  AND EXISTS (SELECT 1 FROM projects p WHERE p.name = substr(robots.name, 7, instr(robots.name, '+') - 7))
  AND length(';' || permissions) - length(replace(';' || permissions, ';', ''))
      = (length(';' || permissions)
         - length(replace(';' || permissions, ';' || substr(name, 7, instr(name, '+') - 7) || '/', '')))
        / length(';' || substr(name, 7, instr(name, '+') - 7) || '/');
