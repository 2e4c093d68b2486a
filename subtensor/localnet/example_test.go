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

// A subnet with two mechanisms: the validator weighs one miner on each, the
// owner splits the emission 3:1, and each mechanism's incentive follows its
// own weights.
func ExampleChain_SetMechanismCount() {
	ctx := context.Background()
	chain := localnet.New(localnet.WithFastRuntime())
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
	owner, validator := key("//Alice/owner"), key("//Bob/validator")
	minerA, minerB := key("//Bob/miner-a"), key("//Bob/miner-b")
	id := func(k *wallet.Keypair) st.AccountID { return st.AccountID(k.PublicKey()) }

	must(chain.RegisterNetwork(ctx, alice, id(owner)))
	must(chain.StartCall(ctx, alice, 1))
	must(chain.SetHyperparameter(ctx, alice, 1, "subnet_emission_enabled", 1))
	must(chain.SetHyperparameter(ctx, alice, 1, "commit_reveal_weights_enabled", 0))
	for _, hk := range []*wallet.Keypair{validator, minerA, minerB} { // uids 1, 2, 3
		must(chain.BurnedRegister(ctx, bob, 1, id(hk)))
	}
	must(chain.AddStake(ctx, bob, id(validator), 1, st.TAO(100)))

	// Two mechanisms need max_allowed_uids·2 <= 256.
	must(chain.SetHyperparameter(ctx, alice, 1, "max_allowed_uids", 128))
	must(chain.SetMechanismCount(ctx, alice, 1, 2))
	must(chain.SetMechanismEmissionSplit(ctx, alice, 1, []uint16{49151, 16384}))
	chain.Step(11) // permits
	must(chain.SetMechanismWeights(ctx, validator, 1, 0, []st.UID{2}, []uint16{1}, 0))
	must(chain.SetMechanismWeights(ctx, validator, 1, 1, []st.UID{3}, []uint16{1}, 0))
	chain.Step(10)

	for mech := st.MechID(0); mech < 2; mech++ {
		mg, err := chain.Mechagraph(ctx, 1, mech)
		if err != nil {
			panic(err)
		}
		fmt.Printf("mechanism %d incentives: %v\n", mech, mg.Incentives)
	}
	// Output:
	// mechanism 0 incentives: [0 0 65535 0]
	// mechanism 1 incentives: [0 0 0 65535]
}
