package neuron

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"

	st "github.com/gotensor/gotensor/subtensor"
	"github.com/gotensor/gotensor/wallet"
)

// CommonFlags are the Python SDK's wallet, subtensor and logging flags,
// under the same names, shared by the miner and the validator programs.
type CommonFlags struct {
	NetUID        uint
	WalletName    string
	WalletHotkey  string
	WalletPath    string
	Network       string
	ChainEndpoint string
	Debug         bool
}

// Register adds the flags to fs with the Python SDK's defaults.
func (c *CommonFlags) Register(fs *flag.FlagSet) {
	fs.UintVar(&c.NetUID, "netuid", 1, "subnet netuid")
	fs.StringVar(&c.WalletName, "wallet.name", "default", "wallet name (a directory under --wallet.path)")
	fs.StringVar(&c.WalletHotkey, "wallet.hotkey", "default", "hotkey name")
	fs.StringVar(&c.WalletPath, "wallet.path", wallet.DefaultWalletPath, "wallet root directory")
	fs.StringVar(&c.Network, "subtensor.network", "finney", "network: finney, test, archive, local, or a ws:// / wss:// URL")
	fs.StringVar(&c.ChainEndpoint, "subtensor.chain_endpoint", "", "node URL; overrides --subtensor.network")
	fs.BoolVar(&c.Debug, "logging.debug", false, "log at debug level")
}

// Validate checks the values flags cannot check by themselves.
func (c *CommonFlags) Validate() error {
	if c.NetUID == 0 || c.NetUID > 0xffff {
		return fmt.Errorf("--netuid must be 1..65535 (0 is the root network), not %d", c.NetUID)
	}
	return nil
}

// Target is what subtensor.Dial is given: the endpoint if set, else the
// network name or URL.
func (c *CommonFlags) Target() string {
	if c.ChainEndpoint != "" {
		return c.ChainEndpoint
	}
	return c.Network
}

// Hotkey opens the wallet's hotkey (unencrypted, as btcli writes it).
func (c *CommonFlags) Hotkey() (*wallet.Keypair, error) {
	kp, err := wallet.Open(c.WalletPath, c.WalletName, c.WalletHotkey).Hotkey()
	if err != nil {
		return nil, fmt.Errorf("open hotkey %s/%s: %w", c.WalletName, c.WalletHotkey, err)
	}
	return kp, nil
}

// Logger logs text to w at info, or debug with --logging.debug.
func (c *CommonFlags) Logger(w io.Writer) *slog.Logger {
	level := slog.LevelInfo
	if c.Debug {
		level = slog.LevelDebug
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level}))
}

// Dial connects to the chain named by the flags.
func (c *CommonFlags) Dial(ctx context.Context, log *slog.Logger) (*st.Client, error) {
	client, err := st.Dial(ctx, c.Target(), st.WithLogger(log))
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", c.Target(), err)
	}
	return client, nil
}
