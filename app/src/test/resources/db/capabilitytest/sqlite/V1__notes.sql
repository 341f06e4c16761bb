CREATE TABLE capabilitytest_note (id INTEGER PRIMARY KEY, text TEXT NOT NULL);
