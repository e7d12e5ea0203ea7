package db

import (
	"regexp"
)

// The queries of this package are written once, in SQLite's SQL. What
// PostgreSQL spells differently is translated here, in one place: a few
// generic rewrites for SQLite's planner hints, and whole PostgreSQL
// versions of the queries that use SQLite's functions (json_each, unhex,
// two-argument min, negative substr) or its lax GROUP BY.

// sql returns query as d's backend runs it.
func (d *DB) sql(query string) string { return d.dialect.sql(query) }

// rawSQL returns query as d's backend runs it on a database/sql handle
// of d.read, where bun does not bind the ? parameters.
func (d *DB) rawSQL(query string) string { return d.dialect.bind(d.dialect.sql(query)) }

// sql translates a query once: the three regular expressions cost more
// than some of the page queries they rewrite, and the queries are a fixed
// set of constants, so the memo stays small.
func (p *postgresDialect) sql(query string) string {
	if pg, ok := p.rewritten.Load(query); ok {
		return pg.(string)
	}
	pg, ok := postgresQueries[query]
	if !ok {
		pg = query
		for _, r := range postgresRewrites {
			pg = r.re.ReplaceAllString(pg, r.to)
		}
	}
	p.rewritten.Store(query, pg)
	return pg
}

var postgresRewrites = []struct {
	re *regexp.Regexp
	to string
}{
	// SQLite's index hints; PostgreSQL's planner chooses by itself.
	{regexp.MustCompile(`\s+INDEXED BY \w+`), ""},
	// Unary + keeps SQLite off an index; PostgreSQL has no unary + on text.
	{regexp.MustCompile(`([\s(=])\+(\w+\.\w+)`), "$1$2"},
	// SQLite's "no limit".
	{regexp.MustCompile(`LIMIT -1 `), "LIMIT ALL "},
}

// postgresQueries are the PostgreSQL versions of queries that need more
// than postgresRewrites, keyed by the SQLite query. JSON arrays of ids
// arrive as text, as in SQLite.
var postgresQueries = map[string]string{
	// PostgreSQL planned sqlJobHeads' LEFT JOIN … GROUP BY as a hash join
	// over every build (it guesses ~100 artifacts per SHA-256, a main
	// binary has a few): 1.2 s for the job page of the 200,000-build set.
	// LATERAL makes it the per-entry index lookup SQLite does. The ids
	// come first here, so the parameters are numbered (bun's ?N), in
	// sqlJobHeads' order.
	sqlJobHeads: `SELECT ` + listColumns + `, s.n, s.before
	FROM json_array_elements_text(?5::json) AS ids(value)
	JOIN build ON build.id = ids.value::bigint
	JOIN job ON job.id = build.job
	LEFT JOIN build_artifact ON build_artifact.id = build.main_binary
	CROSS JOIN LATERAL (SELECT count(b.id) AS n,
		coalesce(sum(CASE WHEN b.start_d > ?0 OR (b.start_d = ?1 AND (b.start_ps > ?2 OR (b.start_ps = ?3 AND b.id <= ?4))) THEN 1 ELSE 0 END), 0) AS before
		FROM build_artifact a JOIN build b ON b.id = a.build AND b.main_binary = a.id
		WHERE a.sha256 = build_artifact.sha256 AND b.job = build.job AND (?6 = '' OR b.platform = ?7)) s`,

	sqlOverviewJobs: `SELECT ` + listColumns + `, g.builds, g.outputs
	FROM json_array_elements_text(?::json) AS ids(value)
	JOIN latest_build l ON l.job = ids.value::bigint
	JOIN build ON build.id = l.build
	JOIN job ON job.id = l.job
	LEFT JOIN build_artifact ON build_artifact.id = build.main_binary
	LEFT JOIN repro_group g ON g.job = build.job AND g.platform = build.platform AND g.input_id = build.input_id`,
	sqlOverviewTags: `SELECT job_tag.job, tag.tag, job_tag.value
	FROM tag JOIN job_tag ON job_tag.tag = tag.id
	WHERE tag.tag IN ('section', 'synopsis')
		AND job_tag.job IN (SELECT value::bigint FROM json_array_elements_text(?::json) AS ids(value))`,

	sqlReproBuckets: `SELECT j.name, x.b, x.o, x.recent, x.n FROM (
		SELECT job, least(builds, 2) AS b, least(outputs, 2) AS o, latest >= ? AS recent, count(*) AS n
		FROM repro_group GROUP BY job, b, o, recent) x
	JOIN job j ON j.id = x.job`,

	sqlJobReproBuildsOf: `SELECT b.uuid, b.platform, b.input_id, a.sha256, u.username, b.start_d, b.start_ps
	FROM json_array_elements_text(?::json) AS k(value)
	JOIN build b ON b.input_id = decode(k.value, 'hex') AND b.job = ?
	JOIN build_artifact a ON a.id = b.main_binary
	JOIN "user" u ON u.id = b."user"`,

	sqlReproGroupsOf: `SELECT DISTINCT o.uuid, o.platform, o.input_id, a.sha256, u.username, o.start_d, o.start_ps, j.name
	FROM json_array_elements_text(?::json) AS ids(value)
	JOIN build s ON s.id = ids.value::bigint
	JOIN build o ON o.input_id = s.input_id AND o.job = s.job AND o.platform = s.platform
	JOIN build_artifact a ON a.id = o.main_binary
	JOIN "user" u ON u.id = o."user"
	JOIN job j ON j.id = o.job
	WHERE s.input_id IS NOT NULL AND o.main_binary IS NOT NULL`,

	sqlVacuumBuildsIn: `SELECT ` + vacuumColumns + `, job.name
	FROM json_array_elements_text(?::json) AS ids(value)
	JOIN build ON build.id = ids.value::bigint
	JOIN job ON job.id = build.job
	ORDER BY build.start_d, build.start_ps, build.id`,
	sqlArtifactHashesIn: `SELECT DISTINCT build_artifact.sha256
	FROM json_array_elements_text(?::json) AS ids(value)
	JOIN build_artifact ON build_artifact.build = ids.value::bigint`,
	sqlDeleteArtifactsIn: "DELETE FROM build_artifact WHERE build IN (SELECT value::bigint FROM json_array_elements_text(?::json) AS ids(value))",
	sqlDeleteBuildsIn:    "DELETE FROM build WHERE id IN (SELECT value::bigint FROM json_array_elements_text(?::json) AS ids(value))",

	sqlVizArtifacts: `SELECT a.build, a.filepath, a.sha256
	FROM json_array_elements_text(?::json) AS ids(value)
	JOIN build_artifact a ON a.build = ids.value::bigint
	WHERE a.filepath = '` + OpamSwitch + `' OR right(a.filepath, 6) = '.debug'
	ORDER BY a.id`,

	sqlDebugArtifact: `SELECT id, filepath, sha256, size, build FROM build_artifact
	WHERE build = ? AND (filepath = ? OR right(filepath, length(?) + 1) = '/' || ?)
	ORDER BY id
	LIMIT 1`,

	sqlStored: `SELECT count(*), coalesce(sum(size), 0)
	FROM (SELECT max(size) AS size FROM build_artifact GROUP BY sha256) s`,
}
