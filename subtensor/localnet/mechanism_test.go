package localnet

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	st "github.com/gotensor/gotensor/subtensor"
	"github.com/gotensor/gotensor/subtensor/yuma"
	"github.com/gotensor/gotensor/wallet"
)

// mechFixture is the subnet fixture with a validator (uid 1, 1 000 TAO
// staked) and two miners (uid 2 //Charlie/miner, uid 3 //Dave/miner),
// max_allowed_uids 128 so that two mechanisms fit, one epoch run so the
// validator holds a permit.
type mechFixture struct {
	*subnetFixture
	minerB *wallet.Keypair
}

func newMechFixture(t *testing.T, opts ...Option) *mechFixture {
	t.Helper()
	ctx := context.Background()
	f := &mechFixture{subnetFixture: newFixture(t, opts...), minerB: key(t, "//Dave/miner")}
	c := f.c
	mustOK(t)(c.BurnedRegister(ctx, f.bob, 1, acc(f.valHK)))
	mustOK(t)(c.BurnedRegister(ctx, f.charlie, 1, acc(f.minerHK)))
	mustOK(t)(c.BurnedRegister(ctx, f.dave, 1, acc(f.minerB)))
	mustOK(t)(c.AddStake(ctx, f.bob, acc(f.valHK), 1, st.TAO(1000)))
	mustOK(t)(c.SetHyperparameter(ctx, f.alice, 1, "max_allowed_uids", 128))
	f.stepToEpoch(t)
	n, err := c.Neuron(ctx, 1, 1)
	require.NoError(t, err)
	require.True(t, n.ValidatorPermit)
	return f
}

// stepToEpoch steps until subnet 1 has run one more epoch.
func (f *mechFixture) stepToEpoch(t *testing.T) {
	t.Helper()
	start := f.c.s.subnets[1].epochIndex
	for i := 0; i < 1000 && f.c.s.subnets[1].epochIndex == start; i++ {
		f.c.Step(1)
	}
	require.Greater(t, f.c.s.subnets[1].epochIndex, start, "an epoch ran")
}

