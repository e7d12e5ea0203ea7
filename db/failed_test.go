package db

import (
	"testing"

	"github.com/builder-web/builder-web/app/builder"
)

// The failed-builds result filter classifies codes in SQL exactly as
// builder.UnpackResult does in Go (exited 0 apart, which the filter calls
// "exited0" so that "exited" means a non-zero code).
func TestSQLResultKindMatchesUnpack(t *testing.T) {
	d := newDB(t)
	msg := "path already existed"
	codes := []int64{0, 1, 255, 256, 2 << 8, 15 << 8, 0xFFFF, 65536, 1 << 16, 19 << 16, 0xFFFFFF, 0x1000000,
		-7 << 8, -11 << 8, -16 << 16, -1, -255, -1792, -65536}
	for _, code := range codes {
		for _, m := range []*string{nil, &msg} {
			var got string
			err := d.read.QueryRowContext(t.Context(),
				"SELECT "+sqlResultKind+" FROM (SELECT ? AS result_code, ? AS result_msg) AS build", code, m).Scan(&got)
			if err != nil {
				t.Fatal(err)
			}
			r := builder.UnpackResult(code, m)
			want := map[builder.ResultKind]string{
				builder.Exited: ResultExited, builder.Signalled: ResultSignalled,
				builder.Stopped: ResultStopped, builder.Msg: ResultAborted,
			}[r.Kind]
			if r.Kind == builder.Exited && r.Code == 0 {
				want = "exited0"
			}
			if got != want {
				t.Errorf("code %d msg %v: SQL says %s, UnpackResult %v (%s)", code, m != nil, got, r, want)
			}
		}
	}
}

func TestCursorRoundTrip(t *testing.T) {
	for _, c := range []Cursor{{}, {StartD: 20000, StartPS: 86399_999_999_999_999, ID: 7}, {StartD: -3, StartPS: 1, ID: 1 << 40}} {
		got, err := ParseCursor(c.String())
		if err != nil || got != c {
			t.Errorf("ParseCursor(%q) = %v, %v; want %v", c.String(), got, err, c)
		}
	}
	for _, bad := range []string{"", "1.2", "1.2.3.4", "a.b.c", "1.-1.3", "1.86400000000000000.3"} {
		if _, err := ParseCursor(bad); err == nil {
			t.Errorf("ParseCursor(%q) accepted", bad)
		}
	}
}
