// Package devsubnet sets up a subnet on an in-process localnet chain for the
// examples' tests: registered and started, emission on, commit-reveal off,
// loopback axons allowed, a staked validator and some registered miner
// hotkeys, all derived from the dev phrase.
package devsubnet

import (
	"context"
	"fmt"

	st "github.com/gotensor/gotensor/subtensor"
	"github.com/gotensor/gotensor/subtensor/localnet"
	"github.com/gotensor/gotensor/wallet"
)

// Subnet is a ready subnet.
type Subnet struct {
	Chain     *localnet.Chain
	NetUID    st.NetUID
	Validator *wallet.Keypair // hotkey, staked 1000 TAO
	Miners    []*wallet.Keypair
}

// Spec says what to build.
type Spec struct {
	Tempo            uint16
	WeightsRateLimit uint64
	Miners           int
	// Options are passed to localnet.New after the fast runtime and
	// loopback options.
	Options []localnet.Option
}

// New registers the subnet, the validator (uid 1) and the miners (uids 2…),
// and stakes the validator. Miners are not serving; the caller starts them.
func New(ctx context.Context, spec Spec) (*Subnet, error) {
	chain := localnet.New(append([]localnet.Option{localnet.WithFastRuntime(), localnet.WithAllowLoopback()}, spec.Options...)...)
	key := func(uri string) (*wallet.Keypair, error) { return wallet.KeypairFromURI(uri) }
	alice, err := key("//Alice")
	if err != nil {
		return nil, err
	}
	ownerHot, err := key("//Alice/owner")
	if err != nil {
		return nil, err
	}
	rl := spec.WeightsRateLimit
	netuid, err := chain.NewSubnet(ctx, alice, st.SignerAccount(ownerHot), localnet.SubnetSpec{Tempo: spec.Tempo, WeightsRateLimit: &rl})
	if err != nil {
		return nil, fmt.Errorf("devsubnet: new subnet: %w", err)
	}
	s := &Subnet{Chain: chain, NetUID: netuid}
	bob, err := key("//Bob")
	if err != nil {
		return nil, err
	}
	if s.Validator, err = key("//Bob/validator"); err != nil {
		return nil, err
	}
	if _, err := chain.BurnedRegister(ctx, bob, netuid, st.SignerAccount(s.Validator)); err != nil {
		return nil, fmt.Errorf("devsubnet: register validator: %w", err)
	}
	if _, err := chain.AddStake(ctx, bob, st.SignerAccount(s.Validator), netuid, st.TAO(1000)); err != nil {
		return nil, fmt.Errorf("devsubnet: stake validator: %w", err)
	}
	charlie, err := key("//Charlie")
	if err != nil {
		return nil, err
	}
	for i := range spec.Miners {
		chain.Step(1) // one registration per block
		m, err := key(fmt.Sprintf("//Charlie/miner/%d", i))
		if err != nil {
			return nil, err
		}
		if _, err := chain.BurnedRegister(ctx, charlie, netuid, st.SignerAccount(m)); err != nil {
			return nil, fmt.Errorf("devsubnet: register miner %d: %w", i, err)
		}
		s.Miners = append(s.Miners, m)
	}
	chain.Step(1)
	return s, nil
}

// WriteHotkey stores kp as wallet name/hotkey under root (unencrypted, as
// btcli stores hotkeys), so a program can open it with the wallet flags.
func WriteHotkey(root, name, hotkey string, kp *wallet.Keypair) error {
	_, err := wallet.Open(root, name, hotkey).RegenerateHotkey(wallet.FromKeypair(kp))
	return err
}
