// Command miner is the bittensor subnet template's miner in Go: it serves
// the template's Dummy synapse (dummy_input in, dummy_output = 2 × input out)
// on an axon, announces the axon on chain, refuses unregistered callers and
// serves higher-stake callers first, and shuts down gracefully on SIGINT or
// SIGTERM. Flags are the Python SDK's.
//
//	go run ./examples/miner --netuid 1 --wallet.name miner --wallet.hotkey default \
//	    --subtensor.network local --axon.port 8091 --axon.external_ip 203.0.113.7
//
// It runs against any chain: finney, test, a local node (--subtensor.network
// local, ws://127.0.0.1:9944), or the in-process localnet in its test.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"strconv"
	"syscall"

	"github.com/gotensor/gotensor/examples/internal/neuron"
	st "github.com/gotensor/gotensor/subtensor"
	"github.com/gotensor/gotensor/wallet"
)

type config struct {
	neuron.CommonFlags
	AxonIP               string
	AxonPort             int
	AxonExternalIP       string
	AxonExternalPort     int
	AllowNonRegistered   bool
	ForceValidatorPermit bool

	hotkey    *wallet.Keypair // set by main from the wallet flags, or by tests
	log       *slog.Logger
	onServing func(addr string)
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("miner", flag.ContinueOnError)
	fs.SetOutput(stderr)
	c.Register(fs)
	fs.StringVar(&c.AxonIP, "axon.ip", "0.0.0.0", "address the axon binds to")
	fs.IntVar(&c.AxonPort, "axon.port", 8091, "port the axon binds to (0 picks a free one)")
	fs.StringVar(&c.AxonExternalIP, "axon.external_ip", "", "IP announced on chain (default: --axon.ip, which must then be a concrete address)")
	fs.IntVar(&c.AxonExternalPort, "axon.external_port", 0, "port announced on chain (default: the bound port)")
	fs.BoolVar(&c.AllowNonRegistered, "blacklist.allow_non_registered", false, "serve hotkeys that are not registered on the subnet")
	fs.BoolVar(&c.ForceValidatorPermit, "blacklist.force_validator_permit", false, "serve only hotkeys with a validator permit")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	if c.AxonPort < 0 || c.AxonPort > 65535 {
		return c, fmt.Errorf("--axon.port must be 0..65535, not %d", c.AxonPort)
	}
	return c, c.Validate()
}

func main() {
	cfg, err := parseFlags(os.Args[1:], os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "miner:", err)
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
	log.Error("miner stopped", "err", err)
	os.Exit(1)
}

// run serves until ctx ends, then stops gracefully; it returns nil after a
// clean shutdown.
func run(ctx context.Context, cfg config, chain st.Chain) error {
	if cfg.hotkey == nil {
		return errors.New("miner: no hotkey")
	}
	log := cfg.log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	log.Info("miner starting", "hotkey", cfg.hotkey.SS58Address(), "netuid", cfg.NetUID)
	return neuron.RunMiner(ctx, neuron.MinerConfig{
		NetUID:               st.NetUID(cfg.NetUID),
		Hotkey:               cfg.hotkey,
		ListenAddr:           net.JoinHostPort(cfg.AxonIP, strconv.Itoa(cfg.AxonPort)),
		ExternalIP:           cfg.AxonExternalIP,
		ExternalPort:         cfg.AxonExternalPort,
		Answer:               neuron.Double,
		AllowNonRegistered:   cfg.AllowNonRegistered,
		ForceValidatorPermit: cfg.ForceValidatorPermit,
		OnServing:            cfg.onServing,
		Logger:               log,
	}, chain)
}
