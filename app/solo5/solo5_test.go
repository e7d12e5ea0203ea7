package solo5_test

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/builder-web/builder-web/app/solo5"
	"github.com/builder-web/builder-web/internal/testkit/solo5test"
)

type dev = solo5test.Device

var (
	block = solo5test.BlockDevice
	net   = solo5test.NetDevice
)

// The manifests the reference's devices line distinguishes (§6.5).
var manifests = []struct {
	name    string
	devs    []dev
	want    []solo5.Device
	line    string
	devJSON string
}{
	{"none", nil, []solo5.Device{},
		"with no devices in solo5 manifest", `[]`},
	{"one block", []dev{block("storage")},
		[]solo5.Device{{"storage", solo5.BlockBasic}},
		`with block devices "storage"`, `[{"name":"storage","type":"BLOCK_BASIC"}]`},
	{"one net", []dev{net("service")},
		[]solo5.Device{{"service", solo5.NetBasic}},
		`with net devices "service"`, `[{"name":"service","type":"NET_BASIC"}]`},
	{"two block one net", []dev{block("a"), net("x"), block("b")},
		[]solo5.Device{{"a", solo5.BlockBasic}, {"x", solo5.NetBasic}, {"b", solo5.BlockBasic}},
		`with block devices "a", "b", and net devices "x"`,
		`[{"name":"a","type":"BLOCK_BASIC"},{"name":"x","type":"NET_BASIC"},{"name":"b","type":"BLOCK_BASIC"}]`},
	{"longest name", []dev{net(strings.Repeat("n", 67))},
		[]solo5.Device{{strings.Repeat("n", 67), solo5.NetBasic}},
		`with net devices "` + strings.Repeat("n", 67) + `"`,
		`[{"name":"` + strings.Repeat("n", 67) + `","type":"NET_BASIC"}]`},
}

func TestReadManifest(t *testing.T) {
	for _, tc := range manifests {
		t.Run(tc.name, func(t *testing.T) {
			info, err := solo5.Read(bytes.NewReader(solo5test.Unikernel(solo5test.HVT, tc.devs...)))
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			if info.Manifest == nil || info.ABI == nil {
				t.Fatalf("Read = %+v, want manifest and ABI", info)
			}
			if got := info.Manifest.Devices; !reflect.DeepEqual(got, tc.want) {
				t.Errorf("devices = %#v, want %#v", got, tc.want)
			}
			if got := info.Manifest.DevicesLine(); got != tc.line {
				t.Errorf("DevicesLine = %q, want %q", got, tc.line)
			}
			b, err := json.Marshal(info.Manifest)
			if err != nil {
				t.Fatal(err)
			}
			want := `{"type":"solo5.manifest","version":1,"devices":` + tc.devJSON + `}`
			if string(b) != want {
				t.Errorf("manifest JSON = %s, want %s", b, want)
			}
		})
	}
}

func TestReadABI(t *testing.T) {
	for target, name := range map[uint32]string{
		solo5test.HVT: "hvt", solo5test.SPT: "spt", solo5test.Virtio: "virtio",
		solo5test.Muen: "muen", solo5test.Genode: "genode", solo5test.Xen: "xen",
	} {
		t.Run(name, func(t *testing.T) {
			info, err := solo5.Read(bytes.NewReader(solo5test.Unikernel(target)))
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			if want := (&solo5.ABI{Target: name, Version: 2}); !reflect.DeepEqual(info.ABI, want) {
				t.Errorf("ABI = %+v, want %+v", info.ABI, want)
			}
			b, err := json.Marshal(info.ABI)
			if err != nil {
				t.Fatal(err)
			}
			if want := `{"type":"solo5.abi","target":"` + name + `","version":2}`; string(b) != want {
				t.Errorf("ABI JSON = %s, want %s", b, want)
			}
		})
	}
}

// OCaml's %S escapes what is not printable ASCII; the line quotes the same.
func TestDevicesLineQuoting(t *testing.T) {
	m := solo5.Manifest{Devices: []solo5.Device{{`a"b\c`, solo5.NetBasic}, {"t\tab\x01é", solo5.NetBasic}}}
	want := `with net devices "a\"b\\c", "t\tab\001\195\169"`
	if got := m.DevicesLine(); got != want {
		t.Errorf("DevicesLine = %s, want %s", got, want)
	}
}

