package dendrite_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/gotensor/gotensor/axon"
	"github.com/gotensor/gotensor/dendrite"
	"github.com/gotensor/gotensor/synapse/synapsetest"
	"github.com/gotensor/gotensor/wallet"
)

// farmEnv, set to a number n, makes this test binary serve n axons instead
// of running tests: the cross-process fan-out benchmark starts it as a
// child, so that the axons' CPU is not the dendrite's.
const farmEnv = "GOTENSOR_DENDRITE_AXON_FARM"

func TestMain(m *testing.M) {
	if n := os.Getenv(farmEnv); n != "" {
		os.Exit(serveFarm(n, os.Stdin, os.Stdout))
	}
	// No test may leave a goroutine behind: connections, expiry timers and
	// cancellation hooks all end with the dendrite.
	goleak.VerifyTestMain(m)
}

// minerKey is the hotkey of farm axon i.
func minerKey(i int) (*wallet.Keypair, error) {
	return wallet.KeypairFromURI("//Miner" + strconv.Itoa(i))
}

// serveFarm starts n axons on 127.0.0.1 (hotkeys //Miner0.. //Miner{n-1},
// Dummy forward doubling its input), writes "addr hotkey" for each, then
// "ready", and serves until in ends.
func serveFarm(nText string, in io.Reader, out io.Writer) int {
	n, err := strconv.Atoi(nText)
	if err != nil || n < 1 {
		fmt.Fprintln(os.Stderr, "bad axon count", nText)
		return 2
	}
	axons := make([]*axon.Axon, 0, n)
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		for _, a := range axons {
			_ = a.Stop(ctx)
		}
	}()
	w := bufio.NewWriter(out)
	for i := range n {
		key, err := minerKey(i)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 2
		}
		a := axon.New(key, axon.WithAddr("127.0.0.1:0"), axon.WithLogger(quiet()), axon.WithMaxConcurrent(4))
		axon.Attach(a, func(_ context.Context, s *synapsetest.Dummy) (*synapsetest.Dummy, error) {
			v := s.DummyInput * 2
			s.DummyOutput = &v
			return s, nil
		})
		if err := a.Start(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 2
		}
		axons = append(axons, a)
		fmt.Fprintln(w, a.Addr(), key.SS58Address())
	}
	fmt.Fprintln(w, "ready")
	if err := w.Flush(); err != nil {
		return 2
	}
	_, _ = io.Copy(io.Discard, in) // serve until the parent closes our stdin
	return 0
}

// startFarm runs serveFarm(n) in a child process and returns its axons as
// targets. The child is stopped (stdin closed, then waited for; killed if it
// does not exit) when tb ends.
func startFarm(tb testing.TB, n int) []dendrite.Target {
	tb.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$", "-test.bench=^$")
	cmd.Env = append(os.Environ(), farmEnv+"="+strconv.Itoa(n))
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		tb.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	stop := sync.OnceFunc(func() {
		_ = stdin.Close()
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	})
	tb.Cleanup(stop)
	targets := make([]dendrite.Target, 0, n)
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		line := sc.Text()
		if line == "ready" {
			break
		}
		addr, hotkey, ok := strings.Cut(line, " ")
		if !ok {
			stop()
			tb.Fatalf("axon farm: unexpected line %q", line)
		}
		targets = append(targets, dendrite.Endpoint{Addr: addr, Hotkey: hotkey})
	}
	if len(targets) != n {
		stop()
		tb.Fatalf("axon farm: %d of %d axons (%v)", len(targets), n, sc.Err())
	}
	return targets
}
