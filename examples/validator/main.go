// Command validator is the bittensor subnet template's validator in Go: at
// every block it resyncs the metagraph, queries the serving miners with the
// template's Dummy synapse through the dendrite, rewards exact answers
// (dummy_output == 2 × dummy_input), keeps a moving average of the rewards,
// and sets the normalized scores as weights whenever the subnet's
// weights_rate_limit allows. Miners that time out, refuse or answer garbage
// just earn nothing. SIGINT or SIGTERM stop it between steps. Flags are the
// Python SDK's.
//
//	go run ./examples/validator --netuid 1 --wallet.name validator --wallet.hotkey default \
//	    --subtensor.network local
//
// It runs against any chain: finney, test, a local node (--subtensor.network
// local, ws://127.0.0.1:9944), or the in-process localnet in its test.
// Subnets with commit-reveal on are not supported by this template (it
// reports the chain's refusal and keeps scoring).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/gotensor/gotensor/examples/internal/neuron"
	st "github.com/gotensor/gotensor/subtensor"
	"github.com/gotensor/gotensor/wallet"
)

type config struct {
	neuron.CommonFlags
	SampleSize   int
	Alpha        float64
	Timeout      time.Duration
	PollInterval time.Duration
	Seed         uint64

	hotkey  *wallet.Keypair // set by main from the wallet flags, or by tests
	log     *slog.Logger
	onRound func(neuron.Round)
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("validator", flag.ContinueOnError)
	fs.SetOutput(stderr)
	c.Register(fs)
	fs.IntVar(&c.SampleSize, "neuron.sample_size", 50, "miners queried per step (0: all)")
	fs.Float64Var(&c.Alpha, "neuron.moving_average_alpha", 0.1, "moving-average factor of the scores")
	fs.DurationVar(&c.Timeout, "neuron.timeout", 10*time.Second, "timeout of each query")
	fs.DurationVar(&c.PollInterval, "neuron.poll_interval", 2*time.Second, "how often to look for a new block")
	fs.Uint64Var(&c.Seed, "neuron.seed", 0, "seed of the query inputs and sampling (0: from the clock)")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	switch {
	case fs.NArg() > 0:
		return c, fmt.Errorf("unexpected arguments: %v", fs.Args())
	case c.SampleSize < 0:
		return c, fmt.Errorf("--neuron.sample_size must not be negative")
	case c.Alpha <= 0 || c.Alpha > 1:
		return c, fmt.Errorf("--neuron.moving_average_alpha must be in (0, 1], not %v", c.Alpha)
	case c.Timeout <= 0 || c.PollInterval <= 0:
		return c, fmt.Errorf("--neuron.timeout and --neuron.poll_interval must be positive")
	}
	if c.Seed == 0 {
		c.Seed = uint64(time.Now().UnixNano())
	}
	return c, c.Validate()
}

func main() {
	cfg, err := parseFlags(os.Args[1:], os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "validator:", err)
		os.Exit(2)
	}
	cfg.log = cfg.Logger(os.Stderr)
	if cfg.hotkey, err = cfg.Hotkey(); err != nil {
		fail(cfg.log, err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	client, err := cfg.Dial(ctx, cfg.log)
	if err != nil {
		fail(cfg.log, err)
	}
	defer client.Close()
	if err := run(ctx, cfg, client); err != nil {
		fail(cfg.log, err)
	}
}

func fail(log *slog.Logger, err error) {
	log.Error("validator stopped", "err", err)
	os.Exit(1)
}

// run validates until ctx ends and returns nil then; it returns an error
// only if the hotkey is not registered or the configuration is unusable.
func run(ctx context.Context, cfg config, chain st.Chain) error {
	if cfg.hotkey == nil {
		return errors.New("validator: no hotkey")
	}
	log := cfg.log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	log.Info("validator starting", "hotkey", cfg.hotkey.SS58Address(), "netuid", cfg.NetUID)
	err := neuron.RunValidator(ctx, neuron.ValidatorConfig{
		NetUID:       st.NetUID(cfg.NetUID),
		Hotkey:       cfg.hotkey,
		Alpha:        cfg.Alpha,
		Timeout:      cfg.Timeout,
		SampleSize:   cfg.SampleSize,
		Seed:         cfg.Seed,
		PollInterval: cfg.PollInterval,
		OnRound: func(r neuron.Round) {
			log.Info("step", "block", r.Block, "queried", len(r.Queried), "failed", r.Failed, "weights_set", r.WeightsSet)
			if cfg.onRound != nil {
				cfg.onRound(r)
			}
		},
		Logger: log,
	}, chain)
	log.Info("validator stopped")
	return err
}
