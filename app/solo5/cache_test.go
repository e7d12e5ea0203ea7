package solo5_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/builder-web/builder-web/app/solo5"
	"github.com/builder-web/builder-web/internal/testkit/solo5test"
)

type file struct{ *bytes.Reader }

func (file) Close() error { return nil }

// The cache opens each artifact once, remembers "no unikernel" as well,
// forgets failed opens, and holds no more than its size.
func TestCache(t *testing.T) {
	c := solo5.NewCache(2)
	opens := 0
	opener := func(b []byte) func() (solo5.File, error) {
		return func() (solo5.File, error) {
			opens++
			return file{bytes.NewReader(b)}, nil
		}
	}
	uni := solo5test.Unikernel(solo5test.HVT, solo5test.NetDevice("service"))
	for range 3 {
		info, err := c.Read([]byte("uni"), opener(uni))
		if err != nil || info.Manifest == nil || info.Manifest.Devices[0].Name != "service" {
			t.Fatalf("Read = %+v, %v; want the manifest", info, err)
		}
		if _, err := c.Read([]byte("text"), opener([]byte("text"))); !errors.Is(err, solo5.ErrNotSolo5) {
			t.Fatalf("Read of text: %v, want ErrNotSolo5", err)
		}
	}
	if opens != 2 {
		t.Errorf("%d opens, want 2", opens)
	}

	gone := errors.New("gone")
	for range 2 {
		if _, err := c.Read([]byte("missing"), func() (solo5.File, error) { opens++; return nil, gone }); !errors.Is(err, gone) {
			t.Fatalf("Read of a missing file: %v, want %v", err, gone)
		}
	}
	if opens != 4 {
		t.Errorf("%d opens, want 4: a failed open is tried again", opens)
	}

	if _, err := c.Read([]byte("third"), opener(uni)); err != nil {
		t.Fatal(err)
	}
	if n := c.Len(); n != 2 {
		t.Errorf("Len = %d, want 2", n)
	}
	opens = 0
	c.Read([]byte("uni"), opener(uni)) // the oldest, forgotten
	if opens != 1 {
		t.Errorf("%d opens of the evicted entry, want 1", opens)
	}
}
