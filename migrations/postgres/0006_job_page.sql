-- The front page's index, as ../0006_job_page.sql.

-- +migrate Up
CREATE INDEX idx_build_job_platform_success ON build(job, platform, start_d DESC, start_ps DESC) WHERE main_binary IS NOT NULL;

-- +migrate Down
DROP INDEX idx_build_job_platform_success;
