//go:build !unix

package yuma

import "time"

func processCPU() time.Duration { return 0 }