// Every rejection of the mechanism calls, by the chain's error name.
func TestMechanismRejections(t *testing.T) {
	ctx := context.Background()
	f := newMechFixture(t, WithNetworkRateLimit(0))
	c, alice := f.c, f.alice // alice is both sudo and the subnet owner
	sudoOnly := key(t, "//Eve")
	// Owner checks against a second subnet owned by someone who is not sudo.
	mustOK(t)(c.RegisterNetwork(ctx, f.bob, acc(key(t, "//Bob/owner"))))
	mustOK(t)(c.SetHyperparameter(ctx, alice, 2, "max_allowed_uids", 128))

	tests := []struct {
		name string
		run  func() (*st.Receipt, error)
		want error
	}{
		{"count by a stranger", func() (*st.Receipt, error) { return c.SetMechanismCount(ctx, sudoOnly, 1, 2) }, st.ErrBadOrigin},
		{"count on a missing subnet (owner check first)", func() (*st.Receipt, error) { return c.SetMechanismCount(ctx, f.bob, 99, 2) }, st.ErrBadOrigin},
		{"count on a missing subnet by sudo", func() (*st.Receipt, error) { return c.SetMechanismCount(ctx, alice, 99, 2) }, st.ErrMechanismDoesNotExist},
		{"count zero", func() (*st.Receipt, error) { return c.SetMechanismCount(ctx, alice, 1, 0) }, st.ErrInvalidValue},
		{"count above MaxMechanismCount", func() (*st.Receipt, error) { return c.SetMechanismCount(ctx, alice, 1, 3) }, st.ErrInvalidValue},
		{"count not a u8", func() (*st.Receipt, error) { return c.SetMechanismCount(ctx, alice, 1, 256) }, st.ErrInvalidValue},
		{"max_uids·count > 256", func() (*st.Receipt, error) {
			mustOK(t)(c.SetHyperparameter(ctx, alice, 1, "max_allowed_uids", 129))
			rc, err := c.SetMechanismCount(ctx, alice, 1, 2)
			mustOK(t)(c.SetHyperparameter(ctx, alice, 1, "max_allowed_uids", 128))
			return rc, err
		}, errTooManyUIDsPerMechanism},
		{"max mechanism count above 16", func() (*st.Receipt, error) { return c.SetMaxMechanismCount(ctx, alice, 17) }, st.ErrInvalidValue},
		{"max mechanism count zero", func() (*st.Receipt, error) { return c.SetMaxMechanismCount(ctx, alice, 0) }, st.ErrInvalidValue},
		{"max mechanism count by the owner", func() (*st.Receipt, error) { return c.SetMaxMechanismCount(ctx, f.bob, 4) }, st.ErrBadOrigin},
		{"owner count rate limit", func() (*st.Receipt, error) {
			mustOK(t)(c.SetMechanismCount(ctx, f.bob, 2, 2))
			return c.SetMechanismCount(ctx, f.bob, 2, 1)
		}, st.ErrTxRateLimitExceeded},
		{"owner split rate limit", func() (*st.Receipt, error) {
			mustOK(t)(c.SetMechanismEmissionSplit(ctx, f.bob, 2, []uint16{65535}))
			return c.SetMechanismEmissionSplit(ctx, f.bob, 2, nil)
		}, st.ErrTxRateLimitExceeded},
		{"split by a stranger", func() (*st.Receipt, error) { return c.SetMechanismEmissionSplit(ctx, sudoOnly, 1, nil) }, st.ErrBadOrigin},
		{"split on a missing subnet", func() (*st.Receipt, error) { return c.SetMechanismEmissionSplit(ctx, alice, 99, nil) }, st.ErrMechanismDoesNotExist},
		{"split empty", func() (*st.Receipt, error) { return c.SetMechanismEmissionSplit(ctx, alice, 1, []uint16{}) }, st.ErrInvalidValue},
		{"split longer than the count", func() (*st.Receipt, error) {
			return c.SetMechanismEmissionSplit(ctx, alice, 1, []uint16{65535, 0})
		}, st.ErrInvalidValue},
		{"split not summing to 65535", func() (*st.Receipt, error) {
			return c.SetMechanismEmissionSplit(ctx, alice, 1, []uint16{65534})
		}, st.ErrInvalidValue},
		{"weights on a missing mechanism", func() (*st.Receipt, error) {
			return c.SetMechanismWeights(ctx, f.valHK, 1, 1, []st.UID{2}, []uint16{1}, 0)
		}, st.ErrMechanismDoesNotExist},
		{"weights on root", func() (*st.Receipt, error) {
			return c.SetMechanismWeights(ctx, f.valHK, 0, 0, []st.UID{2}, []uint16{1}, 0)
		}, st.ErrCanNotSetRootNetworkWeights},
		{"commit on a missing mechanism", func() (*st.Receipt, error) {
			return c.CommitMechanismWeights(ctx, f.valHK, 1, 1, st.Hash{1})
		}, st.ErrMechanismDoesNotExist},
		{"max_allowed_uids beyond the mechanisms' share", func() (*st.Receipt, error) {
			return c.SetHyperparameter(ctx, alice, 2, "max_allowed_uids", 129)
		}, errTooManyUIDsPerMechanism},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.run()
			require.ErrorIs(t, err, tc.want)
		})
	}
	// Sudo is not rate-limited, the owner is again after the limit.
	mustOK(t)(c.SetMechanismCount(ctx, alice, 2, 1))
	mustOK(t)(c.SetMechanismCount(ctx, alice, 2, 2))
	c.s.g.mechanismRateLimit = 20 // the chain's 7 200 blocks, shortened
	c.Step(19)
	_, err := c.SetMechanismCount(ctx, f.bob, 2, 1)
	require.ErrorIs(t, err, st.ErrTxRateLimitExceeded)
	c.Step(1)
	mustOK(t)(c.SetMechanismCount(ctx, f.bob, 2, 1))

	// With the limit raised to 16, 16 mechanisms fit 16 uids.
	mustOK(t)(c.SetMaxMechanismCount(ctx, alice, 16))
	_, err = c.SetMechanismCount(ctx, alice, 1, 17)
	require.ErrorIs(t, err, st.ErrInvalidValue)
	_, err = c.SetMechanismCount(ctx, alice, 1, 16)
	require.ErrorIs(t, err, errTooManyUIDsPerMechanism)
	mustOK(t)(c.SetHyperparameter(ctx, alice, 1, "max_validators", 16))
	mustOK(t)(c.SetHyperparameter(ctx, alice, 1, "max_allowed_uids", 16))
	mustOK(t)(c.SetMechanismCount(ctx, alice, 1, 16))
	n, err := c.MechanismCount(ctx, 1)
	require.NoError(t, err)
	require.Equal(t, 16, n)

	// Commit-reveal on: set_mechanism_weights is refused, reveals on a
	// missing mechanism find no commit.
	mustOK(t)(c.SetHyperparameter(ctx, alice, 1, "commit_reveal_weights_enabled", 1))
	_, err = c.SetMechanismWeights(ctx, f.valHK, 1, 3, []st.UID{2}, []uint16{1}, 0)
	require.ErrorIs(t, err, st.ErrCommitRevealEnabled)
	_, err = c.RevealMechanismWeights(ctx, f.valHK, 1, 16, []st.UID{2}, []uint16{1}, []uint16{1}, 0)
	require.ErrorIs(t, err, st.ErrNoWeightsCommitFound)

	// Reads of a missing mechanism or subnet.
	_, err = c.MechanismWeights(ctx, 1, 16)
	require.ErrorIs(t, err, st.ErrMechanismDoesNotExist)
	_, err = c.Mechagraph(ctx, 2, 1)
	require.ErrorIs(t, err, st.ErrMechanismDoesNotExist)
	_, err = c.MechanismCount(ctx, 99)
	require.ErrorIs(t, err, st.ErrNotFound)
	checkInvariants(t, c, "after the rejections")
}

