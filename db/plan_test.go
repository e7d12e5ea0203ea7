package db

import (
	"github.com/builder-web/builder-web/internal/testkit/pgtest"
	"regexp"
	"strings"
	"testing"
)

// fullScan matches a plan step that reads a whole table (or a whole index of
// it) of the tables that grow with the number of builds or jobs.
var fullScan = regexp.MustCompile(`^SCAN (build|build_artifact|job|job_tag|user|access_list)\b`)

// TestQueriesUseIndices runs EXPLAIN QUERY PLAN on every lookup of this
// package and fails on a full scan (product §4: every page query is indexed).
func TestQueriesUseIndices(t *testing.T) {
	pgtest.SQLiteOnly(t, "SQLite query plans")
	d := newDB(t)
	sha := sum([]byte("x"))
	queries := []struct {
		name  string
		query string
		args  []any
	}{
		{"BuildByUUID", sqlBuildByUUID, []any{uuid1}},
		{"BuildExists", sqlBuildExists, []any{uuid1}},
		{"Artifacts", sqlArtifacts, []any{1}},
		{"ArtifactsAfter", sqlArtifactsAfter, []any{1, 0, 201}},
		{"CountBuildArtifacts", sqlCountBuildArtifacts, []any{1}},
		{"ArtifactByPath", sqlArtifactByPath, []any{uuid1, "bin/x"}},
		{"ArtifactExists", sqlArtifactExists, []any{sha}},
		{"JobTags", sqlJobTags, []any{1}},
		{"ComparableBuilds", sqlComparableBuilds, []any{1, 50}},
		{"JobByName", sqlJobByName, []any{"j"}},
		{"UserByName", sqlUserByName, []any{"u"}},
		{"UserByID", sqlUserByID, []any{1}},
		{"UserUploaded", sqlUserUploaded, []any{1}},
		{"HasAccess", sqlHasAccess, []any{1, "j"}},
		{"UserJobs", sqlUserJobs, []any{1}},
		{"RemoveJob builds", sqlJobBuildUUIDs, []any{1}},
		{"RemoveJob hashes", sqlJobArtifactHashes, []any{1}},
		{"RemoveJob delete artifacts", sqlDeleteJobArtifacts, []any{1}},
		{"RemoveJob delete builds", sqlDeleteJobBuilds, []any{1}},
		{"OverviewJobs", sqlOverviewJobs, []any{"[1,2]"}},
		{"OverviewTags", sqlOverviewTags, []any{"[1,2]"}},
		{"JobChanges", sqlJobChanges, nil},
		{"JobScan", sqlJobScan, []any{1, 5, 5, 6, 6, 7, 256}},
		{"JobScanPlatform", sqlJobScanPlatform, []any{1, "p", 5, 5, 6, 6, 7, 256}},
		{"JobHeads", sqlJobHeads, []any{nil, nil, nil, nil, nil, "[1,2]", "", ""}},
		{"JobHeads after cursor", sqlJobHeads, []any{5, 5, 6, 6, 7, "[1,2]", "p", "p"}},
		{"OutputBuilds", sqlOutputBuilds, []any{sha, 1, "", ""}},
		{"JobPlatforms", sqlJobPlatforms, []any{1, 1}},
		{"JobReproBuilds", sqlJobReproBuilds, []any{1}},
		{"JobChange", sqlJobChange, []any{1}},
		{"ReproGroupsOf", sqlReproGroupsOf, []any{"[1,2]"}},
		{"JobReproGroups", sqlJobReproGroups, []any{1}},
		{"JobReproBuildsOf", sqlJobReproBuildsOf, []any{`["00"]`, 1}},
		{"Latest", sqlLatest, []any{1}},
		{"LatestPlatform", sqlLatestPlatform, []any{1, "p"}},
		{"NewestWithHash", sqlNewestWithHash, []any{sha}},
		{"MaxBuildID", sqlMaxBuildID, nil},
		{"CountBuildsSince", sqlCountBuildsSince, []any{1}},
		{"CountJobBuildsSince", sqlCountJobBuildsSince, []any{1, 1}},
		{"FailedBuilds", sqlFailedBuilds, []any{1 << 62, 0, 0, "", "", "", "", 21, 0}},
		{"FailedBuilds filtered", sqlFailedBuilds, []any{1 << 62, 0, 0, "p", "p", "exited", "exited", 21, 0}},
		{"UserSummary", sqlUserSummary, []any{"u"}},
		{"JobNamesFrom", sqlJobNamesFrom, []any{"a", "b", 20}},
		{"SessionByHash", sqlSessionByHash, []any{sha}},
		{"TouchSession", sqlTouchSession, []any{1, sha}},
		{"DeleteSession", sqlDeleteSession, []any{sha}},
		{"DeleteUserSessions", sqlDeleteUserSessions, []any{1, sha}},
		{"SetRestricted", sqlSetRestricted, []any{true, "u"}},
		{"SetAdmin", sqlSetAdmin, []any{true, "u"}},
		{"BuildsWithInput", sqlBuildsWithInput, []any{sha, 1, 1, "p"}},
		{"BuildsWithOutput", sqlBuildsWithOutput, []any{sha, sha, 1, "p"}},
		{"LatestSuccessful", sqlLatestSuccessful, []any{1, "p"}},
		{"NextDifferentOutput", sqlNextDifferentOutput, []any{1, "p", 0, 0, sha}},
		{"PreviousDifferentOutput", sqlPreviousDifferentOutput, []any{1, "p", 0, 0, sha}},
		{"DebugArtifact", sqlDebugArtifact, []any{1, "x.debug", "x.debug", "x.debug"}},
		{"FeedAll", sqlFeedAll, []any{1 << 62, 50}},
		{"FeedJob", sqlFeedJob, []any{1, 50}},
		{"FeedFailed", sqlFeedFailed, []any{1 << 62, 0, 0, 50}},
		{"BadgeLatest", sqlBadgeLatest, []any{1, 1, 1, "", ""}},
		{"VacuumOlderThan", sqlVacuumOlderThan, []any{1, "", "", 1, 0}},
		{"VacuumOlderThan platform", sqlVacuumOlderThan, []any{1, "p", "p", 1, 0}},
		{"VacuumExceptLatest", sqlVacuumExceptLatest, []any{1, "", "", 3}},
		{"VacuumNthSuccessful", sqlVacuumNthSuccessful, []any{1, "p", "p", 2}},
		{"VacuumBuildsIn", sqlVacuumBuildsIn, []any{"[1,2]"}},
		{"ArtifactHashesIn", sqlArtifactHashesIn, []any{"[1,2]"}},
		{"DeleteArtifactsIn", sqlDeleteArtifactsIn, []any{"[1,2]"}},
		{"DeleteBuildsIn", sqlDeleteBuildsIn, []any{"[1,2]"}},
		{"VerifyArtifacts", sqlVerifyArtifacts, []any{0, 500}},
		{"VerifyBuilds", sqlVerifyBuilds, []any{0, 500}},
		{"InputIDsAfter", sqlInputIDsAfter, []any{[]byte{}, 500}},
		{"InputIDBuilds", sqlInputIDBuilds, []any{sha}},
		{"VizBuilds", sqlVizBuilds, []any{0, 500}},
		{"VizArtifacts", sqlVizArtifacts, []any{"[1,2]"}},
	}
	for _, q := range queries {
		t.Run(q.name, func(t *testing.T) {
			rows, err := d.read.QueryContext(t.Context(), "EXPLAIN QUERY PLAN "+q.query, q.args...)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			var plan []string
			for rows.Next() {
				var id, parent, unused int
				var detail string
				if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
					t.Fatal(err)
				}
				plan = append(plan, detail)
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
			for _, step := range plan {
				if fullScan.MatchString(step) {
					t.Errorf("full scan %q in plan:\n%s", step, strings.Join(plan, "\n"))
				}
			}
			t.Logf("%s", strings.Join(plan, " | "))
		})
	}
}

