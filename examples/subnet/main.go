// Command subnet shows how a subnet creator defines a protocol and serves
// it: a custom synapse whose request fields are covered by the signed body
// hash (RequiredHashFields) and whose answer is a Tensor, and a streaming
// synapse that sends tokens as an LLM subnet does. It starts a miner axon on
// 127.0.0.1 and queries it with a dendrite:
//
//	go run ./examples/subnet
//	go run ./examples/subnet --prompt "the quick brown fox" --max-tokens 3 --dims 16
//
// protocol.go is the part a subnet publishes; miner.go is the miner's side
// and client.go the validator's.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/gotensor/gotensor/axon"
)

type config struct {
	Text      string
	Dims      int
	Prompt    string
	MaxTokens int
}

func main() {
	var cfg config
	flag.StringVar(&cfg.Text, "text", "bittensor subnets reward useful work", "text to embed")
	flag.IntVar(&cfg.Dims, "dims", 8, "embedding size")
	flag.StringVar(&cfg.Prompt, "prompt", "miners stream tokens to validators one line at a time", "prompt to stream a completion for")
	flag.IntVar(&cfg.MaxTokens, "max-tokens", 6, "tokens to generate")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Stdout, cfg); err != nil {
		fmt.Fprintln(os.Stderr, "subnet:", err)
		os.Exit(1)
	}
}

// run starts the miner, makes one Embed call and one Generate stream, and
// stops the miner.
func run(ctx context.Context, out io.Writer, cfg config) (err error) {
	minerKey, clientKey, err := demoKeys()
	if err != nil {
		return err
	}
	miner := newMinerAxon(minerKey, withLoopback(), axon.WithLogger(slog.New(slog.DiscardHandler)))
	if err := miner.Start(); err != nil {
		return fmt.Errorf("start miner: %w", err)
	}
	defer func() {
		if stopErr := miner.Stop(context.WithoutCancel(ctx)); err == nil {
			err = stopErr
		}
	}()
	fmt.Fprintf(out, "miner %s serving Embed and Generate on %s\n", minerKey.SS58Address(), miner.Addr())

	c := newClient(clientKey)
	defer c.Close()
	target := endpoint(miner)

	vec, err := c.Embed(ctx, target, cfg.Text, cfg.Dims)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "Embed(%q, dims=%d) → %.3f\n", cfg.Text, cfg.Dims, vec)

	fmt.Fprintf(out, "Generate(%q, max_tokens=%d) streaming:", cfg.Prompt, cfg.MaxTokens)
	completion, err := c.Generate(ctx, target, cfg.Prompt, cfg.MaxTokens, func(token string) {
		fmt.Fprintf(out, " [%s]", token)
	})
	fmt.Fprintln(out)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "completion: %q\n", completion)
	return nil
}
