//go:build !unix

package dendrite_test

import "time"

// processCPU is not measured on this platform; the CPU ratio then reads 0/0.
func processCPU() time.Duration { return 0 }
