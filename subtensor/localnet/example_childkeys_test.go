package localnet_test

import (
	"context"
	"fmt"

	st "github.com/gotensor/gotensor/subtensor"
	"github.com/gotensor/gotensor/subtensor/localnet"
	"github.com/gotensor/gotensor/wallet"
)

// A parent hotkey lends half its stake weight to a child hotkey: the change
// is scheduled, applies after the pending-childkey cooldown (15 blocks in
// the fast runtime), and is read back through subtensor.ChildkeyChain.
func ExampleChain_SetChildren() {
	ctx := context.Background()
	chain := localnet.New(localnet.WithFastRuntime())
	must := func(_ *st.Receipt, err error) {
		if err != nil {
			panic(err)
		}
	}
	key := func(uri string) st.AccountID {
		k, err := wallet.KeypairFromURI(uri)
		if err != nil {
			panic(err)
		}
		return st.AccountID(k.PublicKey())
	}
	alice, err := wallet.KeypairFromURI("//Alice")
	if err != nil {
		panic(err)
	}
	parent, child := key("//Alice/parent"), key("//Alice/child")
	must(chain.RegisterNetwork(ctx, alice, key("//Alice/owner")))
	must(chain.StartCall(ctx, alice, 1))
	must(chain.BurnedRegister(ctx, alice, 1, parent))
	must(chain.BurnedRegister(ctx, alice, 1, child))

	var cc st.ChildkeyChain = chain
	must(cc.SetChildren(ctx, alice, parent, 1, []st.Child{{Proportion: st.ProportionOf(0.5), Hotkey: child}}))
	pending, _ := cc.PendingChildren(ctx, parent, 1)
	fmt.Println("scheduled:", len(pending.Children), "child(ren)")
	chain.Step(16)
	children, _ := cc.Children(ctx, parent, 1)
	fmt.Printf("applied: %.2f of the parent's stake\n", children[0].Fraction())
	// Output:
	// scheduled: 1 child(ren)
	// applied: 0.50 of the parent's stake
}
