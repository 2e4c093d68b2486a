package localnet

import (
	"context"
	"fmt"

	st "github.com/gotensor/gotensor/subtensor"
)

// SubnetSpec describes a subnet for NewSubnet.
type SubnetSpec struct {
	// Tempo in blocks; 0 keeps the chain default (360, or 10 with
	// WithFastRuntime).
	Tempo uint16
	// CommitReveal keeps commit-reveal on (the chain's default for new
	// subnets). Off, validators use SetWeights directly.
	CommitReveal bool
	// WeightsRateLimit in blocks; nil keeps the chain default (100).
	WeightsRateLimit *uint64
}

// NewSubnet registers a subnet owned by owner (coldkey) with hotkey as its
// owner hotkey, calls start_call, has sudo turn its emission on and applies
// spec — the usual first minutes of a subnet, through ordinary signed
// extrinsics. It returns the new netuid.
func (c *Chain) NewSubnet(ctx context.Context, owner st.Signer, hotkey st.AccountID, spec SubnetSpec) (st.NetUID, error) {
	keys, err := devAccounts()
	if err != nil {
		return 0, err
	}
	sudo := keys["Alice"]
	rc, err := c.RegisterNetwork(ctx, owner, hotkey)
	if err != nil {
		return 0, fmt.Errorf("localnet: register network: %w", err)
	}
	e, ok := rc.FindEvent(st.PalletSubtensor, "NetworkAdded")
	if !ok {
		return 0, fmt.Errorf("localnet: register network: no NetworkAdded event")
	}
	netuid, _ := e.Fields["netuid"].(st.NetUID)
	type step struct {
		name string
		run  func() (*st.Receipt, error)
	}
	steps := []step{
		{"start_call", func() (*st.Receipt, error) { return c.StartCall(ctx, owner, netuid) }},
		{"subnet_emission_enabled", func() (*st.Receipt, error) {
			return c.SetHyperparameter(ctx, sudo, netuid, "subnet_emission_enabled", 1)
		}},
	}
	if !spec.CommitReveal {
		steps = append(steps, step{"commit_reveal_weights_enabled", func() (*st.Receipt, error) {
			return c.SetHyperparameter(ctx, owner, netuid, "commit_reveal_weights_enabled", 0)
		}})
	}
	if spec.Tempo != 0 {
		steps = append(steps, step{"tempo", func() (*st.Receipt, error) {
			return c.SetHyperparameter(ctx, sudo, netuid, "tempo", uint64(spec.Tempo))
		}})
	}
	if spec.WeightsRateLimit != nil {
		steps = append(steps, step{"weights_rate_limit", func() (*st.Receipt, error) {
			return c.SetHyperparameter(ctx, sudo, netuid, "weights_rate_limit", *spec.WeightsRateLimit)
		}})
	}
	for _, s := range steps {
		if _, err := s.run(); err != nil {
			return netuid, fmt.Errorf("localnet: new subnet %d: %s: %w", netuid, s.name, err)
		}
	}
	return netuid, nil
}
