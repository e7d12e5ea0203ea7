-- Indices for the overview pages (product.md §4: every page query uses an
-- index). The reference's indices serve a job's builds by start time only.
--
-- idx_build_job_platform: a job's builds on one platform, newest first, for
-- the job page filtered by platform (failed builds included, which
-- idx_build_job_platform_success of 0006 leaves out), and a job's platforms,
-- one seek each.
--
-- idx_build_failed_start: /failed-builds lists the failed builds of all jobs
-- by start time; idx_build_failed starts with the job and cannot. The id is
-- part of the key so that cursors (start, id) are an index range.

-- +migrate Up
CREATE INDEX idx_build_job_platform ON build(job, platform, start_d DESC, start_ps DESC);
CREATE INDEX idx_build_failed_start ON build(start_d DESC, start_ps DESC, id DESC) WHERE main_binary IS NULL;

-- +migrate Down
DROP INDEX idx_build_failed_start;
DROP INDEX idx_build_job_platform;
