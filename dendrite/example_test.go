package dendrite_test

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/gotensor/gotensor/axon"
	"github.com/gotensor/gotensor/dendrite"
	"github.com/gotensor/gotensor/synapse/synapsetest"
	"github.com/gotensor/gotensor/wallet"
)

// Forward queries several miners at once; results come back in target
// order, failures included, each in its own copy of the synapse.
func ExampleForward() {
	var targets []dendrite.Target
	for i, uri := range []string{"//Alice", "//Charlie"} {
		key, _ := wallet.KeypairFromURI(uri)
		a := axon.New(key, axon.WithAddr("127.0.0.1:0"), axon.WithLogger(slog.New(slog.DiscardHandler)))
		factor := i + 2
		axon.Attach(a, func(ctx context.Context, s *synapsetest.Dummy) (*synapsetest.Dummy, error) {
			out := s.DummyInput * factor
			s.DummyOutput = &out
			return s, nil
		})
		if err := a.Start(); err != nil {
			panic(err)
		}
		defer a.Stop(context.Background())
		targets = append(targets, dendrite.Endpoint{Addr: a.Addr(), Hotkey: key.SS58Address()})
	}
	// An axon that is not there.
	targets = append(targets, dendrite.Endpoint{Addr: "127.0.0.1:1", Hotkey: targets[0].HotkeySS58()})

	key, _ := wallet.KeypairFromURI("//Bob")
	d := dendrite.New(key, dendrite.WithLogger(slog.New(slog.DiscardHandler)))
	defer d.Close()
	for _, res := range dendrite.Forward(context.Background(), d, targets, synapsetest.NewDummy(10)) {
		if res.IsSuccess() {
			fmt.Println(res.Dendrite.GetStatusCode(), *res.DummyOutput)
		} else {
			fmt.Println(res.Dendrite.GetStatusCode(), res.Dendrite.GetStatusMessage())
		}
	}
	// Output:
	// 200 20
	// 200 30
	// 503 Service unavailable at 127.0.0.1:1/Dummy
}
