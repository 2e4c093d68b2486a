package metagraph

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gotensor/gotensor/subtensor"
)

func TestSyncMechanismOne(t *testing.T) {
	ctx := context.Background()
	f := newMechFake(1)
	m, err := Sync(ctx, f, 1, WithMechanism(1), WithFull())
	require.NoError(t, err)
	require.Equal(t, subtensor.MechID(1), m.MechID)
	require.Equal(t, subtensor.NetUID(1), m.NetUID, "the snapshot names the subnet, not the storage index")
	require.Equal(t, 3, m.N)
	// Every read is pinned to the one block, and mechanism 1 is read
	// through MechanismChain only (no subnet-wide Metagraph or Neurons).
	require.Equal(t, map[string]int{"BlockNumber": 1, "BlockHash": 1, "Mechagraph": 1, "NeuronsLite": 1,
		"MechanismWeights": 1, "MechanismBonds": 1, "MechanismCount": 1, "MechanismEmissionSplit": 1}, f.calls)
	require.Len(t, f.reads, 6)
	for _, h := range f.reads {
		require.Equal(t, hashOf(1000), h)
	}
	// The subnet's mechanism layout, at the same block.
	require.Equal(t, 2, m.MechanismCount)
	require.Equal(t, []uint16{45875, 19660}, m.EmissionSplit)
	// Mechanism 1's own terms.
	require.Equal(t, []float64{0, 1, 0}, m.Incentive)
	require.Equal(t, []uint64{950, 951, 952}, m.LastUpdate)
	// Subnet-wide terms as in mechanism 0.
	require.Equal(t, []float64{1, 1e-9, 0.123456789}, m.Emission)
	require.Equal(t, []float64{0, 0.5000076295109483, 1}, m.Consensus)
	require.Equal(t, []float64{1, 0, 0.09999237048905166}, m.ValidatorTrust)
	require.Equal(t, []float64{2.18, 0, 0.59}, m.TotalStake)
	// Weights row-normalized, bonds raw, both mechanism 1's; uid 1 set no
	// weights on mechanism 1 and its row is zero.
	require.Equal(t, []float64{
		0, 0.75, 0.25,
		0, 0, 0,
		0, 1, 0,
	}, m.Weights.RawMatrix().Data)
	require.Equal(t, []float64{
		0, 40000, 0,
		0, 0, 0,
		0, 0, 0,
	}, m.Bonds.RawMatrix().Data)

	// Mechanism 0 from the same chain is the subnet's own metagraph.
	m0, err := Sync(ctx, f, 1, WithFull())
	require.NoError(t, err)
	require.Equal(t, subtensor.MechID(0), m0.MechID)
	require.Equal(t, []float64{1, 0, 0.09999237048905166}, m0.Incentive)
	require.Equal(t, []float64{0, 1.0 / 3, 2.0 / 3}, m0.Weights.RawRowView(0))
	require.Equal(t, 2, m0.MechanismCount, "mechanism 0 of a MechanismChain records the layout too")
	require.Equal(t, []uint16{45875, 19660}, m0.EmissionSplit)

	// Lite mode reads no weights or bonds.
	f = newMechFake(1)
	m, err = Sync(ctx, f, 1, WithMechanism(1))
	require.NoError(t, err)
	require.True(t, m.Lite)
	require.Nil(t, m.Weights)
	require.Equal(t, map[string]int{"BlockNumber": 1, "BlockHash": 1, "Mechagraph": 1, "NeuronsLite": 1,
		"MechanismCount": 1, "MechanismEmissionSplit": 1}, f.calls)

	// Refresh keeps the mechanism.
	f.graphs[1].Incentives = []uint16{65535, 0, 0}
	require.NoError(t, m.Refresh(ctx, f))
	require.Equal(t, subtensor.MechID(1), m.MechID)
	require.Equal(t, []float64{1, 0, 0}, m.Incentive)
}

func TestSyncMechanismErrors(t *testing.T) {
	ctx := context.Background()
	// A chain without MechanismChain can only give mechanism 0.
	_, err := Sync(ctx, threeUIDs(1), 1, WithMechanism(1))
	require.ErrorIs(t, err, ErrMechanismUnsupported)

	// A mechanism the subnet does not have: the chain's error, as is.
	_, err = Sync(ctx, newMechFake(1), 1, WithMechanism(2), WithFull())
	require.ErrorIs(t, err, subtensor.ErrMechanismDoesNotExist)

	boom := errors.New("connection reset")
	f := newMechFake(1)
	f.rowsErr = boom
	_, err = Sync(ctx, f, 1, WithMechanism(1), WithFull())
	require.ErrorIs(t, err, boom)

	for _, tc := range []struct {
		name   string
		field  string
		break_ func(f *mechFake)
	}{
		{"last_update long", "Metagraph.LastUpdate", func(f *mechFake) { f.graphs[1].LastUpdate = append(f.graphs[1].LastUpdate, 1) }},
		{"incentive long", "Metagraph.Incentives", func(f *mechFake) { f.graphs[1].Incentives = append(f.graphs[1].Incentives, 1) }},
		{"emission short", "Metagraph.Emission", func(f *mechFake) { f.graphs[1].Emission = f.graphs[1].Emission[:1] }},
		{"num_uids", "Metagraph.NumUIDs", func(f *mechFake) { f.graphs[1].NumUIDs = 2 }},
		{"other block", "Metagraph.Block", func(f *mechFake) { f.graphs[1].Block = 999 }},
		{"other mechanism's index", "Metagraph.NetUID", func(f *mechFake) { f.graphs[1].NetUID = subtensor.NetUID(subtensor.NetUIDIndex(1, 2)) }},
		{"hotkey differs", "Neurons.Hotkey", func(f *mechFake) {
			f.graphs[1].Hotkeys = append([]subtensor.AccountID{acct(50)}, f.graphs[1].Hotkeys[1:]...)
		}},
		{"weight row past n", "MechanismWeights", func(f *mechFake) { f.weights[1][3] = []we{{UID: 0, Value: 1}} }},
		{"weight past n", "MechanismWeights", func(f *mechFake) { f.weights[1][0] = []we{{UID: 7, Value: 1}} }},
		{"bond past n", "MechanismBonds", func(f *mechFake) { f.bonds[1][2] = []we{{UID: 3, Value: 1}} }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newMechFake(1)
			tc.break_(f)
			m, err := Sync(ctx, f, 1, WithMechanism(1), WithFull())
			require.Nil(t, m)
			require.ErrorIs(t, err, ErrInconsistent)
			var ie *InconsistentError
			require.ErrorAs(t, err, &ie)
			require.Equal(t, tc.field, ie.Field)
		})
	}
}