// Two mechanisms with different weights: each mechanism's incentive follows
// its own weights, the emission is split 3:1 between them, NeuronInfo
// reports what the chain stores (mechanism 0's incentive, the
// emission-weighted combination of the rest) and the miners are paid their
// mechanism's share.
func TestTwoMechanisms(t *testing.T) {
	ctx := context.Background()
	f := newMechFixture(t)
	c := f.c
	mustOK(t)(c.SetMechanismCount(ctx, f.alice, 1, 2))
	split := []uint16{49151, 16384} // 3:1
	mustOK(t)(c.SetMechanismEmissionSplit(ctx, f.alice, 1, split))
	got, err := c.MechanismEmissionSplit(ctx, 1)
	require.NoError(t, err)
	require.Equal(t, split, got)

	// Registration appends to mechanism 1's vectors too.
	mg1, err := c.Mechagraph(ctx, 1, 1)
	require.NoError(t, err)
	require.Empty(t, mg1.LastUpdate, "a new mechanism has no LastUpdate yet")
	require.Equal(t, st.NetUID(st.NetUIDIndex(1, 1)), mg1.NetUID)

	// The validator weighs miner A on mechanism 0 and miner B on 1; the
	// weights rate limit is per mechanism.
	mustOK(t)(c.SetMechanismWeights(ctx, f.valHK, 1, 0, []st.UID{2}, []uint16{1}, 0))
	mustOK(t)(c.SetHyperparameter(ctx, f.alice, 1, "weights_rate_limit", 100))
	mustOK(t)(c.SetMechanismWeights(ctx, f.valHK, 1, 1, []st.UID{3}, []uint16{1}, 0))
	for m := st.MechID(0); m < 2; m++ {
		_, err = c.SetMechanismWeights(ctx, f.valHK, 1, m, []st.UID{3}, []uint16{1}, 0)
		require.ErrorIs(t, err, st.ErrSettingWeightsTooFast, "mechanism %d", m)
	}
	w0, err := c.MechanismWeights(ctx, 1, 0)
	require.NoError(t, err)
	require.Equal(t, map[st.UID][]st.WeightEntry{1: {{UID: 2, Value: 65535}}}, w0)
	w1, err := c.MechanismWeights(ctx, 1, 1)
	require.NoError(t, err)
	require.Equal(t, map[st.UID][]st.WeightEntry{1: {{UID: 3, Value: 65535}}}, w1)
	// SetWeights is mechanism 0.
	n1, err := c.Neuron(ctx, 1, 1)
	require.NoError(t, err)
	require.Equal(t, []st.WeightEntry{{UID: 2, Value: 65535}}, n1.Weights)

	stakeOf := func(hk *wallet.Keypair, ck *wallet.Keypair) uint64 {
		b, err := c.Stake(ctx, acc(hk), acc(ck), 1)
		require.NoError(t, err)
		return uint64(b)
	}
	a0, b0 := stakeOf(f.minerHK, f.charlie), stakeOf(f.minerB, f.dave)
	f.stepToEpoch(t)
	paidA, paidB := stakeOf(f.minerHK, f.charlie)-a0, stakeOf(f.minerB, f.dave)-b0
	require.Positive(t, paidB)
	require.InEpsilon(t, 49151.0/16384.0, float64(paidA)/float64(paidB), 1e-6, "miners are paid their mechanism's share of the emission")

	mg0, err := c.Mechagraph(ctx, 1, 0)
	require.NoError(t, err)
	mg1, err = c.Mechagraph(ctx, 1, 1)
	require.NoError(t, err)
	require.Equal(t, []uint16{0, 0, 65535, 0}, mg0.Incentives)
	require.Equal(t, []uint16{0, 0, 0, 65535}, mg1.Incentives)
	require.Len(t, mg1.LastUpdate, 4)
	mg, err := c.Metagraph(ctx, 1)
	require.NoError(t, err)
	require.Equal(t, mg.Incentives, mg0.Incentives, "the subnet's incentive is mechanism 0's")
	require.Equal(t, mg.Emission, mg1.Emission, "emission is the subnet's combined figure")

	// NeuronInfo: emission is Σ_m emission_m·(E_m/E), the chain's
	// weighted combination. Miner A earns about E_0/2 on mechanism 0 and
	// nothing on 1, B about E_1/2 on 1: their combined figures are
	// E_0²/2E and E_1²/2E, so their ratio is the split ratio squared.
	ns, err := c.NeuronsLite(ctx, 1)
	require.NoError(t, err)
	require.Equal(t, uint16(65535), ns[2].Incentive)
	require.Zero(t, ns[3].Incentive)
	require.InEpsilon(t, (49151.0*49151.0)/(16384.0*16384.0), float64(ns[2].Emission)/float64(ns[3].Emission), 1e-4)
	// What the miners were paid is the sum over mechanisms: E_0/2 + E_1/2.
	total := paidA + paidB
	require.InDelta(t, float64(paidA)*float64(paidA)/float64(total), float64(ns[2].Emission), 4)

	// Bonds are per mechanism.
	b0s, err := c.MechanismBonds(ctx, 1, 0)
	require.NoError(t, err)
	b1s, err := c.MechanismBonds(ctx, 1, 1)
	require.NoError(t, err)
	require.Len(t, b0s, 4, "after an epoch every uid has a bonds row")
	require.Equal(t, st.UID(2), b0s[1][0].UID)
	require.Equal(t, st.UID(3), b1s[1][0].UID)
	require.Empty(t, b1s[2])
	checkInvariants(t, c, "two mechanisms")
}

