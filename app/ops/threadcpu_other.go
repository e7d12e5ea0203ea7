//go:build !unix

package ops

import "time"

// threadCPU is not measured here (see threadcpu_unix.go).
func threadCPU() time.Duration { return 0 }