// TestSyncMechanismShortVectors: a mechanism whose incentive and
// last_update were never written (no weights, no epoch yet) or predate a
// registration comes back from the runtime with short vectors; the missing
// entries are zero, also when Refresh reuses buffers that held other values.
func TestSyncMechanismShortVectors(t *testing.T) {
	ctx := context.Background()
	f := newMechFake(1)
	m, err := Sync(ctx, f, 1, WithMechanism(1))
	require.NoError(t, err)
	require.Equal(t, []uint64{950, 951, 952}, m.LastUpdate)

	f.graphs[1].Incentives = nil
	f.graphs[1].LastUpdate = []uint64{960}
	require.NoError(t, m.Refresh(ctx, f))
	require.Equal(t, []float64{0, 0, 0}, m.Incentive)
	require.Equal(t, []uint64{960, 0, 0}, m.LastUpdate)

	// Mechanism 0 is the subnet: its vectors must be whole.
	f = newMechFake(1)
	f.mg.Incentives = f.mg.Incentives[:2]
	_, err = Sync(ctx, f, 1)
	var ie *InconsistentError
	require.ErrorAs(t, err, &ie)
	require.Equal(t, "Metagraph.Incentives", ie.Field)
}

func TestSaveLoadMechanism(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	f := newMechFake(1)
	m1, err := Sync(ctx, f, 1, WithMechanism(1), WithFull(), WithNetwork("local"))
	require.NoError(t, err)
	m0, err := Sync(ctx, f, 1, WithFull(), WithNetwork("local"))
	require.NoError(t, err)

	p1, err := m1.Save(root)
	require.NoError(t, err)
	require.Equal(t, filepath.Join(root, "network-local", "netuid-1", "mech-1", "block-1000.mgraph"), p1)
	p0, err := m0.Save(root)
	require.NoError(t, err)
	require.Equal(t, filepath.Join(root, "network-local", "netuid-1", "block-1000.mgraph"), p0,
		"mechanism 0 keeps the layout files were saved in before mechanisms")

	got, err := LoadLatestMechanism(root, "local", 1, 1)
	require.NoError(t, err)
	requireSameMetagraph(t, m1, got)
	require.Equal(t, subtensor.MechID(1), got.MechID)
	require.Equal(t, 2, got.MechanismCount)
	require.Equal(t, []uint16{45875, 19660}, got.EmissionSplit)
	got, err = LoadLatest(root, "local", 1)
	require.NoError(t, err)
	requireSameMetagraph(t, m0, got)

	bs, err := MechanismBlocks(root, "local", 1, 1)
	require.NoError(t, err)
	require.Equal(t, []uint64{1000}, bs)
	bs, err = Blocks(root, "local", 1)
	require.NoError(t, err)
	require.Equal(t, []uint64{1000}, bs, "the mech-1 directory is not a block of mechanism 0")
	_, err = LoadLatestMechanism(root, "local", 1, 2)
	require.ErrorIs(t, err, ErrNoSnapshot)

	// The committed version-1 file (written before mechanisms were
	// readable) still loads, as mechanism 0.
	data, err := os.ReadFile("testdata/format-v1.mgraph")
	require.NoError(t, err)
	old, err := Decode(data)
	require.NoError(t, err)
	require.Equal(t, subtensor.MechID(0), old.MechID)
	require.Zero(t, old.MechanismCount, "files from before the mechanism layout was recorded read as unknown")
	require.Nil(t, old.EmissionSplit)
}

func TestSyncerMechanism(t *testing.T) {
	f := newMechFake(1)
	s := NewSyncer(f, 1, WithMechanism(1), WithFull())
	m, err := s.Refresh(context.Background())
	require.NoError(t, err)
	require.Equal(t, subtensor.MechID(1), m.MechID)
	require.Equal(t, []float64{0, 1, 0}, m.Incentive)
	require.Same(t, m, s.Current())
}
