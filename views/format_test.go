package views

import (
	"testing"
	"time"
)

func TestFormatTime(t *testing.T) {
	ts := time.Date(2024, 9, 5, 7, 3, 11, 999_000_000, time.UTC)
	if got, want := FormatTime(ts), "2024-09-05 07:03:11Z"; got != want {
		t.Errorf("FormatTime = %q, want %q", got, want)
	}
	if got, want := FormatRFC3339JSON(ts), "2024-09-05T07:03:11-00:00"; got != want {
		t.Errorf("FormatRFC3339JSON = %q, want %q", got, want)
	}
	// Other zones print in UTC.
	cet := time.FixedZone("CET", 3600)
	if got, want := FormatTime(ts.In(cet)), "2024-09-05 07:03:11Z"; got != want {
		t.Errorf("FormatTime(CET) = %q, want %q", got, want)
	}
	if got, want := FormatRFC3339JSON(ts.In(cet)), "2024-09-05T07:03:11-00:00"; got != want {
		t.Errorf("FormatRFC3339JSON(CET) = %q, want %q", got, want)
	}
}

func TestFormatAgo(t *testing.T) {
	now := time.Date(2024, 9, 8, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		d    time.Duration
		want string
	}{
		{0, "just now"},
		{59 * time.Second, "just now"},
		{time.Minute, "1 minute ago"},
		{5 * time.Minute, "5 minutes ago"},
		{time.Hour, "1 hour ago"},
		{23 * time.Hour, "23 hours ago"},
		{3 * 24 * time.Hour, "3 days ago"},
		{45 * 24 * time.Hour, "1 month ago"},
		{400 * 24 * time.Hour, "1 year ago"},
		{-2 * time.Hour, "in 2 hours"},
	}
	for _, tt := range tests {
		if got := FormatAgo(now.Add(-tt.d), now); got != tt.want {
			t.Errorf("FormatAgo(now-%v) = %q, want %q", tt.d, got, tt.want)
		}
	}
}

func TestFormatSize(t *testing.T) {
	tests := []struct {
		n    int64
		want string
	}{
		{-1, "0B"},
		{0, "0B"},
		{5, "5B"},
		{999, "999B"},
		{1000, "1kB"},
		{1001, "1.01kB"},
		{1010, "1.01kB"},
		{1011, "1.02kB"},
		{1100, "1.1kB"},
		{1999, "2kB"},
		{9999, "10kB"},
		{12345, "12.4kB"},
		{12400, "12.4kB"},
		{19999, "20kB"},
		{99999, "100kB"},
		{100000, "100kB"},
		{100001, "101kB"},
		{999999, "1MB"},
		{1_000_000, "1MB"},
		{1_240_000, "1.24MB"},
		{1_235_000, "1.24MB"},
		{234_500_000, "235MB"},
		{235_000_000, "235MB"},
		{1_200_000_000, "1.2GB"},
		{1_000_000_000_000, "1TB"},
		{1<<63 - 1, "9.23EB"},
	}
	for _, tt := range tests {
		if got := FormatSize(tt.n); got != tt.want {
			t.Errorf("FormatSize(%d) = %q, want %q", tt.n, got, tt.want)
		}
	}
}

func TestFormatDuration(t *testing.T) {
	const day = 24 * time.Hour
	tests := []struct {
		d    time.Duration
		want string
	}{
		{day + 2*time.Hour, "1d2h"},
		{time.Hour + 5*time.Minute, "1h5min"},
		{3*time.Minute + 4*time.Second, "3min4s"},
		{12500 * time.Millisecond, "12.5s"},
		{450 * time.Millisecond, "450ms"},
		{0, "0ns"},
		{time.Second, "1s"},
		{12050 * time.Millisecond, "12.05s"},
		{59999600 * time.Microsecond, "1min"},
		{time.Minute, "1min"},
		{59*time.Minute + 59*time.Second + 600*time.Millisecond, "1h"},
		{2 * time.Hour, "2h"},
		{23*time.Hour + 59*time.Minute + 40*time.Second, "1d"},
		{3 * day, "3d"},
		{day + 90*time.Minute, "1d2h"},
		{400 * day, "1y35d"},
		{1500 * time.Microsecond, "1.5ms"},
		{999600 * time.Microsecond, "1s"},
		{2500 * time.Nanosecond, "2.5us"},
		{17 * time.Nanosecond, "17ns"},
		{-(3*time.Minute + 4*time.Second), "-3min4s"},
	}
	for _, tt := range tests {
		if got := FormatDuration(tt.d); got != tt.want {
			t.Errorf("FormatDuration(%v) = %q, want %q", tt.d, got, tt.want)
		}
	}
}

func TestHashesAndPaths(t *testing.T) {
	full := "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	if got, want := ShortHash(full), "e3b0c44298fc"; got != want {
		t.Errorf("ShortHash = %q, want %q", got, want)
	}
	if got := ShortHash("abc"); got != "abc" {
		t.Errorf("ShortHash(short) = %q", got)
	}
	if got, want := Hex([]byte{0x00, 0xab, 0xff}), "00abff"; got != want {
		t.Errorf("Hex = %q, want %q", got, want)
	}
	tests := []struct{ in, want string }{
		{"bin/hello.hvt", "bin/hello.hvt"},
		{"bin/with space.bin", "bin/with%20space.bin"},
		{"a?b#c/d%e", "a%3Fb%23c/d%25e"},
		{"job;name", "job%3Bname"},
		{"ünï", "%C3%BCn%C3%AF"},
		{"x/../y", "x/../y"}, // paths are validated at upload; escaping keeps segments
	}
	for _, tt := range tests {
		if got := PathEscape(tt.in); got != tt.want {
			t.Errorf("PathEscape(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