// Each note is optional: one alone is enough, and a malformed one does not
// hide the other.
func TestReadOneNote(t *testing.T) {
	bad := solo5test.ManifestNote()
	bad.Desc[4] = 2 // version
	for _, tc := range []struct {
		name        string
		notes       []solo5test.Note
		mft, abi    bool
		errContains string
	}{
		{name: "manifest only", notes: []solo5test.Note{solo5test.ManifestNote()}, mft: true},
		{name: "abi only", notes: []solo5test.Note{solo5test.ABINote(solo5test.SPT, 1)}, abi: true},
		{name: "bad manifest, good abi", notes: []solo5test.Note{bad, solo5test.ABINote(solo5test.HVT, 1)}, abi: true},
		{name: "bad manifest only", notes: []solo5test.Note{bad}, errContains: "unsupported version 2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			info, err := solo5.Read(bytes.NewReader(solo5test.ELF(tc.notes...)))
			if tc.errContains != "" {
				if err == nil || !strings.Contains(err.Error(), tc.errContains) || errors.Is(err, solo5.ErrNotSolo5) {
					t.Fatalf("Read = %+v, %v; want an error about %q", info, err, tc.errContains)
				}
				return
			}
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			if (info.Manifest != nil) != tc.mft || (info.ABI != nil) != tc.abi {
				t.Errorf("Read = %+v, want manifest %v, ABI %v", info, tc.mft, tc.abi)
			}
		})
	}
}

func TestNotSolo5(t *testing.T) {
	elf32 := solo5test.Unikernel(solo5test.HVT)
	elf32[4] = 1 // ELFCLASS32: the header no longer parses as 64-bit
	self, err := os.Open(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	defer self.Close()
	for name, r := range map[string]interface {
		ReadAt([]byte, int64) (int, error)
	}{
		"empty":        bytes.NewReader(nil),
		"text":         strings.NewReader("\x7fELF binary hello\n"),
		"deb":          strings.NewReader("!<arch>\ndebian-binary   1700000000  0     0     100644  4         `\n2.0\n"),
		"no notes":     bytes.NewReader(solo5test.ELF()),
		"32-bit":       bytes.NewReader(elf32),
		"the test exe": self,
	} {
		t.Run(name, func(t *testing.T) {
			info, err := solo5.Read(r)
			if !errors.Is(err, solo5.ErrNotSolo5) {
				t.Errorf("Read = %+v, %v; want ErrNotSolo5", info, err)
			}
		})
	}
}

// Malformed notes are rejected with a reason, never a panic.
func TestMalformedNotes(t *testing.T) {
	le := binary.LittleEndian
	entries := func(n uint32) solo5test.Note {
		note := solo5test.ManifestNote()
		le.PutUint32(note.Desc[8:], n)
		return note
	}
	withDesc := func(f func(d []byte) []byte) solo5test.Note {
		note := solo5test.ManifestNote(net("net"))
		note.Desc = f(note.Desc)
		return note
	}
	entry1 := 12 + 104 // the device after RESERVED_FIRST
	for _, tc := range []struct {
		name string
		note solo5test.Note
		want string
	}{
		{"zero entries", entries(0), "0 entries"},
		{"too many entries", entries(65), "65 entries"},
		{"count beyond data", entries(2), "2 entries in 104 bytes"},
		{"huge count", entries(0xffffffff), "4294967295 entries"},
		{"too small", withDesc(func(d []byte) []byte { return d[:50] }), "too small"},
		{"extra entry bytes", withDesc(func(d []byte) []byte { return append(d, make([]byte, 8)...) }), "2 entries in 216 bytes"},
		{"no reserved first", withDesc(func(d []byte) []byte {
			le.PutUint32(d[8:], 1)
			return append(d[:12:12], d[entry1:]...)
		}), "first entry is not RESERVED_FIRST"},
		{"reserved later", withDesc(func(d []byte) []byte { le.PutUint32(d[entry1+68:], 1<<30); return d }), "RESERVED_FIRST not first"},
		{"unknown type", withDesc(func(d []byte) []byte { le.PutUint32(d[entry1+68:], 3); return d }), "unknown device type 3"},
		{"unterminated name", withDesc(func(d []byte) []byte {
			copy(d[entry1:entry1+68], strings.Repeat("x", 68))
			return d
		}), "unterminated"},
		{"attached", withDesc(func(d []byte) []byte { d[entry1+96] = 1; return d }), "attached"},
		{"properties", withDesc(func(d []byte) []byte { d[entry1+72] = 1; return d }), "properties"},
		{"backing", withDesc(func(d []byte) []byte { d[entry1+90] = 1; return d }), "backing"},
		{"wrong owner", func() solo5test.Note { n := solo5test.ManifestNote(); n.Owner = "Solo6"; return n }(), "owner"},
		{"long owner", func() solo5test.Note { n := solo5test.ManifestNote(); n.Owner = "Solo5Solo5"; return n }(), "owner"},
		{"wrong type", func() solo5test.Note { n := solo5test.ManifestNote(); n.Type = 0x31494241; return n }(), "note type"},
		{"trailing note", func() solo5test.Note {
			n := solo5test.ManifestNote()
			n.Trailer = solo5test.ManifestNote().Desc[:20]
			return n
		}(), "bytes after the note"},
		{"oversized", func() solo5test.Note {
			n := solo5test.ManifestNote()
			n.Desc = make([]byte, 1<<20)
			return n
		}(), "out of range"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			info, err := solo5.Read(bytes.NewReader(solo5test.ELF(tc.note)))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Read = %+v, %v; want an error containing %q", info, err, tc.want)
			}
		})
	}

	abi := func(f func(n *solo5test.Note)) solo5test.Note {
		n := solo5test.ABINote(solo5test.HVT, 1)
		f(&n)
		return n
	}
	for _, tc := range []struct {
		name string
		note solo5test.Note
		want string
	}{
		{"unknown target", abi(func(n *solo5test.Note) { n.Desc[0] = 7 }), "unknown target 7"},
		{"reserved", abi(func(n *solo5test.Note) { n.Desc[12] = 1 }), "reserved"},
		{"short", abi(func(n *solo5test.Note) { n.Desc = n.Desc[:12] }), "12 bytes"},
		{"long", abi(func(n *solo5test.Note) { n.Desc = append(n.Desc, 0, 0, 0, 0) }), "out of range"},
	} {
		t.Run("abi "+tc.name, func(t *testing.T) {
			info, err := solo5.Read(bytes.NewReader(solo5test.ELF(tc.note)))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Read = %+v, %v; want an error containing %q", info, err, tc.want)
			}
		})
	}
}

