// Package solo5 reads the two ELF notes a Solo5 unikernel (a MirageOS .hvt,
// .spt, .xen, … binary) carries: the application manifest, which lists the
// devices the unikernel needs, and the ABI note, which names the tender it
// runs on. It reads them as robur's solo5-elftool does (query_manifest and
// query_abi), which the reference builder-web uses (reference §6.1, §6.5).
package solo5

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
)

// ErrNotSolo5 says that a file is not a Solo5 unikernel: not a 64-bit ELF
// file, or one without Solo5 note sections. Most main binaries are such
// files (OS packages), so callers treat it as "nothing to show".
var ErrNotSolo5 = errors.New("solo5: not a solo5 unikernel")

// The layout is solo5's include/solo5/mft_abi.h and elf_abi.h (solo5 0.6 and
// later) for LP64 targets, the only ones solo5 supports.
const (
	manifestSection = ".note.solo5.manifest"
	abiSection      = ".note.solo5.abi"

	noteOwner        = "Solo5"
	noteTypeManifest = 0x3154464d // "MFT1"
	noteTypeABI      = 0x31494241 // "ABI1"
	// noteHeaderSize is an Elf64_Nhdr (namesz, descsz, type) followed by
	// the owner "Solo5\0" padded to 4 bytes: where the descriptor starts.
	noteHeaderSize = 12 + 8

	// The manifest descriptor begins with 4 bytes of padding: struct mft
	// holds 64-bit fields, so the compiler aligns it to 8 within struct
	// mft1_note, after the 20-byte note header. Then come version and
	// entries (uint32 each) and the entries.
	manifestHeaderSize = 4 + 4 + 4
	manifestVersion    = 1
	maxEntries         = 64
	// entrySize is sizeof(struct mft_entry): name[68], type (uint32), the
	// properties union u (16 bytes), the backing union b (8 bytes), the
	// attached flag, then padding to 8.
	entrySize       = 104
	nameSize        = 68
	entryTypeOffset = 68
	entryUOffset    = 72
	entryUSize      = 16
	entryBOffset    = 88
	entryBSize      = 8
	entryAttached   = 96
	maxManifestDesc = manifestHeaderSize + maxEntries*entrySize

	typeBlockBasic    = 1
	typeNetBasic      = 2
	typeReservedFirst = 1 << 30

	// abiDescSize is struct abi1_info: target, version, two reserved words.
	abiDescSize = 16

	// elfReadBudget bounds what debug/elf may read to parse the file and
	// section headers and the section name table: real unikernels need a
	// few kilobytes, and a hostile header must not make us read (and
	// allocate) a large file whole.
	elfReadBudget = 4 << 20
)

// Device types as the reference's JSON names them.
const (
	BlockBasic = "BLOCK_BASIC"
	NetBasic   = "NET_BASIC"
)

// targets maps enum abi_target to the names of the reference's JSON.
var targets = map[uint32]string{1: "hvt", 2: "spt", 3: "virtio", 4: "muen", 5: "genode", 6: "xen"}

// Info is what a unikernel's notes say. Either field is nil when its note is
// missing or malformed; Read never returns an Info with both nil.
type Info struct {
	Manifest *Manifest
	ABI      *ABI
}

// Manifest is the application manifest: the devices the unikernel needs, in
// the order of the manifest.
type Manifest struct {
	Version int
	Devices []Device
}

// Device is one manifest entry; Type is BlockBasic or NetBasic.
type Device struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

// ABI is the tender the unikernel was built for (Target: hvt, spt, virtio,
// muen, genode or xen) and the version of that tender's ABI.
type ABI struct {
	Target  string
	Version int
}

// Read reads the Solo5 notes of an ELF file. It reads only the headers and
// the two note sections, never the whole file. A file that is no Solo5
// unikernel gives ErrNotSolo5; one whose notes are all malformed gives an
// error saying why. When one note is readable and the other is not, Read
// returns the readable one and no error, since each is shown on its own
// (reference §6.5).
func Read(r io.ReaderAt) (*Info, error) {
	f, err := openELF(r)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNotSolo5, err)
	}
	if f.Class != elf.ELFCLASS64 {
		return nil, fmt.Errorf("%w: %v file", ErrNotSolo5, f.Class)
	}
	msec, asec := f.Section(manifestSection), f.Section(abiSection)
	if msec == nil && asec == nil {
		return nil, fmt.Errorf("%w: no Solo5 note sections", ErrNotSolo5)
	}
	var info Info
	var errs []error
	if msec != nil {
		desc, err := readNote(r, f.ByteOrder, msec, noteTypeManifest, maxManifestDesc)
		if err == nil {
			info.Manifest, err = parseManifest(desc, f.ByteOrder)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("solo5 manifest: %w", err))
		}
	}
	if asec != nil {
		desc, err := readNote(r, f.ByteOrder, asec, noteTypeABI, abiDescSize)
		if err == nil {
			info.ABI, err = parseABI(desc, f.ByteOrder)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("solo5 abi: %w", err))
		}
	}
	if info.Manifest == nil && info.ABI == nil {
		return nil, errors.Join(errs...)
	}
	return &info, nil
}

