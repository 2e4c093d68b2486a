package dendrite_test

import (
	"context"
	"net"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/gotensor/gotensor/dendrite"
	"github.com/gotensor/gotensor/synapse/synapsetest"
)

// TestIntegrationUvicornAxon calls a FastAPI app served by uvicorn, the
// server Python miners run (testdata/uvicorn_axon.py answers as the axon
// does, without verifying signatures), on both client paths: answers merge
// into the synapse, concurrent calls share the pool, an error status comes
// through, and a call after uvicorn has closed the idle keep-alive
// connection (its timeout is 5 s) succeeds on a new one.
//
// GOTENSOR_PYTHON names a python3 with fastapi and uvicorn;
// scripts/integration.sh installs Debian's packages and sets it.
func TestIntegrationUvicornAxon(t *testing.T) {
	py := os.Getenv("GOTENSOR_PYTHON")
	if py == "" {
		t.Skip("GOTENSOR_PYTHON is not set (scripts/integration.sh sets it to a python3 with fastapi and uvicorn)")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := ln.Addr().(*net.TCPAddr).Port
	require.NoError(t, ln.Close())
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, py, "testdata/uvicorn_axon.py", strconv.Itoa(port))
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { cancel(); _ = cmd.Wait() })
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	require.Eventually(t, func() bool {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			_ = c.Close()
		}
		return err == nil
	}, 30*time.Second, 50*time.Millisecond, "uvicorn did not start")

	alice := mustKey(t, "//Alice")
	target := dendrite.Endpoint{Addr: addr, Hotkey: alice.SS58Address()}
	forEachPath(t, func(t *testing.T, p clientPath) {
		d := p.dendrite(t)
		call := func(in int) *synapsetest.Dummy {
			t.Helper()
			res, err := dendrite.Call(context.Background(), d, target, synapsetest.NewDummy(in))
			require.NoError(t, err)
			require.True(t, res.IsSuccess(), "%d %s", res.Dendrite.GetStatusCode(), res.Dendrite.GetStatusMessage())
			require.Equal(t, 2*in, *res.DummyOutput)
			require.Equal(t, "Success", res.Axon.GetStatusMessage())
			require.Equal(t, d.UUID(), res.Dendrite.GetUUID(), "the echoed dendrite fields merge back")
			return res
		}
		call(1)
		call(2)

		targets := make([]dendrite.Target, 16)
		for i := range targets {
			targets[i] = target
		}
		for i, r := range dendrite.Forward(context.Background(), d, targets, synapsetest.NewDummy(5)) {
			require.True(t, r.IsSuccess(), "target %d: %s", i, r.Dendrite.GetStatusMessage())
			require.Equal(t, 10, *r.DummyOutput)
		}

		res, err := dendrite.Call(context.Background(), d, target, &BrokenDummy{Dummy: *synapsetest.NewDummy(1)})
		require.NoError(t, err)
		require.Equal(t, 500, res.Dendrite.GetStatusCode())
		require.Equal(t, "Internal Server Error #1", res.Axon.GetStatusMessage())

		// uvicorn closes a keep-alive connection after 5 idle seconds.
		time.Sleep(6 * time.Second)
		call(3)
	})
}

// BrokenDummy is a Dummy sent to the /Broken route.
type BrokenDummy struct {
	synapsetest.Dummy
}

func (*BrokenDummy) SynapseName() string { return "Broken" }
