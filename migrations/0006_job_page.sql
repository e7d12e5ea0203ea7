-- The index the front page's query walks (db.Overview, reference §6.1; named
-- in 0004): successful builds by job, platform and start, newest first. The
-- query seeks the newest successful build of each job and platform; on
-- idx_build_job_platform, which holds failed builds too, each seek had to
-- read the build row to skip them. Partial, so it is only as large as the
-- successful builds.
--
-- The job page needs nothing new: it reads a job's builds in
-- idx_build_job_start from the cursor on and groups outputs through
-- idx_build_artifact_sha256 (db.JobEntries).

-- +migrate Up
CREATE INDEX idx_build_job_platform_success ON build(job, platform, start_d DESC, start_ps DESC) WHERE main_binary IS NOT NULL;

-- +migrate Down
DROP INDEX idx_build_job_platform_success;
