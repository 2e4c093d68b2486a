package p2p

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// goTool is the go command of the toolchain running the tests.
func goTool() string { return filepath.Join(runtime.GOROOT(), "bin", "go") }

// TestCorePackagesDoNotLinkLibp2p: programs that import only the core
// packages must not pay for libp2p. This package imports them, never the
// reverse.
func TestCorePackagesDoNotLinkLibp2p(t *testing.T) {
	core := []string{
		"github.com/gotensor/gotensor/axon",
		"github.com/gotensor/gotensor/dendrite",
		"github.com/gotensor/gotensor/synapse",
		"github.com/gotensor/gotensor/wallet",
	}
	cmd := exec.Command(goTool(), append([]string{"list", "-deps"}, core...)...)
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	var offenders []string
	for _, dep := range strings.Fields(string(out)) {
		if strings.Contains(dep, "libp2p") || strings.Contains(dep, "multiformats") ||
			strings.Contains(dep, "quic-go") || strings.HasSuffix(dep, "/transport/p2p") {
			offenders = append(offenders, dep)
		}
	}
	require.Empty(t, offenders, "core packages depend on the p2p stack")
	require.Contains(t, string(out), "github.com/gotensor/gotensor/axon", "go list really listed the packages")
}
