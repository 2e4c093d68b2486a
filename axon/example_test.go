package axon_test

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/gotensor/gotensor/axon"
	"github.com/gotensor/gotensor/dendrite"
	"github.com/gotensor/gotensor/synapse/synapsetest"
	"github.com/gotensor/gotensor/wallet"
)

// A miner serving the subnet template's Dummy synapse, queried by a
// validator's dendrite.
func Example() {
	minerKey, _ := wallet.KeypairFromURI("//Alice")
	validatorKey, _ := wallet.KeypairFromURI("//Bob")

	a := axon.New(minerKey, axon.WithAddr("127.0.0.1:0"), axon.WithLogger(slog.New(slog.DiscardHandler)))
	axon.Attach(a,
		func(ctx context.Context, s *synapsetest.Dummy) (*synapsetest.Dummy, error) {
			out := s.DummyInput * 2
			s.DummyOutput = &out
			return s, nil
		},
		axon.WithBlacklist(func(ctx context.Context, s *synapsetest.Dummy) (bool, string) {
			// The hotkey is authenticated when the blacklist runs.
			return s.Dendrite.GetHotkey() != validatorKey.SS58Address(), "not a validator"
		}),
		axon.WithPriority(func(ctx context.Context, s *synapsetest.Dummy) float64 {
			return float64(s.DummyInput)
		}),
	)
	if err := a.Start(); err != nil {
		panic(err)
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = a.Stop(ctx)
	}()

	d := dendrite.New(validatorKey)
	defer d.Close()
	target := dendrite.Endpoint{Addr: a.Addr(), Hotkey: minerKey.SS58Address()}
	res, err := dendrite.Call(context.Background(), d, target, synapsetest.NewDummy(21))
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Dendrite.GetStatusCode(), res.Dendrite.GetStatusMessage(), *res.DummyOutput)
	// Output: 200 Success 42
}