// The reproducibility lookups must start from an input id (or a hash):
// a handful of builds share one. Searching the job and platform instead
// reads every build of them: the front page took 140 ms on 80,000 builds.
func TestReproQueriesStartFromInput(t *testing.T) {
	pgtest.SQLiteOnly(t, "SQLite query plans")
	d := newDB(t)
	sha := sum([]byte("x"))
	for _, q := range []struct {
		name, query, want string
		args              []any
	}{
		{"ReproGroupsOf", sqlReproGroupsOf, "SEARCH o USING INDEX idx_build_input_id (input_id=?)", []any{"[1,2]"}},
		{"JobReproBuildsOf", sqlJobReproBuildsOf, "SEARCH b USING INDEX idx_build_input_id (input_id=?)", []any{`["00"]`, 1}},
		{"BuildsWithInput", sqlBuildsWithInput, "SEARCH b USING INDEX idx_build_input_id (input_id=?)", []any{sha, 1, 1, "p"}},
		{"BuildsWithOutput", sqlBuildsWithOutput, "idx_build_artifact_sha256 (sha256=?)", []any{sha, sha, 1, "p"}},
	} {
		var plan []string
		rows, err := d.read.QueryContext(t.Context(), "EXPLAIN QUERY PLAN "+q.query, q.args...)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		if !strings.Contains(strings.Join(plan, "\n"), q.want) {
			t.Errorf("%s: plan lacks %q:\n%s", q.name, q.want, strings.Join(plan, "\n"))
		}
	}
}