// openELF parses the ELF headers within elfReadBudget.
func openELF(r io.ReaderAt) (f *elf.File, err error) {
	// debug/elf has had panics on malformed input before (it is fuzzed,
	// but artifacts are uploaded by anyone with an account): a bad file
	// must cost a request its solo5 line, never the process.
	defer func() {
		if p := recover(); p != nil {
			f, err = nil, fmt.Errorf("malformed ELF file: %v", p)
		}
	}()
	return elf.NewFile(&budgetReader{r: r, left: elfReadBudget})
}

// budgetReader fails reads once n bytes have been read in total.
type budgetReader struct {
	r    io.ReaderAt
	left int64
}

var errBudget = errors.New("ELF headers too large")

func (b *budgetReader) ReadAt(p []byte, off int64) (int, error) {
	if int64(len(p)) > b.left {
		return 0, errBudget
	}
	b.left -= int64(len(p))
	return b.r.ReadAt(p, off)
}

// readNote reads a section holding exactly one Solo5 note of type typ and
// returns its descriptor, of at most maxDesc bytes.
func readNote(r io.ReaderAt, bo binary.ByteOrder, s *elf.Section, typ uint32, maxDesc int) ([]byte, error) {
	if s.Type == elf.SHT_NOBITS || s.Flags&elf.SHF_COMPRESSED != 0 {
		return nil, fmt.Errorf("section %s holds no note", s.Name)
	}
	// The descriptor's padding to 4 bytes is the most that may follow it.
	size := s.FileSize
	if size < noteHeaderSize || size > uint64(noteHeaderSize+maxDesc+3) {
		return nil, fmt.Errorf("section %s: size %d out of range", s.Name, size)
	}
	if s.Offset > math.MaxInt64-size {
		return nil, fmt.Errorf("section %s: offset %d out of range", s.Name, s.Offset)
	}
	buf := make([]byte, size)
	if n, err := r.ReadAt(buf, int64(s.Offset)); n < len(buf) {
		if err == nil {
			err = io.ErrUnexpectedEOF
		}
		return nil, fmt.Errorf("section %s: %w", s.Name, err)
	}
	namesz, descsz, ntype := bo.Uint32(buf[0:]), bo.Uint32(buf[4:]), bo.Uint32(buf[8:])
	if namesz != uint32(len(noteOwner)+1) || string(buf[12:12+namesz]) != noteOwner+"\x00" {
		return nil, fmt.Errorf("section %s: note owner is not %s", s.Name, noteOwner)
	}
	if ntype != typ {
		return nil, fmt.Errorf("section %s: note type %#x, want %#x", s.Name, ntype, typ)
	}
	rest := size - noteHeaderSize
	if uint64(descsz) > rest {
		return nil, fmt.Errorf("section %s: note descriptor of %d bytes truncated to %d", s.Name, descsz, rest)
	}
	if rest-uint64(descsz) >= 4 {
		return nil, fmt.Errorf("section %s: %d bytes after the note", s.Name, rest-uint64(descsz))
	}
	return buf[noteHeaderSize : noteHeaderSize+descsz], nil
}

// parseManifest reads struct mft as solo5-elftool checks it: version 1,
// 1 to 64 entries filling the descriptor exactly, a first entry of type
// RESERVED_FIRST (solo5 puts it there) and only block and net devices after
// it, with no runtime state (u, b, attached) filled in.
func parseManifest(desc []byte, bo binary.ByteOrder) (*Manifest, error) {
	if len(desc) < manifestHeaderSize+entrySize {
		return nil, fmt.Errorf("descriptor of %d bytes too small", len(desc))
	}
	version, entries := bo.Uint32(desc[4:]), bo.Uint32(desc[8:])
	if version != manifestVersion {
		return nil, fmt.Errorf("unsupported version %d", version)
	}
	if entries == 0 || entries > maxEntries {
		return nil, fmt.Errorf("%d entries, want 1 to %d", entries, maxEntries)
	}
	body := desc[manifestHeaderSize:]
	if len(body) != int(entries)*entrySize {
		return nil, fmt.Errorf("%d entries in %d bytes", entries, len(body))
	}
	m := &Manifest{Version: int(version), Devices: make([]Device, 0, entries-1)}
	for i := range int(entries) {
		d, err := parseEntry(body[i*entrySize:(i+1)*entrySize], bo, i == 0)
		if err != nil {
			return nil, fmt.Errorf("entry %d: %w", i, err)
		}
		if i > 0 {
			m.Devices = append(m.Devices, d)
		}
	}
	return m, nil
}

