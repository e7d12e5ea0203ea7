-- Which jobs' front page entries changed (issue 17: cheap misses), as
-- ../0011_job_change.sql: a row per job with a counter that every change
-- of the job's front page entries bumps in the same transaction (its
-- latest_build rows, its repro_group rows, its tags, its row in job).
-- Counters only grow and rows are never deleted. PostgreSQL's triggers
-- call functions: one for the tables that carry the job in a job column,
-- one for job itself (its id).

-- +migrate Up
CREATE TABLE job_change (
    job BIGINT PRIMARY KEY,
    n BIGINT NOT NULL
);

INSERT INTO job_change (job, n) SELECT id, 1 FROM job;

-- +migrate StatementBegin
CREATE FUNCTION job_change_bump(j BIGINT) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO job_change (job, n) VALUES (j, 1)
    ON CONFLICT (job) DO UPDATE SET n = job_change.n + 1;
END
$$;
-- +migrate StatementEnd

-- +migrate StatementBegin
CREATE FUNCTION job_change_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM job_change_bump(OLD.job);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        PERFORM job_change_bump(NEW.job);
    END IF;
    RETURN NULL;
END
$$;
-- +migrate StatementEnd

-- +migrate StatementBegin
CREATE FUNCTION job_change_job() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM job_change_bump(OLD.id);
    IF TG_OP = 'UPDATE' THEN
        PERFORM job_change_bump(NEW.id);
    END IF;
    RETURN NULL;
END
$$;
-- +migrate StatementEnd

CREATE TRIGGER job_change_latest AFTER INSERT OR UPDATE OR DELETE ON latest_build
FOR EACH ROW EXECUTE FUNCTION job_change_row();
CREATE TRIGGER job_change_repro AFTER INSERT OR UPDATE OR DELETE ON repro_group
FOR EACH ROW EXECUTE FUNCTION job_change_row();
CREATE TRIGGER job_change_tag AFTER INSERT OR UPDATE OR DELETE ON job_tag
FOR EACH ROW EXECUTE FUNCTION job_change_row();
CREATE TRIGGER job_change_job AFTER UPDATE OR DELETE ON job
FOR EACH ROW EXECUTE FUNCTION job_change_job();

-- +migrate Down
DROP TRIGGER job_change_job ON job;
DROP TRIGGER job_change_tag ON job_tag;
DROP TRIGGER job_change_repro ON repro_group;
DROP TRIGGER job_change_latest ON latest_build;
DROP FUNCTION job_change_job();
DROP FUNCTION job_change_row();
DROP FUNCTION job_change_bump(BIGINT);
DROP TABLE job_change;