// Truncating a unikernel anywhere gives an error, not a panic or a partial
// manifest.
func TestTruncated(t *testing.T) {
	full := solo5test.Unikernel(solo5test.HVT, block("storage"), net("service"))
	for n := range len(full) {
		if info, err := solo5.Read(bytes.NewReader(full[:n])); err == nil {
			t.Fatalf("Read of %d of %d bytes = %+v, want an error", n, len(full), info)
		}
	}
}

// A section header pointing past the end of the file, or a section table
// that claims to be huge, is an error.
func TestHostileHeaders(t *testing.T) {
	le := binary.LittleEndian
	full := solo5test.Unikernel(solo5test.HVT, block("storage"))
	shoff := le.Uint64(full[40:])
	mutate := func(f func(b []byte)) []byte {
		b := bytes.Clone(full)
		f(b)
		return b
	}
	for name, b := range map[string][]byte{
		// Section 2 is the manifest note (0: null, 1: .text).
		"offset past end": mutate(func(b []byte) { le.PutUint64(b[shoff+2*64+24:], 1<<40) }),
		"offset overflow": mutate(func(b []byte) { le.PutUint64(b[shoff+2*64+24:], 1<<63+5) }),
		"size overflow":   mutate(func(b []byte) { le.PutUint64(b[shoff+2*64+32:], 1<<64-1) }),
		"nobits":          mutate(func(b []byte) { le.PutUint32(b[shoff+2*64+4:], 8) }),
		"huge shentsize":  mutate(func(b []byte) { le.PutUint16(b[58:], 0xffff) }),
	} {
		t.Run(name, func(t *testing.T) {
			info, err := solo5.Read(bytes.NewReader(b))
			if err == nil && info.Manifest != nil {
				t.Errorf("Read = %+v, want no manifest", info.Manifest)
			}
		})
	}
}

// Debug/elf reads no more than the read budget of headers, however large
// the file claims them to be.
func TestReadBudget(t *testing.T) {
	le := binary.LittleEndian
	b := solo5test.Unikernel(solo5test.HVT)
	shoff := le.Uint64(b[40:])
	// Make .shstrtab (the last section) claim 64 MiB of a file that has
	// them, as a big hostile binary would.
	last := uint64(le.Uint16(b[60:])) - 1
	le.PutUint64(b[shoff+last*64+24:], 0)
	le.PutUint64(b[shoff+last*64+32:], 64<<20)
	r := &countingReader{r: bytes.NewReader(append(b, make([]byte, 64<<20)...))}
	if _, err := solo5.Read(r); err == nil {
		t.Fatal("Read succeeded, want an error")
	}
	if r.n > 8<<20 {
		t.Errorf("read %d bytes, want at most the budget", r.n)
	}
}

type countingReader struct {
	r *bytes.Reader
	n int64
}

func (c *countingReader) ReadAt(p []byte, off int64) (int, error) {
	n, err := c.r.ReadAt(p, off)
	c.n += int64(n)
	return n, err
}

func FuzzRead(f *testing.F) {
	for _, tc := range manifests {
		f.Add(solo5test.Unikernel(solo5test.Xen, tc.devs...))
	}
	f.Add(solo5test.ELF())
	f.Add([]byte("\x7fELF"))
	f.Fuzz(func(t *testing.T, b []byte) {
		info, err := solo5.Read(bytes.NewReader(b))
		if err != nil {
			if info != nil {
				t.Fatalf("Read = %+v with error %v", info, err)
			}
			return
		}
		if info == nil || (info.Manifest == nil && info.ABI == nil) {
			t.Fatalf("Read = %+v, nil error, want a note", info)
		}
		if m := info.Manifest; m != nil {
			if len(m.Devices) > 63 {
				t.Fatalf("%d devices", len(m.Devices))
			}
			_ = m.DevicesLine()
		}
	})
}
