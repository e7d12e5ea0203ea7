package cli

import (
	"flag"
	"io"
	"reflect"
	"testing"
)

func TestParseInterspersed(t *testing.T) {
	for _, tc := range []struct {
		args    []string
		wantPos []string
		wantD   string
		wantU   bool
	}{
		{[]string{"alice"}, []string{"alice"}, "", false},
		{[]string{"--datadir", "/d", "alice", "--unrestricted"}, []string{"alice"}, "/d", true},
		{[]string{"alice", "-d", "/x", "job"}, []string{"alice", "job"}, "/x", false},
		{[]string{"--", "-weird"}, []string{"-weird"}, "", false},
	} {
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		d := fs.String("datadir", "", "")
		fs.StringVar(d, "d", "", "")
		u := fs.Bool("unrestricted", false, "")
		pos, err := Parse(fs, tc.args)
		if err != nil {
			t.Fatalf("Parse(%q): %v", tc.args, err)
		}
		if !reflect.DeepEqual(pos, tc.wantPos) || *d != tc.wantD || *u != tc.wantU {
			t.Errorf("Parse(%q) = %q, d=%q u=%v; want %q, %q, %v", tc.args, pos, *d, *u, tc.wantPos, tc.wantD, tc.wantU)
		}
	}
}

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{"1": 1, "2G": 2 << 30, "512M": 512 << 20, "4KiB": 4096, "1g": 1 << 30} {
		got, err := ParseSize(in)
		if err != nil || got != want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "x", "-1", "0", "9999999999T"} {
		if _, err := ParseSize(in); err == nil {
			t.Errorf("ParseSize(%q) succeeded, want error", in)
		}
	}
}
