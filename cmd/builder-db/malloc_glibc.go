//go:build linux && cgo

package main

/*
#include <malloc.h>

static void keep_freed_heap(int bytes) {
#ifdef M_TRIM_THRESHOLD
	mallopt(M_TRIM_THRESHOLD, bytes);
#endif
}
*/
import "C"

// keepFreedHeap stops glibc from handing freed C heap back to the kernel
// until bytes are free at its top. SQLite's triggers of the build table
// (repro_group's COUNT(DISTINCT)) open and close an ephemeral table per
// build, whose page cache glibc trimmed on every free: a madvise that
// flushes the TLB of every thread, a third of the CPU time of builder-db
// generate. Only the generator, a short-lived bulk load, sets it.
func keepFreedHeap(bytes int) { C.keep_freed_heap(C.int(bytes)) }
