package db

import (
	"bytes"
	"testing"
)

func TestVerifyWalks(t *testing.T) {
	ctx := t.Context()
	d := newDB(t)
	u := addFixtureUser(t, d)
	input := sum([]byte("input"))
	sw := sum([]byte("switch"))
	dbg := sum([]byte("debug"))
	b1 := fixtureBuild(u.ID, 1)
	b1.InputID = input
	b1.Artifacts = append(b1.Artifacts,
		NewArtifact{Path: "opam-switch", SHA256: sw, Size: 6},
		NewArtifact{Path: "other.debug", SHA256: sum([]byte("other")), Size: 5}, // not hello.sh's
		NewArtifact{Path: "dbg/hello.sh.debug", SHA256: dbg, Size: 5})
	b2 := fixtureBuild(u.ID, 2)
	b2.InputID = input
	id1 := insertBuild(t, d, b1)
	id2 := insertBuild(t, d, b2)

	// Pages of one row each cover every row once, in id order.
	var arts []VerifyArtifact
	for after := int64(0); ; {
		page, err := d.VerifyArtifacts(ctx, after, 1)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		arts = append(arts, page...)
		after = page[0].ID
	}
	if len(arts) != 5 || arts[0].Job != fixtureJob || arts[0].UUID != uuid1 || arts[4].UUID != uuid2 {
		t.Errorf("artifacts %+v", arts)
	}

	builds, err := d.VerifyBuilds(ctx, 0, 10)
	if err != nil || len(builds) != 2 {
		t.Fatalf("builds %+v, %v", builds, err)
	}
	for _, b := range builds {
		if b.Job != fixtureJob || b.MainBinary == nil || b.MainBuild == nil || *b.MainBuild != b.ID {
			t.Errorf("build %+v", b)
		}
	}

	ids, err := d.InputIDsAfter(ctx, nil, 10)
	if err != nil || len(ids) != 1 || !bytes.Equal(ids[0], input) {
		t.Errorf("input ids %x, %v", ids, err)
	}
	if ids, err := d.InputIDsAfter(ctx, input, 10); err != nil || len(ids) != 0 {
		t.Errorf("input ids after the last: %x, %v", ids, err)
	}
	ib, err := d.InputIDBuilds(ctx, input)
	if err != nil || len(ib) != 2 || ib[0].UUID != uuid1 || !bytes.Equal(ib[1].SHA256, sum(binary2)) {
		t.Errorf("builds of the input %+v, %v", ib, err)
	}

	viz, err := d.VizBuilds(ctx, 0, 10)
	if err != nil || len(viz) != 2 {
		t.Fatalf("viz builds %+v, %v", viz, err)
	}
	if viz[0].ID != id1 || !bytes.Equal(viz[0].OpamSwitch, sw) || !bytes.Equal(viz[0].Debug, dbg) {
		t.Errorf("build 1: %+v", viz[0])
	}
	if viz[1].ID != id2 || viz[1].OpamSwitch != nil || viz[1].Debug != nil {
		t.Errorf("build 2: %+v", viz[1])
	}
	if viz, err := d.VizBuilds(ctx, id1, 10); err != nil || len(viz) != 1 || viz[0].ID != id2 {
		t.Errorf("after build 1: %+v, %v", viz, err)
	}
}
