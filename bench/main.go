// Command bench measures gotensor's headline figures, each against a
// baseline measured in the same run, and prints every figure as a ratio:
//
//	axon          a Dummy request through the axon pipeline vs a bare
//	              net/http handler doing the same sr25519 verify and body hash
//	fan-out       dendrite.Forward to 32 axons vs one call to the slowest one
//	metagraph     metagraph.Sync of a 128-uid localnet subnet vs the raw
//	              NeuronsLite read it builds on
//	yuma          the chain-exact fixed-point epoch vs its float64 view
//	              (yuma.EpochFloat), n=256 with 64 validators
//	sign / verify sr25519 (wallet) vs ed25519 (Go standard library)
//
// Each side runs in interleaved rounds so both see the same machine load;
// the figures are medians of per-operation wall times.
//
//	go run ./bench                 # about 30 s
//	go run ./bench -time 500ms     # quicker, noisier
//	go test -bench . ./bench       # the same pairs as Benchmark functions
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"syscall"
	"text/tabwriter"
	"time"
)

func main() {
	budget := flag.Duration("time", 2*time.Second, "measuring time per figure and side (6 figures × 2 sides)")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if _, err := run(ctx, os.Stdout, *budget); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// figure is one measured pair.
type figure struct {
	Name     string
	What     string // the measured operation
	Baseline string // the baseline operation
	Value    time.Duration
	Base     time.Duration
}

// Ratio is Value / Base.
func (f figure) Ratio() float64 {
	if f.Base <= 0 {
		return 0
	}
	return float64(f.Value) / float64(f.Base)
}

func run(ctx context.Context, out io.Writer, budget time.Duration) ([]figure, error) {
	if budget <= 0 {
		return nil, fmt.Errorf("-time must be positive")
	}
	fmt.Fprintf(out, "gotensor benchmarks: %s/%s, %d CPUs, %s; %v per figure and side, medians of interleaved rounds\n\n",
		runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.Version(), budget)
	type bench struct {
		name string
		fn   func(context.Context, time.Duration) (figure, error)
	}
	var figs []figure
	for _, b := range []bench{
		{"axon", benchAxon},
		{"fan-out", benchFanout},
		{"metagraph", benchMetagraph},
		{"yuma", benchYuma},
		{"sign", benchSign},
		{"verify", benchVerify},
	} {
		if err := ctx.Err(); err != nil {
			return figs, err
		}
		fmt.Fprintf(out, "  measuring %s…\n", b.name)
		f, err := b.fn(ctx, budget)
		if err != nil {
			return figs, fmt.Errorf("%s: %w", b.name, err)
		}
		figs = append(figs, f)
	}
	fmt.Fprintln(out)
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "figure\tmeasured\tmedian\tbaseline\tmedian\tratio")
	for _, f := range figs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%.2f×\n", f.Name, f.What, fmtDur(f.Value), f.Baseline, fmtDur(f.Base), f.Ratio())
	}
	tw.Flush()
	return figs, nil
}

func fmtDur(d time.Duration) string {
	switch {
	case d < 10*time.Microsecond:
		return fmt.Sprintf("%.2f µs", float64(d)/1e3)
	case d < time.Millisecond:
		return fmt.Sprintf("%.1f µs", float64(d)/1e3)
	}
	return fmt.Sprintf("%.2f ms", float64(d)/1e6)
}