// The combined epoch equals yuma run per mechanism on the stored inputs and
// merged by CombineMechanisms, and a one-mechanism subnet's epoch is
// exactly yuma.Epoch.
func TestEpochWithMechanismsMatchesYuma(t *testing.T) {
	ctx := context.Background()
	f := newMechFixture(t, WithHistory(0))
	c := f.c
	mustOK(t)(c.SetMechanismWeights(ctx, f.valHK, 1, 0, []st.UID{2, 3}, []uint16{3, 1}, 0))
	s := c.s
	sn := s.subnets[1]
	const e = 1_000_000_007
	single, err := yuma.Epoch(cloneInput(s.epochInput(sn, 0, e)))
	require.NoError(t, err)
	snap := c.Snapshot()
	got, err := s.runEpoch(sn, e)
	require.NoError(t, err)
	require.Equal(t, single, got, "one mechanism: the epoch is yuma.Epoch")

	c.Restore(snap)
	s = c.s
	sn = s.subnets[1]
	mustOK(t)(c.SetMechanismCount(ctx, f.alice, 1, 2))
	mustOK(t)(c.SetMechanismEmissionSplit(ctx, f.alice, 1, []uint16{10000, 55535}))
	mustOK(t)(c.SetMechanismWeights(ctx, f.valHK, 1, 1, []st.UID{3, 2}, []uint16{5, 1}, 0))
	parts := yuma.SplitEmissions(e, 2, []uint16{10000, 55535})
	var outs []yuma.Output
	for m := range 2 {
		o, err := yuma.Epoch(cloneInput(s.epochInput(sn, st.MechID(m), parts[m])))
		require.NoError(t, err)
		outs = append(outs, o)
	}
	want, err := yuma.CombineMechanisms(e, parts, outs)
	require.NoError(t, err)
	got, err = s.runEpoch(sn, e)
	require.NoError(t, err)
	require.Equal(t, want, got)
	for i, nr := range sn.neurons {
		require.Equal(t, outs[0].Incentive[i], nr.incentive)
		require.Equal(t, want.Emission[i], nr.emission)
		require.Equal(t, want.Dividends[i], nr.dividends)
	}
	require.Equal(t, outs[1].Incentive, sn.store(1).incentive)
}

