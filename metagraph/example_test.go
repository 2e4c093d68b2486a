package metagraph_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/gotensor/gotensor/metagraph"
	"github.com/gotensor/gotensor/subtensor"
	"github.com/gotensor/gotensor/subtensor/localnet"
	"github.com/gotensor/gotensor/wallet"
)

// exampleChain is a localnet with subnet 1 and two registered hotkeys.
func exampleChain() *localnet.Chain {
	ctx := context.Background()
	c := localnet.New(localnet.WithFastRuntime())
	alice, _ := wallet.KeypairFromURI("//Alice")
	owner, _ := wallet.KeypairFromURI("//Alice/owner")
	miner, _ := wallet.KeypairFromURI("//Alice/miner")
	_, _ = c.RegisterNetwork(ctx, alice, subtensor.AccountID(owner.PublicKey()))
	_, _ = c.BurnedRegister(ctx, alice, 1, subtensor.AccountID(miner.PublicKey()))
	c.Step(1)
	return c
}

func ExampleSync() {
	ctx := context.Background()
	chain := exampleChain()

	mg, err := metagraph.Sync(ctx, chain, 1, metagraph.WithFull())
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("uids:", mg.N, "block:", mg.Block)
	r, c := mg.Weights.Dims()
	fmt.Println("weights:", r, "x", c)
	owner, _ := wallet.KeypairFromURI("//Alice/owner")
	uid, ok := mg.UIDOf(subtensor.AccountID(owner.PublicKey()))
	fmt.Println("owner uid:", uid, ok)
	// Output:
	// uids: 2 block: 1
	// weights: 2 x 2
	// owner uid: 0 true
}

func ExampleSyncer() {
	chain := exampleChain()
	s := metagraph.NewSyncer(chain, 1, metagraph.WithEvery(5), metagraph.WithPollInterval(time.Millisecond))
	updates, unsubscribe := s.Subscribe()
	defer unsubscribe()

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()

	first := <-updates // the sync Run does at once
	chain.Step(5)
	next := <-updates
	fmt.Println(first.Block, "->", next.Block)
	// Any goroutine may read s.Current(): an immutable snapshot.
	fmt.Println(s.Current() == next)
	cancel()
	<-done
	// Output:
	// 1 -> 6
	// true
}

func ExampleMetagraph_Save() {
	ctx := context.Background()
	mg, err := metagraph.Sync(ctx, exampleChain(), 1, metagraph.WithNetwork("local"))
	if err != nil {
		fmt.Println(err)
		return
	}
	root, _ := os.MkdirTemp("", "mg")
	defer os.RemoveAll(root)
	if _, err := mg.Save(root); err != nil { // root "" means metagraph.DefaultDir()
		fmt.Println(err)
		return
	}
	loaded, err := metagraph.LoadLatest(root, "local", 1)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(loaded.Block == mg.Block, loaded.N)
	// Output:
	// true 2
}

func ExampleWithMechanism() {
	ctx := context.Background()
	chain := exampleChain()
	alice, _ := wallet.KeypairFromURI("//Alice") // owner coldkey and sudo
	// The chain allows max_allowed_uids × mechanisms <= 256.
	_, _ = chain.SetHyperparameter(ctx, alice, 1, "max_allowed_uids", 128)
	if _, err := chain.SetMechanismCount(ctx, alice, 1, 2); err != nil {
		fmt.Println(err)
		return
	}

	mg, err := metagraph.Sync(ctx, chain, 1, metagraph.WithMechanism(1), metagraph.WithFull())
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("netuid:", mg.NetUID, "mechanism:", mg.MechID, "of", mg.MechanismCount, "uids:", mg.N)

	_, err = metagraph.Sync(ctx, chain, 1, metagraph.WithMechanism(2))
	fmt.Println(errors.Is(err, subtensor.ErrMechanismDoesNotExist))
	// Output:
	// netuid: 1 mechanism: 1 of 2 uids: 2
	// true
}
