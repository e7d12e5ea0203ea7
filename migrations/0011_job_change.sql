-- Which jobs' front page entries changed (issue 17: cheap misses). A row
-- per job with a counter that every change of the job's front page entries
-- bumps in the same transaction: its latest_build rows (0009), the
-- reproducibility counts of its builds' inputs (repro_group, 0007), its
-- tags and its row in job. db.Overview keeps the entries in memory per
-- job and, after any change of the data, reads this small table and
-- reloads only the jobs whose counter moved: a miss after one upload costs
-- one job's rows, not 2,000 entries' worth of lookups.
--
-- Triggers bump it whoever writes (uploads, builder-db vacuum and
-- job-remove in another process, the reference), as for data_version
-- (0008). Counters only grow and rows are never deleted, so a reader that
-- saw a counter knows any other value is newer.

-- +migrate Up
CREATE TABLE job_change (
    job INTEGER PRIMARY KEY,
    n INTEGER NOT NULL
);

INSERT INTO job_change (job, n) SELECT id, 1 FROM job;

-- +migrate StatementBegin
CREATE TRIGGER job_change_latest_insert AFTER INSERT ON latest_build BEGIN
    INSERT INTO job_change (job, n) VALUES (NEW.job, 1) ON CONFLICT (job) DO UPDATE SET n = n + 1;
END;
-- +migrate StatementEnd

-- +migrate StatementBegin
CREATE TRIGGER job_change_latest_update AFTER UPDATE ON latest_build BEGIN
    INSERT INTO job_change (job, n) VALUES (OLD.job, 1) ON CONFLICT (job) DO UPDATE SET n = n + 1;
    INSERT INTO job_change (job, n) VALUES (NEW.job, 1) ON CONFLICT (job) DO UPDATE SET n = n + 1;
END;
-- +migrate StatementEnd

-- +migrate StatementBegin
CREATE TRIGGER job_change_latest_delete AFTER DELETE ON latest_build BEGIN
    INSERT INTO job_change (job, n) VALUES (OLD.job, 1) ON CONFLICT (job) DO UPDATE SET n = n + 1;
END;
-- +migrate StatementEnd

-- +migrate StatementBegin
CREATE TRIGGER job_change_repro_insert AFTER INSERT ON repro_group BEGIN
    INSERT INTO job_change (job, n) VALUES (NEW.job, 1) ON CONFLICT (job) DO UPDATE SET n = n + 1;
END;
-- +migrate StatementEnd

-- +migrate StatementBegin
CREATE TRIGGER job_change_repro_update AFTER UPDATE ON repro_group BEGIN
    INSERT INTO job_change (job, n) VALUES (OLD.job, 1) ON CONFLICT (job) DO UPDATE SET n = n + 1;
    INSERT INTO job_change (job, n) VALUES (NEW.job, 1) ON CONFLICT (job) DO UPDATE SET n = n + 1;
END;
-- +migrate StatementEnd

-- +migrate StatementBegin
CREATE TRIGGER job_change_repro_delete AFTER DELETE ON repro_group BEGIN
    INSERT INTO job_change (job, n) VALUES (OLD.job, 1) ON CONFLICT (job) DO UPDATE SET n = n + 1;
END;
-- +migrate StatementEnd

-- +migrate StatementBegin
CREATE TRIGGER job_change_tag_insert AFTER INSERT ON job_tag BEGIN
    INSERT INTO job_change (job, n) VALUES (NEW.job, 1) ON CONFLICT (job) DO UPDATE SET n = n + 1;
END;
-- +migrate StatementEnd

-- +migrate StatementBegin
CREATE TRIGGER job_change_tag_update AFTER UPDATE ON job_tag BEGIN
    INSERT INTO job_change (job, n) VALUES (OLD.job, 1) ON CONFLICT (job) DO UPDATE SET n = n + 1;
    INSERT INTO job_change (job, n) VALUES (NEW.job, 1) ON CONFLICT (job) DO UPDATE SET n = n + 1;
END;
-- +migrate StatementEnd

-- +migrate StatementBegin
CREATE TRIGGER job_change_tag_delete AFTER DELETE ON job_tag BEGIN
    INSERT INTO job_change (job, n) VALUES (OLD.job, 1) ON CONFLICT (job) DO UPDATE SET n = n + 1;
END;
-- +migrate StatementEnd

-- +migrate StatementBegin
CREATE TRIGGER job_change_job_update AFTER UPDATE ON job BEGIN
    INSERT INTO job_change (job, n) VALUES (OLD.id, 1) ON CONFLICT (job) DO UPDATE SET n = n + 1;
    INSERT INTO job_change (job, n) VALUES (NEW.id, 1) ON CONFLICT (job) DO UPDATE SET n = n + 1;
END;
-- +migrate StatementEnd

-- +migrate StatementBegin
CREATE TRIGGER job_change_job_delete AFTER DELETE ON job BEGIN
    INSERT INTO job_change (job, n) VALUES (OLD.id, 1) ON CONFLICT (job) DO UPDATE SET n = n + 1;
END;
-- +migrate StatementEnd

-- +migrate Down
DROP TRIGGER job_change_job_delete;
DROP TRIGGER job_change_job_update;
DROP TRIGGER job_change_tag_delete;
DROP TRIGGER job_change_tag_update;
DROP TRIGGER job_change_tag_insert;
DROP TRIGGER job_change_repro_delete;
DROP TRIGGER job_change_repro_update;
DROP TRIGGER job_change_repro_insert;
DROP TRIGGER job_change_latest_delete;
DROP TRIGGER job_change_latest_update;
DROP TRIGGER job_change_latest_insert;
DROP TABLE job_change;
