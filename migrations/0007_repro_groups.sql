-- Reproducibility groups (issue 12): per job, platform and input id, how
-- many successful builds there are and how many distinct main binaries
-- they made, and when the newest started: latest is start_d * 100000 plus
-- the whole seconds of that day, which orders builds to the second and
-- fits in 64 bits (db.LatestKey). The site view (/reproducibility)
-- reads this table instead of grouping every build of the site per
-- request; app/repro applies the verdict rule to the counts.
--
-- Triggers keep it right whoever writes the build table (uploads,
-- builder-db vacuum and job-remove, even the reference): each change of a
-- build recounts its group from idx_build_input_id. A build counts once it
-- has a main binary, which the upload sets after inserting the row.

-- +migrate Up
CREATE TABLE repro_group (
    job INTEGER NOT NULL,
    platform TEXT NOT NULL,
    input_id BLOB NOT NULL,
    builds INTEGER NOT NULL,
    outputs INTEGER NOT NULL,
    latest INTEGER NOT NULL,
    PRIMARY KEY (job, platform, input_id)
) WITHOUT ROWID;

INSERT INTO repro_group (job, platform, input_id, builds, outputs, latest)
SELECT b.job, b.platform, b.input_id, COUNT(*), COUNT(DISTINCT a.sha256), MAX(b.start_d * 100000 + b.start_ps / 1000000000000)
FROM build b JOIN build_artifact a ON a.id = b.main_binary
WHERE b.input_id IS NOT NULL
GROUP BY b.job, b.platform, b.input_id;

-- +migrate StatementBegin
CREATE TRIGGER repro_group_insert AFTER INSERT ON build
WHEN NEW.input_id IS NOT NULL AND NEW.main_binary IS NOT NULL BEGIN
    DELETE FROM repro_group WHERE job = NEW.job AND platform = NEW.platform AND input_id = NEW.input_id;
    INSERT INTO repro_group (job, platform, input_id, builds, outputs, latest)
    SELECT b.job, b.platform, b.input_id, COUNT(*), COUNT(DISTINCT a.sha256), MAX(b.start_d * 100000 + b.start_ps / 1000000000000)
    FROM build b JOIN build_artifact a ON a.id = b.main_binary
    WHERE b.input_id = NEW.input_id AND b.job = NEW.job AND b.platform = NEW.platform
    GROUP BY b.job, b.platform, b.input_id;
END;
-- +migrate StatementEnd

-- +migrate StatementBegin
CREATE TRIGGER repro_group_update AFTER UPDATE OF main_binary, input_id, job, platform ON build
WHEN OLD.input_id IS NOT NULL OR NEW.input_id IS NOT NULL BEGIN
    DELETE FROM repro_group WHERE job = OLD.job AND platform = OLD.platform AND input_id = OLD.input_id;
    INSERT INTO repro_group (job, platform, input_id, builds, outputs, latest)
    SELECT b.job, b.platform, b.input_id, COUNT(*), COUNT(DISTINCT a.sha256), MAX(b.start_d * 100000 + b.start_ps / 1000000000000)
    FROM build b JOIN build_artifact a ON a.id = b.main_binary
    WHERE b.input_id = OLD.input_id AND b.job = OLD.job AND b.platform = OLD.platform
    GROUP BY b.job, b.platform, b.input_id;
    DELETE FROM repro_group WHERE job = NEW.job AND platform = NEW.platform AND input_id = NEW.input_id;
    INSERT INTO repro_group (job, platform, input_id, builds, outputs, latest)
    SELECT b.job, b.platform, b.input_id, COUNT(*), COUNT(DISTINCT a.sha256), MAX(b.start_d * 100000 + b.start_ps / 1000000000000)
    FROM build b JOIN build_artifact a ON a.id = b.main_binary
    WHERE b.input_id = NEW.input_id AND b.job = NEW.job AND b.platform = NEW.platform
    GROUP BY b.job, b.platform, b.input_id;
END;
-- +migrate StatementEnd

-- +migrate StatementBegin
CREATE TRIGGER repro_group_delete AFTER DELETE ON build
WHEN OLD.input_id IS NOT NULL BEGIN
    DELETE FROM repro_group WHERE job = OLD.job AND platform = OLD.platform AND input_id = OLD.input_id;
    INSERT INTO repro_group (job, platform, input_id, builds, outputs, latest)
    SELECT b.job, b.platform, b.input_id, COUNT(*), COUNT(DISTINCT a.sha256), MAX(b.start_d * 100000 + b.start_ps / 1000000000000)
    FROM build b JOIN build_artifact a ON a.id = b.main_binary
    WHERE b.input_id = OLD.input_id AND b.job = OLD.job AND b.platform = OLD.platform
    GROUP BY b.job, b.platform, b.input_id;
END;
-- +migrate StatementEnd

-- +migrate Down
DROP TRIGGER repro_group_delete;
DROP TRIGGER repro_group_update;
DROP TRIGGER repro_group_insert;
DROP TABLE repro_group;
