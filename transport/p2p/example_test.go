package p2p_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/gotensor/gotensor/axon"
	"github.com/gotensor/gotensor/dendrite"
	"github.com/gotensor/gotensor/synapse/synapsetest"
	"github.com/gotensor/gotensor/transport/p2p"
	"github.com/gotensor/gotensor/wallet"
)

// A miner serves its axon over libp2p as well as HTTP; a validator queries
// it by multiaddr (from the miner's chain commitment), verifying that the
// peer it reaches is bound to the miner's hotkey.
func Example() {
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	minerKey, _ := wallet.KeypairFromURI("//Bob")
	validatorKey, _ := wallet.KeypairFromURI("//Alice")

	// Miner: the usual axon, plus a host serving it.
	ax := axon.New(minerKey, axon.WithLogger(quiet))
	axon.Attach(ax, func(_ context.Context, d *synapsetest.Dummy) (*synapsetest.Dummy, error) {
		out := d.DummyInput * 2
		d.DummyOutput = &out
		return d, nil
	})
	minerHost, err := p2p.New(minerKey, p2p.WithListenAddrs("/ip4/127.0.0.1/tcp/0"), p2p.WithLogger(quiet))
	if err != nil {
		panic(err)
	}
	defer minerHost.Close()
	minerHost.Serve(ax)
	commitment := p2p.FormatCommitment(minerHost.Addrs()) // published on chain

	// Validator: a dendrite whose transport picks libp2p per target.
	validatorHost, err := p2p.New(validatorKey, p2p.WithListenAddrs("/ip4/127.0.0.1/tcp/0"), p2p.WithLogger(quiet))
	if err != nil {
		panic(err)
	}
	defer validatorHost.Close()
	d := dendrite.New(validatorKey, validatorHost.DendriteOption(), dendrite.WithLogger(quiet), dendrite.WithTimeout(10*time.Second))
	defer d.Close()

	addrs, err := p2p.ParseCommitment(commitment)
	if err != nil {
		panic(err)
	}
	target := p2p.Endpoint{Addr: "127.0.0.1:8091", Hotkey: minerKey.SS58Address(), P2P: addrs}
	res, _ := p2p.Call(context.Background(), d, target, synapsetest.NewDummy(21))
	fmt.Println(res.Dendrite.GetStatusCode(), *res.DummyOutput)
	// Output: 200 42
}
