package wallet

import (
	"syscall"
	"time"
)

// processCPU is the CPU time (user + system) this process has consumed.
// Benchmarks on a shared, overloaded machine report it next to wall time: it
// does not grow when other processes steal the CPU. Process rather than
// thread time, because Argon2 and the GC run on other goroutines.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
