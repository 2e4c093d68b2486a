package evm

import (
	"testing"

	"go.uber.org/goleak"
)

// Nothing in this package may leave a goroutine running.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