// cloneInput copies the scratch-backed vectors of an input, so that a
// later epochInput does not overwrite it.
func cloneInput(in yuma.Input) yuma.Input {
	in.AlphaStake = append([]uint64(nil), in.AlphaStake...)
	in.TaoStake = append([]uint64(nil), in.TaoStake...)
	in.LastUpdate = append([]uint64(nil), in.LastUpdate...)
	in.BlockAtRegistration = append([]uint64(nil), in.BlockAtRegistration...)
	in.ValidatorPermit = append([]bool(nil), in.ValidatorPermit...)
	in.Weights = append([][]yuma.Weight(nil), in.Weights...)
	in.Bonds = append([][]yuma.Weight(nil), in.Bonds...)
	if in.CommitBlock != nil {
		in.CommitBlock = append([]uint64(nil), in.CommitBlock...)
	}
	return in
}

// Lowering the count drops the removed mechanisms' storage; raising it
// again starts them empty with an even split.
func TestMechanismCountDropsStorage(t *testing.T) {
	ctx := context.Background()
	f := newMechFixture(t)
	c := f.c
	mustOK(t)(c.SetMechanismCount(ctx, f.alice, 1, 2))
	mustOK(t)(c.SetMechanismEmissionSplit(ctx, f.alice, 1, []uint16{1, 65534}))
	mustOK(t)(c.SetMechanismWeights(ctx, f.valHK, 1, 1, []st.UID{3}, []uint16{1}, 0))
	f.stepToEpoch(t)
	b, err := c.MechanismBonds(ctx, 1, 1)
	require.NoError(t, err)
	require.NotEmpty(t, b[1])

	mustOK(t)(c.SetMechanismCount(ctx, f.alice, 1, 1)) // sudo: no rate limit
	_, err = c.MechanismWeights(ctx, 1, 1)
	require.ErrorIs(t, err, st.ErrMechanismDoesNotExist)
	split, err := c.MechanismEmissionSplit(ctx, 1)
	require.NoError(t, err)
	require.Nil(t, split, "a new count resets the split")

	mustOK(t)(c.SetMechanismCount(ctx, f.alice, 1, 2))
	w, err := c.MechanismWeights(ctx, 1, 1)
	require.NoError(t, err)
	require.Empty(t, w)
	b, err = c.MechanismBonds(ctx, 1, 1)
	require.NoError(t, err)
	require.Empty(t, b)
	mg, err := c.Mechagraph(ctx, 1, 1)
	require.NoError(t, err)
	require.Empty(t, mg.Incentives)
	require.Empty(t, mg.LastUpdate)
}

// Commit-reveal on mechanism 1: the commit hash carries the mechanism's
// storage index, the reveal lands in mechanism 1 only.
func TestMechanismCommitReveal(t *testing.T) {
	ctx := context.Background()
	f := newMechFixture(t)
	c := f.c
	mustOK(t)(c.SetMechanismCount(ctx, f.alice, 1, 2))
	mustOK(t)(c.SetHyperparameter(ctx, f.alice, 1, "commit_reveal_weights_enabled", 1))
	uids, vals, salt := []st.UID{3}, []uint16{7}, []uint16{1, 2, 3}
	h := st.CommitHash(acc(f.valHK), 1, 1, uids, vals, salt, 0)
	mustOK(t)(c.CommitMechanismWeights(ctx, f.valHK, 1, 1, h))
	cm, err := c.MechanismWeightCommits(ctx, 1, 1, acc(f.valHK))
	require.NoError(t, err)
	require.Len(t, cm, 1)
	require.Equal(t, h, cm[0].Hash)
	cm0, err := c.WeightCommits(ctx, 1, acc(f.valHK))
	require.NoError(t, err)
	require.Empty(t, cm0, "mechanism 0 has no commit")

	f.stepToEpoch(t)
	// Mechanism 0 has no commit to reveal.
	_, err = c.RevealMechanismWeights(ctx, f.valHK, 1, 0, uids, vals, salt, 0)
	require.ErrorIs(t, err, st.ErrNoWeightsCommitFound)
	rc := mustOK(t)(c.RevealMechanismWeights(ctx, f.valHK, 1, 1, uids, vals, salt, 0))
	e, ok := rc.FindEvent(st.PalletSubtensor, "WeightsRevealed")
	require.True(t, ok)
	require.Equal(t, st.NetUIDIndex(1, 1), e.Fields["netuid_index"])
	w1, err := c.MechanismWeights(ctx, 1, 1)
	require.NoError(t, err)
	require.Equal(t, []st.WeightEntry{{UID: 3, Value: 65535}}, w1[1])
	n, err := c.Neuron(ctx, 1, 1)
	require.NoError(t, err)
	require.Empty(t, n.Weights, "mechanism 0 untouched")
}