func parseEntry(e []byte, bo binary.ByteOrder, first bool) (Device, error) {
	name := e[:nameSize]
	typ := bo.Uint32(e[entryTypeOffset:])
	if !zero(e[entryUOffset : entryUOffset+entryUSize]) {
		return Device{}, errors.New("non-zero device properties")
	}
	if !zero(e[entryBOffset : entryBOffset+entryBSize]) {
		return Device{}, errors.New("non-zero backing")
	}
	if e[entryAttached] != 0 {
		return Device{}, errors.New("device marked attached")
	}
	if first {
		if typ != typeReservedFirst || !zero(name) {
			return Device{}, errors.New("first entry is not RESERVED_FIRST")
		}
		return Device{}, nil
	}
	end := bytes.IndexByte(name, 0)
	if end < 0 {
		return Device{}, errors.New("unterminated device name")
	}
	d := Device{Name: string(name[:end])}
	switch typ {
	case typeBlockBasic:
		d.Type = BlockBasic
	case typeNetBasic:
		d.Type = NetBasic
	case typeReservedFirst:
		return Device{}, errors.New("RESERVED_FIRST not first")
	default:
		return Device{}, fmt.Errorf("unknown device type %d", typ)
	}
	return d, nil
}

// parseABI reads struct abi1_info.
func parseABI(desc []byte, bo binary.ByteOrder) (*ABI, error) {
	if len(desc) != abiDescSize {
		return nil, fmt.Errorf("descriptor of %d bytes, want %d", len(desc), abiDescSize)
	}
	target, ok := targets[bo.Uint32(desc[0:])]
	if !ok {
		return nil, fmt.Errorf("unknown target %d", bo.Uint32(desc[0:]))
	}
	if bo.Uint32(desc[8:]) != 0 || bo.Uint32(desc[12:]) != 0 {
		return nil, errors.New("non-zero reserved fields")
	}
	return &ABI{Target: target, Version: int(bo.Uint32(desc[4:]))}, nil
}

func zero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// DevicesLine is the build page's sentence about the devices (reference
// §6.5): block devices first, then net devices, each in manifest order, with
// names quoted as OCaml's %S quotes them.
func (m *Manifest) DevicesLine() string {
	var block, net []string
	for _, d := range m.Devices {
		switch d.Type {
		case BlockBasic:
			block = append(block, quote(d.Name))
		case NetBasic:
			net = append(net, quote(d.Name))
		}
	}
	switch {
	case len(block) == 0 && len(net) == 0:
		return "with no devices in solo5 manifest"
	case len(net) == 0:
		return "with block devices " + strings.Join(block, ", ")
	case len(block) == 0:
		return "with net devices " + strings.Join(net, ", ")
	}
	return "with block devices " + strings.Join(block, ", ") + ", and net devices " + strings.Join(net, ", ")
}

// quote is OCaml's %S (String.escaped in quotes), which the reference's
// line uses; names are bytes from the binary, so anything may be in them.
func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '"', '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case '\n':
			b.WriteString(`\n`)
		case '\t':
			b.WriteString(`\t`)
		case '\r':
			b.WriteString(`\r`)
		case '\b':
			b.WriteString(`\b`)
		default:
			if c < ' ' || c > '~' {
				fmt.Fprintf(&b, `\%03d`, c)
			} else {
				b.WriteByte(c)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}

// MarshalJSON writes the reference's "solo5_manifest" object:
// {"type": "solo5.manifest", "version": 1, "devices": [{"name", "type"}…]}.
func (m Manifest) MarshalJSON() ([]byte, error) {
	devices := m.Devices
	if devices == nil {
		devices = []Device{}
	}
	return json.Marshal(struct {
		Type    string   `json:"type"`
		Version int      `json:"version"`
		Devices []Device `json:"devices"`
	}{"solo5.manifest", m.Version, devices})
}

// MarshalJSON writes the reference's "solo5_abi" object:
// {"type": "solo5.abi", "target": "hvt", "version": 2}.
func (a ABI) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Type    string `json:"type"`
		Target  string `json:"target"`
		Version int    `json:"version"`
	}{"solo5.abi", a.Target, a.Version})
}
