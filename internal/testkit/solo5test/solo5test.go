// Package solo5test writes small ELF files carrying Solo5 notes, laid out as
// solo5's mft_abi.h and elf_abi.h declare them, for tests of the solo5
// package and of the pages that show what it reads.
package solo5test

import (
	"bytes"
	"encoding/binary"
)

// Device is one manifest entry: Type is 1 (block), 2 (net) or anything else
// a test wants to see rejected.
type Device struct {
	Name string
	Type uint32
}

// BlockDevice and NetDevice are manifest entries of those types.
func BlockDevice(name string) Device { return Device{Name: name, Type: Block} }

func NetDevice(name string) Device { return Device{Name: name, Type: Net} }

// Device types of struct mft_entry.
const (
	Block         = 1
	Net           = 2
	ReservedFirst = 1 << 30
)

// ABI targets of enum abi_target.
const (
	HVT    = 1
	SPT    = 2
	Virtio = 3
	Muen   = 4
	Genode = 5
	Xen    = 6
)

// Note is one ELF section holding a note. Desc is the descriptor as is.
type Note struct {
	Section string
	Owner   string
	Type    uint32
	Desc    []byte
	// Trailer is appended to the section after the note.
	Trailer []byte
}

const (
	mftType = 0x3154464d
	abiType = 0x31494241
)

// ManifestDesc is the descriptor of a manifest note: 4 bytes of padding,
// version, entry count, a RESERVED_FIRST entry then devs.
func ManifestDesc(devs ...Device) []byte {
	var b bytes.Buffer
	le := binary.LittleEndian
	b.Write(make([]byte, 4))
	b.Write(le.AppendUint32(nil, 1))
	b.Write(le.AppendUint32(nil, uint32(len(devs)+1)))
	b.Write(Entry("", ReservedFirst))
	for _, d := range devs {
		b.Write(Entry(d.Name, d.Type))
	}
	return b.Bytes()
}

// Entry is one 104-byte struct mft_entry.
func Entry(name string, typ uint32) []byte {
	e := make([]byte, 104)
	copy(e[:68], name)
	binary.LittleEndian.PutUint32(e[68:], typ)
	return e
}

// ABIDesc is the descriptor of an ABI note.
func ABIDesc(target, version uint32) []byte {
	d := make([]byte, 16) // the reserved words stay zero
	binary.LittleEndian.PutUint32(d[0:], target)
	binary.LittleEndian.PutUint32(d[4:], version)
	return d
}

// ManifestNote and ABINote are well-formed notes.
func ManifestNote(devs ...Device) Note {
	return Note{Section: ".note.solo5.manifest", Owner: "Solo5", Type: mftType, Desc: ManifestDesc(devs...)}
}

func ABINote(target, version uint32) Note {
	return Note{Section: ".note.solo5.abi", Owner: "Solo5", Type: abiType, Desc: ABIDesc(target, version)}
}

// Unikernel is an ELF file with a manifest of devs and an ABI note.
func Unikernel(target uint32, devs ...Device) []byte {
	return ELF(ManifestNote(devs...), ABINote(target, 2))
}

// ELF is a little-endian x86-64 ELF64 executable without program headers
// whose sections are a .text, one section per note, and .shstrtab.
func ELF(notes ...Note) []byte {
	le := binary.LittleEndian
	type section struct {
		name      string
		typ, flag uint32
		data      []byte
		nameOff   uint32
		off       uint64
	}
	secs := []section{{name: ".text", typ: 1 /* PROGBITS */, flag: 6, data: []byte{0xf4, 0xeb, 0xfd}}}
	for _, n := range notes {
		var d []byte
		d = le.AppendUint32(d, uint32(len(n.Owner)+1))
		d = le.AppendUint32(d, uint32(len(n.Desc)))
		d = le.AppendUint32(d, n.Type)
		d = append(d, n.Owner...)
		d = append(d, 0)
		for len(d)%4 != 0 {
			d = append(d, 0)
		}
		d = append(d, n.Desc...)
		for len(d)%4 != 0 {
			d = append(d, 0)
		}
		d = append(d, n.Trailer...)
		secs = append(secs, section{name: n.Section, typ: 7 /* NOTE */, flag: 2, data: d})
	}
	strtab := []byte{0}
	for i := range secs {
		secs[i].nameOff = uint32(len(strtab))
		strtab = append(append(strtab, secs[i].name...), 0)
	}
	shstrName := uint32(len(strtab))
	strtab = append(append(strtab, ".shstrtab"...), 0)
	secs = append(secs, section{name: ".shstrtab", typ: 3 /* STRTAB */, data: strtab, nameOff: shstrName})

	const ehsize, shentsize = 64, 64
	out := make([]byte, ehsize)
	for i := range secs {
		for len(out)%8 != 0 {
			out = append(out, 0)
		}
		secs[i].off = uint64(len(out))
		out = append(out, secs[i].data...)
	}
	for len(out)%8 != 0 {
		out = append(out, 0)
	}
	shoff := uint64(len(out))
	out = append(out, make([]byte, shentsize)...) // the null section
	for _, s := range secs {
		sh := make([]byte, shentsize)
		le.PutUint32(sh[0:], s.nameOff)
		le.PutUint32(sh[4:], s.typ)
		le.PutUint64(sh[8:], uint64(s.flag))
		le.PutUint64(sh[24:], s.off)
		le.PutUint64(sh[32:], uint64(len(s.data)))
		le.PutUint64(sh[48:], 4) // addralign
		out = append(out, sh...)
	}

	copy(out, "\x7fELF")
	out[4] = 2                 // ELFCLASS64
	out[5] = 1                 // ELFDATA2LSB
	out[6] = 1                 // EV_CURRENT
	le.PutUint16(out[16:], 2)  // ET_EXEC
	le.PutUint16(out[18:], 62) // EM_X86_64
	le.PutUint32(out[20:], 1)  // EV_CURRENT
	le.PutUint64(out[40:], shoff)
	le.PutUint16(out[52:], ehsize)
	le.PutUint16(out[58:], shentsize)
	le.PutUint16(out[60:], uint16(len(secs)+1))
	le.PutUint16(out[62:], uint16(len(secs))) // .shstrtab is last
	return out
}
