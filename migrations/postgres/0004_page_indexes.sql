-- Indices for the overview pages, as ../0004_page_indexes.sql.

-- +migrate Up
CREATE INDEX idx_build_job_platform ON build(job, platform, start_d DESC, start_ps DESC);
CREATE INDEX idx_build_failed_start ON build(start_d DESC, start_ps DESC, id DESC) WHERE main_binary IS NULL;

-- +migrate Down
DROP INDEX idx_build_failed_start;
DROP INDEX idx_build_job_platform;