// Snapshots, restores and AtBlock reads cover the mechanism state.
func TestMechanismSnapshotAndHistory(t *testing.T) {
	ctx := context.Background()
	f := newMechFixture(t, WithHistory(64))
	c := f.c
	mustOK(t)(c.SetMechanismCount(ctx, f.alice, 1, 2))
	mustOK(t)(c.SetMechanismEmissionSplit(ctx, f.alice, 1, []uint16{30000, 35535}))
	mustOK(t)(c.SetMechanismWeights(ctx, f.valHK, 1, 1, []st.UID{3}, []uint16{1}, 0))
	f.stepToEpoch(t)
	snap := c.Snapshot()
	hash, err := c.BlockHash(ctx, c.s.block)
	require.NoError(t, err)
	mg, err := c.Mechagraph(ctx, 1, 1)
	require.NoError(t, err)
	bonds, err := c.MechanismBonds(ctx, 1, 1)
	require.NoError(t, err)
	c.Step(1) // later extrinsics land in the next block

	// Change everything, in place and by count.
	mustOK(t)(c.SetMechanismWeights(ctx, f.valHK, 1, 1, []st.UID{2}, []uint16{1}, 0))
	f.stepToEpoch(t)
	mustOK(t)(c.SetMechanismCount(ctx, f.alice, 1, 1))

	// History still has the old state.
	w, err := c.MechanismWeights(ctx, 1, 1, st.AtBlock(hash))
	require.NoError(t, err)
	require.Equal(t, []st.WeightEntry{{UID: 3, Value: 65535}}, w[1])
	old, err := c.Mechagraph(ctx, 1, 1, st.AtBlock(hash))
	require.NoError(t, err)
	require.Equal(t, mg, old)

	c.Restore(snap)
	n, err := c.MechanismCount(ctx, 1)
	require.NoError(t, err)
	require.Equal(t, 2, n)
	split, err := c.MechanismEmissionSplit(ctx, 1)
	require.NoError(t, err)
	require.Equal(t, []uint16{30000, 35535}, split)
	got, err := c.MechanismBonds(ctx, 1, 1)
	require.NoError(t, err)
	require.Equal(t, bonds, got)
	again, err := c.Mechagraph(ctx, 1, 1)
	require.NoError(t, err)
	require.Equal(t, mg, again)
	// The snapshot stays usable after the restored chain moves on.
	mustOK(t)(c.SetMechanismWeights(ctx, f.valHK, 1, 1, []st.UID{2}, []uint16{1}, 0))
	c.Restore(snap)
	w, err = c.MechanismWeights(ctx, 1, 1)
	require.NoError(t, err)
	require.Equal(t, []st.WeightEntry{{UID: 3, Value: 65535}}, w[1])
}

// Pruning a uid clears it on every mechanism.
func TestReplaceNeuronClearsEveryMechanism(t *testing.T) {
	f := newMechFixture(t, WithHistory(0))
	ctx := context.Background()
	c := f.c
	mustOK(t)(c.SetMechanismCount(ctx, f.alice, 1, 2))
	mustOK(t)(c.SetMechanismWeights(ctx, f.valHK, 1, 1, []st.UID{3, 2}, []uint16{1, 1}, 0))
	f.stepToEpoch(t)
	s := c.s
	sn := s.subnets[1]
	ms := sn.store(1)
	require.NotEmpty(t, ms.bonds[1])
	require.NotZero(t, ms.incentive[3])
	s.replaceNeuron(sn, 3, benchAccount("new3"))
	ms = sn.store(1)
	require.Equal(t, []yuma.Weight{{UID: 3, Value: 0}, {UID: 2, Value: 65535}}, ms.weights[1], "weights on the replaced uid are zeroed")
	require.Zero(t, ms.incentive[3])
	require.Equal(t, s.block, ms.lastUpdate[3])
	s.replaceNeuron(sn, 1, benchAccount("new1"))
	require.NotContains(t, ms.weights, st.UID(1))
	require.NotContains(t, ms.bonds, st.UID(1))
	require.Equal(t, s.block, ms.lastUpdate[1])
}
