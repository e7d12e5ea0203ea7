package migrations

import (
	"strings"
	"testing"
)

func TestSource(t *testing.T) {
	ms, err := Source().FindMigrations()
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) < 2 || ms[0].Id != Baseline {
		t.Fatalf("migrations %v, want %s first", ms, Baseline)
	}
	if len(ms[0].Down) != 0 {
		t.Errorf("the baseline has a down step: %q", ms[0].Down)
	}
	up := strings.Join(ms[0].Up, "\n")
	for _, want := range []string{"PRAGMA application_id = 1234839235", "PRAGMA user_version = 18", "'readme.md'"} {
		if !strings.Contains(up, want) {
			t.Errorf("baseline lacks %q", want)
		}
	}
	for _, m := range ms[1:] {
		if len(m.Up) == 0 || len(m.Down) == 0 {
			t.Errorf("%s: %d up and %d down statements; every later migration needs both", m.Id, len(m.Up), len(m.Down))
		}
		if strings.Contains(strings.ToLower(strings.Join(m.Up, "\n")), "user_version") {
			t.Errorf("%s changes user_version, which must stay 18", m.Id)
		}
	}
}
