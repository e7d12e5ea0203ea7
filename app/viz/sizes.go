package viz

import (
	"debug/elf"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
)

// Area is one rectangle of the treemap: a library (with its modules as
// Children), an ELF section's remaining bytes, or the unaccounted bytes.
type Area struct {
	Name     string
	Size     int64
	Children []Area
}

// Sizes is what a binary's bytes are made of. The top-level areas add up to
// FileSize: symbols grouped into libraries and modules, the rest of each
// section, and the bytes outside every section (headers, padding).
type Sizes struct {
	FileSize int64
	Areas    []Area
}

// ErrNoSymbols says the ELF file has no symbol table (a stripped binary).
var ErrNoSymbols = errors.New("no symbol table")

// maxSymtab bounds the symbol and string tables read into memory (a
// binary with 20,000 symbols has about 1 MiB of them).
const maxSymtab = 64 << 20

// Unaccounted names the bytes that are in no section.
const Unaccounted = "unaccounted"

// BinarySizes reads the ELF symbol table of r (size bytes long): each
// symbol's bytes, clipped to its section and not counted twice where
// symbols overlap (aliases), go to the library and module its OCaml name
// names (OCamlName); the section's other bytes become "<section>"; non-OCaml
// symbols are grouped under "(C and runtime)".
func BinarySizes(r io.ReaderAt, size int64) (*Sizes, error) {
	f, err := elf.NewFile(r)
	if err != nil {
		return nil, fmt.Errorf("%w: not an ELF file: %v", ErrUnusable, err)
	}
	// Symbols() reads the whole symbol and string tables: bound them.
	for _, name := range []string{".symtab", ".strtab"} {
		if sec := f.Section(name); sec != nil && sec.Size > maxSymtab {
			return nil, fmt.Errorf("%w: %s of %d bytes", ErrUnusable, name, sec.Size)
		}
	}
	syms, err := f.Symbols()
	if errors.Is(err, elf.ErrNoSymbols) || (err == nil && len(syms) == 0) {
		return nil, ErrNoSymbols
	}
	if err != nil {
		return nil, fmt.Errorf("%w: symbols: %v", ErrUnusable, err)
	}
	bySection := make(map[int][]elf.Symbol)
	for _, s := range syms {
		if s.Size == 0 || int(s.Section) <= 0 || int(s.Section) >= len(f.Sections) {
			continue
		}
		t := elf.ST_TYPE(s.Info)
		if t != elf.STT_FUNC && t != elf.STT_OBJECT {
			continue
		}
		bySection[int(s.Section)] = append(bySection[int(s.Section)], s)
	}
	libs := map[string]map[string]int64{}
	var areas []Area
	var inSections int64
	for i, sec := range f.Sections {
		if sec.Type == elf.SHT_NOBITS || sec.Type == elf.SHT_NULL || sec.FileSize == 0 {
			continue
		}
		// FileSize, not Size: a compressed debug section is smaller in the
		// file than its Size, which debug/elf reports uncompressed.
		if sec.Offset+sec.FileSize > uint64(size) {
			return nil, fmt.Errorf("%w: section %s past the end of the file", ErrUnusable, sec.Name)
		}
		inSections += int64(sec.FileSize)
		ss := bySection[i]
		sort.Slice(ss, func(a, b int) bool { return ss[a].Value < ss[b].Value })
		var covered int64
		end := sec.Addr // bytes before end are counted already
		for _, s := range ss {
			lo, hi := max(s.Value, end, sec.Addr), min(s.Value+s.Size, sec.Addr+sec.Size)
			if hi <= lo {
				continue
			}
			lib, mod := OCamlName(s.Name)
			if libs[lib] == nil {
				libs[lib] = map[string]int64{}
			}
			libs[lib][mod] += int64(hi - lo)
			covered += int64(hi - lo)
			end = hi
		}
		if rest := int64(sec.FileSize) - covered; rest > 0 {
			areas = append(areas, Area{Name: sec.Name, Size: rest})
		}
	}
	for lib, mods := range libs {
		a := Area{Name: lib}
		for mod, n := range mods {
			a.Children = append(a.Children, Area{Name: mod, Size: n})
			a.Size += n
		}
		sortAreas(a.Children)
		areas = append(areas, a)
	}
	// Sections do not overlap in the file of a well-formed binary; if they
	// do, the excess is taken from "unaccounted" rather than reported.
	if rest := size - inSections; rest > 0 {
		areas = append(areas, Area{Name: Unaccounted, Size: rest})
	}
	sortAreas(areas)
	return &Sizes{FileSize: size, Areas: areas}, nil
}

// sortAreas orders areas largest first, by name when equal, so output is
// deterministic (the cache file is keyed by its input).
func sortAreas(as []Area) {
	sort.Slice(as, func(i, j int) bool {
		if as[i].Size != as[j].Size {
			return as[i].Size > as[j].Size
		}
		return as[i].Name < as[j].Name
	})
}

// NonOCaml is the library of symbols whose names are not OCaml's.
const NonOCaml = "(C and runtime)"

// OCamlName splits an OCaml symbol into library and module:
// camlMirage_crypto__Cipher_block__encrypt_123 is module Cipher_block of
// library mirage-crypto; camlFoo__bar_12 (a module without library prefix)
// is module Foo of library foo. Other symbols are NonOCaml, module their
// own name's first word.
func OCamlName(sym string) (lib, mod string) {
	rest, ok := strings.CutPrefix(sym, "caml")
	if !ok || rest == "" || rest[0] < 'A' || rest[0] > 'Z' {
		return NonOCaml, "(other)"
	}
	parts := strings.Split(rest, "__")
	// Only the last part can carry the stamp: in camlLib_7__Mod_3__f_5,
	// Lib_7 and Mod_3 are names.
	stamp := func(i int) string {
		if i == len(parts)-1 {
			return trimStamp(parts[i])
		}
		return parts[i]
	}
	first := stamp(0)
	lib = strings.ToLower(strings.ReplaceAll(first, "_", "-"))
	if len(parts) >= 2 && parts[1] != "" && parts[1][0] >= 'A' && parts[1][0] <= 'Z' {
		return lib, stamp(1)
	}
	return lib, first
}

// trimStamp drops the `_<digits>` OCaml appends to function names.
func trimStamp(s string) string {
	i := strings.LastIndexByte(s, '_')
	if i <= 0 || i == len(s)-1 {
		return s
	}
	for _, c := range s[i+1:] {
		if c < '0' || c > '9' {
			return s
		}
	}
	return s[:i]
}
