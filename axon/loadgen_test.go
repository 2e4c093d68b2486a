package axon_test

import (
	"bufio"
	"encoding/gob"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// The throughput benchmark runs its clients in a child process (this test
// binary re-executed with loadgenEnv set), so that the parent's CPU time
// is the server's alone. The child stays up for the whole benchmark and runs
// one round of requests each time the parent asks, so that rounds against
// the two servers can alternate quickly (load from elsewhere on the machine
// then hits both alike) without a process start or new connections per
// round.
const loadgenEnv = "GOTENSOR_AXON_LOADGEN"

func TestMain(m *testing.M) {
	if spec := os.Getenv(loadgenEnv); spec != "" {
		os.Exit(runLoadGen(spec, os.Stdin, os.Stdout))
	}
	os.Exit(m.Run())
}

// loadSpec is what the child reads from the spec file: the rounds it will
// be asked to run, each against one address.
type loadSpec struct {
	Clients int
	Rounds  []loadRound
}

type loadRound struct {
	Addr     string
	Requests []loadRequest
}

type loadRequest struct {
	Route   string
	Headers http.Header
	Body    []byte
}

// runLoadGen loads the spec, then for each line "k" read from in runs round
// k with Clients concurrent keep-alive connections (one pool per address,
// kept between rounds) and writes the wall time of the round in nanoseconds,
// or "fail <status>" if an answer was not 200. It returns when in ends.
func runLoadGen(path string, in io.Reader, out io.Writer) int {
	f, err := os.Open(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	var spec loadSpec
	err = gob.NewDecoder(bufio.NewReader(f)).Decode(&spec)
	_ = f.Close()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	clients := map[string]*http.Client{}
	sc := bufio.NewScanner(in)
	for sc.Scan() {
		k, err := strconv.Atoi(strings.TrimSpace(sc.Text()))
		if err != nil || k < 0 || k >= len(spec.Rounds) {
			fmt.Fprintf(out, "fail bad round %q\n", sc.Text())
			continue
		}
		round := spec.Rounds[k]
		client := clients[round.Addr]
		if client == nil {
			client = &http.Client{Transport: &http.Transport{
				MaxConnsPerHost: spec.Clients, MaxIdleConnsPerHost: spec.Clients,
			}}
			clients[round.Addr] = client
		}
		wall, status := runRound(client, round, spec.Clients)
		if status != http.StatusOK {
			fmt.Fprintf(out, "fail %d\n", status)
			continue
		}
		fmt.Fprintln(out, wall.Nanoseconds())
	}
	return 0
}

// runRound sends every request of the round with n concurrent clients and
// returns the wall time and 200, or the first other status seen.
func runRound(client *http.Client, round loadRound, n int) (time.Duration, int) {
	var next, bad atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for range n {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= len(round.Requests) {
					return
				}
				r := round.Requests[i]
				w := wireRequest{route: r.Route, headers: r.Headers, body: r.Body}
				if status := trySend(client, round.Addr, w); status != http.StatusOK {
					bad.CompareAndSwap(0, int64(status))
					return
				}
			}
		})
	}
	wg.Wait()
	wall := time.Since(start)
	if s := bad.Load(); s != 0 {
		return wall, int(s)
	}
	return wall, http.StatusOK
}

// loadGen is the parent's handle on a running load generator child.
type loadGen struct {
	in   io.WriteCloser
	out  *bufio.Scanner
	stop func() // ends the child and waits for it; idempotent
}

// startLoadGen writes the rounds to a spec file and starts the child. It is
// stopped (stdin closed, process waited for) by stop, or when tb ends.
func startLoadGen(tb testing.TB, clients int, rounds []loadRound) *loadGen {
	tb.Helper()
	path := tb.TempDir() + "/load.gob"
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	bw := bufio.NewWriter(f)
	if err := gob.NewEncoder(bw).Encode(loadSpec{Clients: clients, Rounds: rounds}); err != nil {
		tb.Fatal(err)
	}
	if err := bw.Flush(); err != nil {
		tb.Fatal(err)
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$", "-test.bench=^$")
	cmd.Env = append(os.Environ(), loadgenEnv+"="+path)
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		tb.Fatal(err)
	}
	outPipe, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	g := &loadGen{in: in, out: bufio.NewScanner(outPipe)}
	g.stop = sync.OnceFunc(func() {
		// The child returns when its stdin ends. Wait only now, when the
		// benchmark has finished reading its stdout (Wait closes the pipe).
		_ = in.Close()
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	})
	tb.Cleanup(g.stop)
	return g
}

// run asks the child to run round k and returns its wall time and the CPU
// time this (server) process spent meanwhile.
func (g *loadGen) run(tb testing.TB, k int) (wall, serverCPU time.Duration) {
	tb.Helper()
	cpu0 := processCPU()
	if _, err := fmt.Fprintln(g.in, k); err != nil {
		tb.Fatalf("load generator: %v", err)
	}
	if !g.out.Scan() {
		tb.Fatalf("load generator exited: %v", g.out.Err())
	}
	serverCPU = processCPU() - cpu0
	line := g.out.Text()
	ns, err := strconv.ParseInt(line, 10, 64)
	if err != nil {
		tb.Fatalf("load generator round %d: %s", k, line)
	}
	return time.Duration(ns), serverCPU
}
