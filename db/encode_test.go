package db

import (
	"testing"
	"time"
)

func TestPtime(t *testing.T) {
	tests := []struct {
		name  string
		t     time.Time
		d, ps int64
	}{
		{"epoch", time.Unix(0, 0), 0, 0},
		{"one second", time.Unix(1, 0), 0, 1_000_000_000_000},
		{"one hour", time.Unix(3600, 0), 0, 3600 * 1_000_000_000_000},
		{"next day", time.Unix(86400, 1), 1, 1000},
		{"2024-09-05 07:03:11.5Z", time.Date(2024, 9, 5, 7, 3, 11, 500_000_000, time.UTC),
			19971, (7*3600+3*60+11)*1_000_000_000_000 + 500_000_000_000},
		{"before 1970", time.Unix(-1, 500_000_000), -1, 86399*1_000_000_000_000 + 500_000_000_000},
		{"a day before", time.Unix(-86400, 0), -1, 0},
		{"1900", time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC), -25567, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, ps := PtimeFromTime(tt.t)
			if d != tt.d || ps != tt.ps {
				t.Errorf("PtimeFromTime(%v) = %d, %d; want %d, %d", tt.t, d, ps, tt.d, tt.ps)
			}
			if back := TimeFromPtime(tt.d, tt.ps); !back.Equal(tt.t) || back.Location() != time.UTC {
				t.Errorf("TimeFromPtime(%d, %d) = %v; want %v in UTC", tt.d, tt.ps, back, tt.t)
			}
		})
	}
}

func TestPtimeOrderMatchesTime(t *testing.T) {
	// Lexicographic (d, ps) order is time order, also across 1970.
	times := []time.Time{time.Unix(-90000, 0), time.Unix(-1, 0), time.Unix(0, 0), time.Unix(0, 1), time.Unix(86399, 999_999_999), time.Unix(86400, 0)}
	for i := 1; i < len(times); i++ {
		d0, p0 := PtimeFromTime(times[i-1])
		d1, p1 := PtimeFromTime(times[i])
		if d0 > d1 || d0 == d1 && p0 >= p1 {
			t.Errorf("%v (%d,%d) not before %v (%d,%d)", times[i-1], d0, p0, times[i], d1, p1)
		}
	}
}

func TestNormalizeUUID(t *testing.T) {
	if got := NormalizeUUID("3B8E6B1C-6A6E-4B5E-9C1A-2F0C0E2E9A01"); got != uuid1 {
		t.Errorf("got %s, want %s", got, uuid1)
	}
}
