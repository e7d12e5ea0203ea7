// Command mkrecord writes a builder upload record with one large artifact
// of pseudo-random bytes, streamed, for upload benchmarks.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"time"

	"github.com/builder-web/builder-web/app/builder"
	"github.com/builder-web/builder-web/app/cli"
)

func main() {
	size := cli.Size(1 << 30)
	flag.Var(&size, "size", "artifact size (K/M/G suffixes)")
	out := flag.String("o", "big.full", "output file")
	job := flag.String("job", "bench-big", "job name")
	flag.Parse()
	if err := write(*out, *job, int64(size)); err != nil {
		fmt.Fprintln(os.Stderr, "mkrecord:", err)
		os.Exit(1)
	}
}

func write(path, job string, size int64) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	w := bufio.NewWriterSize(f, 1<<20)
	now := time.Now().UTC().Truncate(time.Millisecond)
	var id [16]byte
	r := rand.New(rand.NewPCG(uint64(now.UnixNano()), 1))
	for i := range id {
		id[i] = byte(r.Uint32())
	}
	id[6], id[8] = id[6]&0x0f|0x40, id[8]&0x3f|0x80
	h := &builder.Header{
		Job:    builder.Job{Name: job, Script: "#!/bin/sh\nbench\n", Platform: "debian-12"},
		UUID:   id,
		Start:  now.Add(-time.Minute),
		Finish: now,
	}
	files := []builder.FileSource{{
		Path: "bin/big.bin",
		Size: size,
		Open: func() (io.ReadCloser, error) {
			return io.NopCloser(io.LimitReader(&noise{r: r}, size)), nil
		},
	}}
	if err := builder.EncodeTo(w, h, files); err != nil {
		return err
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return f.Close()
}

// noise yields incompressible bytes quickly.
type noise struct{ r *rand.Rand }

func (n *noise) Read(p []byte) (int, error) {
	i := 0
	for ; i+8 <= len(p); i += 8 {
		v := n.r.Uint64()
		for k := 0; k < 8; k++ {
			p[i+k] = byte(v >> (8 * k))
		}
	}
	for ; i < len(p); i++ {
		p[i] = byte(n.r.Uint32())
	}
	return len(p), nil
}
