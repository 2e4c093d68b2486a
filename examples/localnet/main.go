// Command localnet runs a whole Bittensor subnet in one process: an embedded
// chain (subtensor/localnet), a subnet registered and started, a validator
// and several miners of different quality serving real HTTP axons on
// 127.0.0.1, the validator querying them through the dendrite with the
// subnet template's Dummy synapse, scoring the answers, setting weights on
// the chain's rate limit, Yuma Consensus running every tempo, and emission
// flowing to the better miners.
//
//	go run ./examples/localnet
//	go run ./examples/localnet --miners 8 --epochs 20 --tempo 10 --block-time 100ms --seed 7 --out chart.png
//
// Each miner answers dummy_input×2 correctly on a fixed fraction of queries
// (its quality) and wrongly otherwise; the validator rewards exact answers.
// At the end the program prints the rank correlation between quality and
// incentive and writes a PNG chart of incentive per miner over epochs.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"
)

func main() {
	cfg := defaultConfig()
	flag.IntVar(&cfg.Miners, "miners", cfg.Miners, "number of miners (2–64)")
	flag.IntVar(&cfg.Epochs, "epochs", cfg.Epochs, "epochs to run (the first one hands out validator permits)")
	flag.IntVar(&cfg.Tempo, "tempo", cfg.Tempo, "blocks per epoch")
	flag.DurationVar(&cfg.BlockTime, "block-time", cfg.BlockTime, "wall time per block (0 runs as fast as the machine allows)")
	flag.Uint64Var(&cfg.Seed, "seed", cfg.Seed, "seed for the quality assignment and the validator's queries")
	flag.StringVar(&cfg.Out, "out", cfg.Out, "PNG path of the incentive chart")
	flag.BoolVar(&cfg.Verbose, "v", false, "log every query round and the neurons' debug logs")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if _, err := run(ctx, os.Stdout, cfg); err != nil {
		fmt.Fprintln(os.Stderr, "localnet:", err)
		os.Exit(1)
	}
}

func defaultConfig() config {
	return config{
		Miners:    6,
		Epochs:    12,
		Tempo:     10,
		BlockTime: 50 * time.Millisecond,
		Seed:      1,
		Out:       filepath.Join(os.TempDir(), "gotensor-localnet-incentive.png"),
	}
}
