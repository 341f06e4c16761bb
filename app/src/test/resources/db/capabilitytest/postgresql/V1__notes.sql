CREATE TABLE capabilitytest_note (id BIGINT PRIMARY KEY, text TEXT NOT NULL);
