//go:build unix

package ops

import (
	"time"

	"golang.org/x/sys/unix"
)

// threadCPU is the CPU time the calling OS thread has used, or 0 when the
// system cannot tell. Generate reads it around its commits with the
// writer locked to its thread: on a shared machine the writer's wall time
// mostly measures waiting for a CPU.
func threadCPU() time.Duration {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts); err != nil {
		return 0
	}
	return time.Duration(ts.Nano())
}
