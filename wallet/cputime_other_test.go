//go:build !linux

package wallet

import "time"

// processCPU is unavailable here; benchmarks then report only wall time.
func processCPU() time.Duration { return 0 }
