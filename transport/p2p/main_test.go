package p2p

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package if goroutines outlive the tests. Every Host is
// closed by its test (Close waits for our stream handlers), so anything
// left over is a leak of ours or of go-libp2p. The ignores below are
// go-libp2p and dependency goroutines that are process-wide by design and
// never stop, not per-host ones.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, libp2pIgnores()...)
}

func libp2pIgnores() []goleak.Option {
	return []goleak.Option{}
}
