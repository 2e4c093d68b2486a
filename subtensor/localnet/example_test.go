package localnet_test

import (
	"context"
	"fmt"

	st "github.com/gotensor/gotensor/subtensor"
	"github.com/gotensor/gotensor/subtensor/localnet"
	"github.com/gotensor/gotensor/wallet"
)

// A subnet on an in-process chain: register it, start emission, register a
// validator and a miner, stake, set weights and run epochs.
func Example() {
	ctx := context.Background()
	chain := localnet.New(localnet.WithFastRuntime()) // tempo 10
	must := func(_ *st.Receipt, err error) {
		if err != nil {
			panic(err)
		}
	}
	key := func(uri string) *wallet.Keypair {
		k, err := wallet.KeypairFromURI(uri)
		if err != nil {
			panic(err)
		}
		return k
	}
	alice, bob := key("//Alice"), key("//Bob")
	owner, validator, miner := key("//Alice/owner"), key("//Bob/validator"), key("//Bob/miner")
	id := func(k *wallet.Keypair) st.AccountID { return st.AccountID(k.PublicKey()) }

	must(chain.RegisterNetwork(ctx, alice, id(owner))) // netuid 1, owner hotkey is uid 0
	must(chain.StartCall(ctx, alice, 1))
	must(chain.SetHyperparameter(ctx, alice, 1, "subnet_emission_enabled", 1)) // sudo (Alice)
	must(chain.SetHyperparameter(ctx, alice, 1, "commit_reveal_weights_enabled", 0))
	must(chain.BurnedRegister(ctx, bob, 1, id(validator))) // uid 1
	must(chain.BurnedRegister(ctx, bob, 1, id(miner)))     // uid 2
	must(chain.AddStake(ctx, bob, id(validator), 1, st.TAO(100)))
	chain.Step(11) // one epoch hands out validator permits
	must(chain.SetWeights(ctx, validator, 1, []st.UID{2}, []uint16{65535}, 0))
	chain.Step(30)

	neurons, err := chain.NeuronsLite(ctx, 1)
	if err != nil {
		panic(err)
	}
	for _, n := range neurons[1:] {
		fmt.Printf("uid %d: incentive %d, dividends %d, permit %v\n", n.UID, n.Incentive, n.Dividends, n.ValidatorPermit)
	}
	// Output:
	// uid 1: incentive 0, dividends 65535, permit true
	// uid 2: incentive 65535, dividends 0, permit true
}
