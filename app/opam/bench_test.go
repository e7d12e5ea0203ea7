package opam

import (
	"testing"

	"github.com/builder-web/builder-web/internal/testkit/comparetest"
)

func BenchmarkParseSwitch300(b *testing.B) {
	data := comparetest.Switch(300, 0)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseSwitch(data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDiff300(b *testing.B) {
	left, err := ParseSwitch(comparetest.Switch(300, 0))
	if err != nil {
		b.Fatal(err)
	}
	right, err := ParseSwitch(comparetest.Switch(300, 1))
	if err != nil {
		b.Fatal(err)
	}
	d := Diff(left, right)
	if len(d.VersionDiff) == 0 || len(d.OpamDiff) == 0 {
		b.Fatalf("synthetic switches: %d version changes, %d opam diffs", len(d.VersionDiff), len(d.OpamDiff))
	}
	b.ReportMetric(float64(len(d.OpamDiff)), "opamdiffs")
	b.ReportAllocs()
	for b.Loop() {
		Diff(left, right)
	}
}
