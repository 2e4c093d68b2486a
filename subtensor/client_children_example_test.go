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

// Give a hotkey two children on subnet 1 (half and a quarter of its stake
// weight), see the change pending, then read the applied children once the
// cooldown and the subnet's next epoch have passed. Root claims exist only
// on newer runtimes; older ones refuse them before anything is sent.
func ExampleClient_SetChildren() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c, err := st.Dial(ctx, "local")
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	coldkey, err := wallet.KeypairFromURI("//Alice")
	if err != nil {
		log.Fatal(err)
	}
	hotkey := st.SignerAccount(coldkey)
	a, _ := st.ParseAccountID("5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty")
	b, _ := st.ParseAccountID("5FLSigC9HGRKVhB9FiEo4Y3koPsNmBmLJbpXg2mp1hXcS59Y")

	children := []st.Child{{Proportion: st.ProportionOf(0.5), Hotkey: a}, {Proportion: st.ProportionOf(0.25), Hotkey: b}}
	if _, err := c.SetChildren(ctx, coldkey, hotkey, 1, children); err != nil {
		log.Fatal(err)
	}
	pending, err := c.PendingChildren(ctx, hotkey, 1)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(pending.Children), "children apply from block", pending.CooldownBlock)

	// ... later:
	now, err := c.Children(ctx, hotkey, 1)
	if err != nil {
		log.Fatal(err)
	}
	for _, ch := range now {
		fmt.Printf("%s carries %.0f%%\n", ch.Hotkey, 100*ch.Fraction())
	}

	_, err = c.ClaimRoot(ctx, coldkey, []st.NetUID{1})
	if errors.Is(err, st.ErrRuntimeMetadata) {
		fmt.Println("this runtime has no root claims")
	}
}
