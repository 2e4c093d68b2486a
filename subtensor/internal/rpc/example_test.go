package rpc_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/gotensor/gotensor/subtensor/internal/rpc"
	"github.com/gotensor/gotensor/subtensor/internal/rpc/rpctest"
)

func ExampleDial() {
	// A fake node; in production pass "finney", "test", "local" or a URL.
	node := rpctest.NewServer()
	defer node.Close()
	node.Handle("chain_getBlockHash", rpctest.Result("0x4545454545454545454545454545454545454545454545454545454545454545"))

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	client, err := rpc.Dial(ctx, node.URL)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer client.Close()

	var genesis string
	if err := client.Call(ctx, &genesis, "chain_getBlockHash", 0); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(genesis[:10])
	// Output: 0x45454545
}

func ExampleClient_Subscribe() {
	node := rpctest.NewServer()
	defer node.Close()
	node.HandleSubscribe("chain_subscribeNewHeads", "chain_unsubscribeNewHeads")

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	client, err := rpc.Dial(ctx, node.URL)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer client.Close()

	heads, err := client.Subscribe(ctx, "chain_subscribeNewHeads", "chain_unsubscribeNewHeads", "chain_newHead")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer heads.Unsubscribe()

	node.Notify("chain_subscribeNewHeads", "chain_newHead", map[string]string{"number": "0x2a"})
	select {
	case n := <-heads.Notifications():
		if n.Gap != 0 {
			fmt.Println("missed heads; refetch what you track")
		}
		var header struct{ Number string }
		_ = json.Unmarshal(n.Result, &header)
		fmt.Println("new head", header.Number)
	case err := <-heads.Err():
		fmt.Println(err)
	case <-ctx.Done():
		fmt.Println(ctx.Err())
	}
	// Output: new head 0x2a
}

func ExampleEndpoint() {
	url, _ := rpc.Endpoint("finney")
	fmt.Println(url)
	_, err := rpc.Endpoint("mainet")
	fmt.Println(errors.Is(err, rpc.ErrUnknownNetwork))
	// Output:
	// wss://entrypoint-finney.opentensor.ai:443
	// true
}

func ExampleError() {
	// What a node answers to author_submitExtrinsic with a reused nonce.
	err := error(&rpc.Error{Code: 1010, Message: "Invalid Transaction", Data: json.RawMessage(`"Transaction is outdated"`)})
	switch {
	case errors.Is(err, rpc.ErrStaleNonce):
		fmt.Println("stale nonce: refetch system_accountNextIndex and re-sign")
	case errors.Is(err, rpc.ErrPayment):
		fmt.Println("cannot pay fees")
	}
	// Output: stale nonce: refetch system_accountNextIndex and re-sign
}
