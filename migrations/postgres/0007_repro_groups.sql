-- Reproducibility groups, as ../0007_repro_groups.sql: the table and the
-- triggers that recount a build's group whoever writes the build table.
-- PostgreSQL's triggers call functions, so the recount is written once
-- (repro_group_recount) instead of once per trigger.

-- +migrate Up
CREATE TABLE repro_group (
    job BIGINT NOT NULL,
    platform TEXT NOT NULL,
    input_id BYTEA NOT NULL,
    builds BIGINT NOT NULL,
    outputs BIGINT NOT NULL,
    latest BIGINT NOT NULL,
    PRIMARY KEY (job, platform, input_id)
);

INSERT INTO repro_group (job, platform, input_id, builds, outputs, latest)
SELECT b.job, b.platform, b.input_id, COUNT(*), COUNT(DISTINCT a.sha256), MAX(b.start_d * 100000 + b.start_ps / 1000000000000)
FROM build b JOIN build_artifact a ON a.id = b.main_binary
WHERE b.input_id IS NOT NULL
GROUP BY b.job, b.platform, b.input_id;

-- +migrate StatementBegin
CREATE FUNCTION repro_group_recount(j BIGINT, p TEXT, i BYTEA) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM repro_group WHERE job = j AND platform = p AND input_id = i;
    INSERT INTO repro_group (job, platform, input_id, builds, outputs, latest)
    SELECT b.job, b.platform, b.input_id, COUNT(*), COUNT(DISTINCT a.sha256), MAX(b.start_d * 100000 + b.start_ps / 1000000000000)
    FROM build b JOIN build_artifact a ON a.id = b.main_binary
    WHERE b.input_id = i AND b.job = j AND b.platform = p
    GROUP BY b.job, b.platform, b.input_id;
END
$$;
-- +migrate StatementEnd

-- +migrate StatementBegin
CREATE FUNCTION repro_group_build() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM repro_group_recount(OLD.job, OLD.platform, OLD.input_id);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        PERFORM repro_group_recount(NEW.job, NEW.platform, NEW.input_id);
    END IF;
    RETURN NULL;
END
$$;
-- +migrate StatementEnd

CREATE TRIGGER repro_group_insert AFTER INSERT ON build FOR EACH ROW
WHEN (NEW.input_id IS NOT NULL AND NEW.main_binary IS NOT NULL) EXECUTE FUNCTION repro_group_build();
CREATE TRIGGER repro_group_update AFTER UPDATE OF main_binary, input_id, job, platform ON build FOR EACH ROW
WHEN (OLD.input_id IS NOT NULL OR NEW.input_id IS NOT NULL) EXECUTE FUNCTION repro_group_build();
CREATE TRIGGER repro_group_delete AFTER DELETE ON build FOR EACH ROW
WHEN (OLD.input_id IS NOT NULL) EXECUTE FUNCTION repro_group_build();

-- +migrate Down
DROP TRIGGER repro_group_delete ON build;
DROP TRIGGER repro_group_update ON build;
DROP TRIGGER repro_group_insert ON build;
DROP FUNCTION repro_group_build();
DROP FUNCTION repro_group_recount(BIGINT, TEXT, BYTEA);
DROP TABLE repro_group;
