package subtensor_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	st "github.com/gotensor/gotensor/subtensor"
	"github.com/gotensor/gotensor/wallet"
)

// Dial a node, read a subnet's neurons pinned to one block, and set
// weights; dispatch failures come back as *ModuleError matching the
// sentinels, pool refusals as *InvalidTransactionError.
func ExampleDial() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c, err := st.Dial(ctx, "local") // or "finney", "test", "ws://host:9944"
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	head, err := c.BlockNumber(ctx)
	if err != nil {
		log.Fatal(err)
	}
	at, err := c.BlockHash(ctx, head)
	if err != nil {
		log.Fatal(err)
	}
	neurons, err := c.NeuronsLite(ctx, 1, st.AtBlock(at))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(neurons), "neurons at block", head)

	hotkey, err := wallet.KeypairFromURI("//Alice")
	if err != nil {
		log.Fatal(err)
	}
	rc, err := c.SetWeights(ctx, hotkey, 1, []st.UID{0}, []uint16{65535}, 0)
	switch {
	case errors.Is(err, st.ErrSettingWeightsTooFast):
		fmt.Println("rate limited; included in block", rc.BlockNumber)
	case errors.Is(err, st.ErrStaleNonce):
		fmt.Println("nonce already used")
	case err != nil:
		log.Fatal(err)
	default:
		fmt.Println("weights set, fee", rc.Fee)
	}
}

// A DevClient drives a chopsticks dev chain: build blocks, roll back.
func ExampleDialDev() {
	ctx := context.Background()
	c, err := st.DialDev(ctx, "ws://127.0.0.1:9944")
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	start, _ := c.BlockNumber(ctx)
	if err := c.AdvanceBlocks(ctx, 10); err != nil { // runs on_initialize, epochs included
		log.Fatal(err)
	}
	if err := c.SetHead(ctx, start); err != nil { // forget those blocks
		log.Fatal(err)
	}
}
