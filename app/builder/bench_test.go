package builder

import (
	"bytes"
	"crypto/sha256"
	"io"
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/builder-web/builder-web/internal/testkit/testenv"
)

func BenchmarkDecodeLargeArtifact(b *testing.B) {
	data, err := os.ReadFile(testenv.Vector(b, "large_artifact.full"))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Decode(data); err != nil {
			b.Fatal(err)
		}
	}
}

// genReader produces size bytes of artifact data from a repeated block,
// so a huge record is streamed without ever being held in memory.
type genReader struct {
	block []byte
	left  int64
	off   int
}

func (g *genReader) Read(p []byte) (int, error) {
	if g.left == 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > g.left {
		p = p[:g.left]
	}
	n := 0
	for n < len(p) {
		k := copy(p[n:], g.block[g.off:])
		n += k
		g.off = (g.off + k) % len(g.block)
	}
	g.left -= int64(n)
	return n, nil
}

func genBlock() []byte {
	block := make([]byte, 64<<10)
	x := uint32(2463534242)
	for i := range block {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		block[i] = byte(x)
	}
	return block
}

// syntheticRecord returns a reader of a whole record with one artifact of
// size bytes: the encoded framing followed by generated contents.
func syntheticRecord(tb testing.TB, size int64, block []byte) io.Reader {
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	h := Header{
		Job:     Job{Name: "big", Script: "#!/bin/sh\nhead -c 1073741824 /dev/urandom\n", Platform: "debian-12"},
		Console: []ConsoleLine{{Delta: 1e9, Data: "done"}, {Delta: 1e6, Data: "+ head"}},
		Start:   start,
		Finish:  start.Add(time.Hour),
	}
	prefix, err := framing(&h, []string{"bin/big.bin"}, []int64{size})
	if err != nil {
		tb.Fatal(err)
	}
	prefix = appendHeader(prefix, tagSequence, fileLen("bin/big.bin", size))
	prefix = appendString(prefix, "bin/big.bin")
	prefix = appendHeader(prefix, tagUTF8String, size)
	return io.MultiReader(bytes.NewReader(prefix), &genReader{block: block, left: size})
}

// sink consumes bytes; it has no ReadFrom, so copies go through the buffer
// the caller gives, as when writing a staging file.
type sink struct{}

func (sink) Write(p []byte) (int, error) { return len(p), nil }

// streamArtifact decodes a record and copies its single artifact to w.
func streamArtifact(tb testing.TB, r io.Reader, w io.Writer, buf []byte) int64 {
	d := NewDecoder(r)
	_, size, data, err := d.Next()
	if err != nil {
		tb.Fatal(err)
	}
	n, err := io.CopyBuffer(w, data, buf)
	if err != nil || n != size {
		tb.Fatalf("copied %d of %d bytes: %v", n, size, err)
	}
	if _, _, _, err := d.Next(); err != io.EOF {
		tb.Fatalf("Next after the artifact = %v, want io.EOF", err)
	}
	return n
}

const gib = 1 << 30

// BenchmarkDecodeStream1GiB decodes a 1 GiB record streamed from a
// generator; compare its MB/s with BenchmarkSHA256, the hashing the upload
// path does on the same bytes, and its B/op with the 1 GiB it streams.
func BenchmarkDecodeStream1GiB(b *testing.B) {
	block, buf := genBlock(), make([]byte, 256<<10)
	b.SetBytes(gib)
	b.ReportAllocs()
	for b.Loop() {
		streamArtifact(b, syntheticRecord(b, gib, block), sink{}, buf)
	}
}

func BenchmarkSHA256(b *testing.B) {
	block, buf := genBlock(), make([]byte, 256<<10)
	b.SetBytes(gib)
	b.ReportAllocs()
	for b.Loop() {
		h := sha256.New()
		if _, err := io.CopyBuffer(h, &genReader{block: block, left: gib}, buf); err != nil {
			b.Fatal(err)
		}
		h.Sum(nil)
	}
}

// BenchmarkDecodeStreamSHA256 is the upload path's work: decode and hash.
func BenchmarkDecodeStreamSHA256(b *testing.B) {
	block, buf := genBlock(), make([]byte, 256<<10)
	b.SetBytes(gib)
	b.ReportAllocs()
	for b.Loop() {
		streamArtifact(b, syntheticRecord(b, gib, block), sha256.New(), buf)
	}
}

// Streaming a 256 MiB artifact must not cost memory in proportion to it.
func TestStreamAllocations(t *testing.T) {
	const size = 256 << 20
	block, buf := genBlock(), make([]byte, 256<<10)
	r := syntheticRecord(t, size, block)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	n := streamArtifact(t, r, sink{}, buf)
	runtime.ReadMemStats(&after)
	if n != size {
		t.Fatalf("streamed %d bytes, want %d", n, size)
	}
	if got := after.TotalAlloc - before.TotalAlloc; got >= 4<<20 {
		t.Errorf("streaming %d bytes allocated %d bytes, want < 4 MiB", size, got)
	} else {
		t.Logf("streaming %d bytes allocated %d bytes", size, got)
	}
}
