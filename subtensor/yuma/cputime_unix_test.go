//go:build unix

package yuma

import (
	"syscall"
	"time"
)

// processCPU returns user+system CPU time of this process. Benchmarks report
// it per op beside wall time because the shared CI machines are heavily
// contended: wall time then measures the scheduler, CPU time the code.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
