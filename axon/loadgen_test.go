package axon_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"testing"
	"time"
)

// The throughput benchmark runs its clients in a child process (this test
// binary re-executed with loadgenEnv set), so that the parent's CPU time
// is the server's alone.
const loadgenEnv = "GOTENSOR_AXON_LOADGEN"

func TestMain(m *testing.M) {
	if spec := os.Getenv(loadgenEnv); spec != "" {
		os.Exit(runLoadGen(spec))
	}
	os.Exit(m.Run())
}

type loadSpec struct {
	Addr     string        `json:"addr"`
	Clients  int           `json:"clients"`
	Requests []loadRequest `json:"requests"`
}

type loadRequest struct {
	Route   string      `json:"route"`
	Headers http.Header `json:"headers"`
	Body    []byte      `json:"body"`
}

// runLoadGen sends every request of the spec file with Clients concurrent
// keep-alive connections and prints the wall time of the sending phase in
// nanoseconds. Exit status 1 if any answer is not 200.
func runLoadGen(path string) int {
	raw, err := os.ReadFile(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	var spec loadSpec
	if err := json.Unmarshal(raw, &spec); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	reqs := make([]wireRequest, len(spec.Requests))
	for i, r := range spec.Requests {
		reqs[i] = wireRequest{route: r.Route, headers: r.Headers, body: r.Body}
	}
	client := &http.Client{Transport: &http.Transport{MaxConnsPerHost: spec.Clients, MaxIdleConnsPerHost: spec.Clients}}
	var next int
	var mu sync.Mutex
	var wg sync.WaitGroup
	failed := false
	start := time.Now()
	for range spec.Clients {
		wg.Go(func() {
			for {
				mu.Lock()
				i := next
				next++
				mu.Unlock()
				if i >= len(reqs) {
					return
				}
				if status := trySend(client, spec.Addr, reqs[i]); status != http.StatusOK {
					mu.Lock()
					failed = true
					mu.Unlock()
					return
				}
			}
		})
	}
	wg.Wait()
	fmt.Println(time.Since(start).Nanoseconds())
	if failed {
		return 1
	}
	return 0
}

// runLoad runs the load generator against addr and returns the wall time
// of its sending phase and the CPU time this (server) process spent
// meanwhile.
func runLoad(tb testing.TB, addr string, clients int, reqs []wireRequest) (wall, serverCPU time.Duration) {
	tb.Helper()
	spec := loadSpec{Addr: addr, Clients: clients}
	for _, r := range reqs {
		spec.Requests = append(spec.Requests, loadRequest{Route: r.route, Headers: r.headers, Body: r.body})
	}
	raw, err := json.Marshal(spec)
	if err != nil {
		tb.Fatal(err)
	}
	path := tb.TempDir() + "/load.json"
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		tb.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$", "-test.bench=^$")
	cmd.Env = append(os.Environ(), loadgenEnv+"="+path)
	cpu0 := processCPU()
	out, err := cmd.Output()
	serverCPU = processCPU() - cpu0
	if err != nil {
		tb.Fatalf("load generator: %v", err)
	}
	ns, err := strconv.ParseInt(string(trimNL(out)), 10, 64)
	if err != nil {
		tb.Fatalf("load generator output %q: %v", out, err)
	}
	return time.Duration(ns), serverCPU
}

func trimNL(b []byte) []byte {
	for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == '\r') {
		b = b[:len(b)-1]
	}
	return b
}
