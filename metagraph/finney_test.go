package metagraph

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"math"
	"os"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gotensor/gotensor/subtensor"
)

// TestFinneyRecorded syncs subnet 1 of mainnet as recorded at block 6852690
// (bittensor's own integration fixture; testdata/finney_netuid1.py) and
// checks the SDK test's assertions (n = 1024, netuid 1, block 6852690) and
// every normalized vector against the Python SDK's float32 values,
// computed with numpy from the same bytes.
func TestFinneyRecorded(t *testing.T) {
	fh, err := os.Open("testdata/finney_netuid1.json.gz")
	require.NoError(t, err)
	defer fh.Close()
	zr, err := gzip.NewReader(fh)
	require.NoError(t, err)
	var g struct {
		Scalars     map[string]any
		MovingPrice float64 `json:"moving_price"`
		MG          map[string]json.RawMessage
		Axons       [][6]uint64
		Neurons     []struct {
			Hotkey, Coldkey string
			UID             int
			ValidatorTrust  uint16 `json:"validator_trust"`
			Stake           uint64
		}
		Want map[string]json.RawMessage
	}
	require.NoError(t, json.NewDecoder(zr).Decode(&g))

	u := func(k string) uint64 {
		switch v := g.Scalars[k].(type) {
		case string:
			n, err := strconv.ParseUint(v, 10, 64)
			require.NoError(t, err, k)
			return n
		case float64:
			return uint64(v)
		}
		t.Fatalf("scalar %s: %T", k, g.Scalars[k])
		return 0
	}
	b := func(k string) bool { return g.Scalars[k] == true }
	accts := func(k string) []subtensor.AccountID {
		var ss []string
		require.NoError(t, json.Unmarshal(g.MG[k], &ss))
		out := make([]subtensor.AccountID, len(ss))
		for i, s := range ss {
			out[i] = subtensor.MustParseAccountID(s)
		}
		return out
	}
	nums := func(k string) []uint64 {
		var raw []json.Number
		require.NoError(t, json.Unmarshal(g.MG[k], &raw))
		out := make([]uint64, len(raw))
		for i, r := range raw {
			n, err := strconv.ParseUint(r.String(), 10, 64)
			require.NoError(t, err)
			out[i] = n
		}
		return out
	}
	u16v := func(k string) []uint16 {
		var out []uint16
		for _, x := range nums(k) {
			out = append(out, uint16(x))
		}
		return out
	}
	bal := func(k string) []subtensor.Balance {
		var out []subtensor.Balance
		for _, x := range nums(k) {
			out = append(out, subtensor.Balance(x))
		}
		return out
	}
	var active, permit []bool
	require.NoError(t, json.Unmarshal(g.MG["active"], &active))
	require.NoError(t, json.Unmarshal(g.MG["validator_permit"], &permit))
	divs := func(k string) []subtensor.HotkeyAmount {
		var raw [][2]string
		require.NoError(t, json.Unmarshal(g.MG[k], &raw))
		out := make([]subtensor.HotkeyAmount, len(raw))
		for i, r := range raw {
			n, err := strconv.ParseUint(r[1], 10, 64)
			require.NoError(t, err)
			out[i] = subtensor.HotkeyAmount{Hotkey: subtensor.MustParseAccountID(r[0]), Amount: subtensor.Balance(n)}
		}
		return out
	}

	mg := &subtensor.Metagraph{
		NetUID: 1, Name: g.Scalars["name"].(string), Symbol: g.Scalars["symbol"].(string),
		Identity:            &subtensor.SubnetIdentity{SubnetName: g.Scalars["subnet_name"].(string)},
		NetworkRegisteredAt: u("network_registered_at"),
		OwnerHotkey:         subtensor.MustParseAccountID(g.Scalars["owner_hotkey"].(string)),
		OwnerColdkey:        subtensor.MustParseAccountID(g.Scalars["owner_coldkey"].(string)),
		Block:               u("block"), Tempo: uint16(u("tempo")), LastStep: u("last_step"),
		BlocksSinceLastStep: u("blocks_since_last_step"), SubnetEmission: u("subnet_emission"),
		AlphaIn: subtensor.Balance(u("alpha_in")), AlphaOut: subtensor.Balance(u("alpha_out")),
		TaoIn: subtensor.Balance(u("tao_in")), AlphaOutEmission: subtensor.Balance(u("alpha_out_emission")),
		AlphaInEmission: subtensor.Balance(u("alpha_in_emission")), TaoInEmission: subtensor.Balance(u("tao_in_emission")),
		PendingAlphaEmission: subtensor.Balance(u("pending_alpha_emission")),
		PendingRootEmission:  subtensor.Balance(u("pending_root_emission")),
		SubnetVolume:         u("subnet_volume"), MovingPrice: g.MovingPrice,
		Rho: uint16(u("rho")), Kappa: uint16(u("kappa")), MinAllowedWeights: uint16(u("min_allowed_weights")),
		MaxWeightsLimit: uint16(u("max_weights_limit")), WeightsVersion: u("weights_version"),
		WeightsRateLimit: u("weights_rate_limit"), ActivityCutoff: u("activity_cutoff"),
		MaxValidators: uint16(u("max_validators")), NumUIDs: uint16(u("num_uids")), MaxUIDs: uint16(u("max_uids")),
		Burn: subtensor.Balance(u("burn")), Difficulty: u("difficulty"), RegistrationAllowed: b("registration_allowed"),
		PowRegistrationAllowed: b("pow_registration_allowed"), ImmunityPeriod: uint16(u("immunity_period")),
		MinDifficulty: u("min_difficulty"), MaxDifficulty: u("max_difficulty"),
		MinBurn: subtensor.Balance(u("min_burn")), MaxBurn: subtensor.Balance(u("max_burn")),
		AdjustmentAlpha: u("adjustment_alpha"), AdjustmentInterval: uint16(u("adjustment_interval")),
		TargetRegsPerInterval: uint16(u("target_regs_per_interval")), MaxRegsPerBlock: uint16(u("max_regs_per_block")),
		ServingRateLimit: u("serving_rate_limit"), CommitRevealWeightsEnabled: b("commit_reveal_weights_enabled"),
		CommitRevealPeriod: u("commit_reveal_period"), LiquidAlphaEnabled: b("liquid_alpha_enabled"),
		AlphaHigh: uint16(u("alpha_high")), AlphaLow: uint16(u("alpha_low")), BondsMovingAvg: u("bonds_moving_avg"),
		Hotkeys: accts("hotkeys"), Coldkeys: accts("coldkeys"), Active: active, ValidatorPermit: permit,
		PruningScore: u16v("pruning_score"), LastUpdate: nums("last_update"), Emission: bal("emission"),
		Dividends: u16v("dividends"), Incentives: u16v("incentives"), Consensus: u16v("consensus"),
		BlockAtRegistration: nums("block_at_registration"), AlphaStake: bal("alpha_stake"),
		TaoStake: bal("tao_stake"), TotalStake: bal("total_stake"),
		TaoDividendsPerHotkey: divs("tao_dividends_per_hotkey"), AlphaDividendsPerHotkey: divs("alpha_dividends_per_hotkey"),
	}
	n := len(mg.Hotkeys)
	mg.Identities = make([]*subtensor.ChainIdentity, n)
	for _, a := range g.Axons {
		mg.Axons = append(mg.Axons, subtensor.AxonInfo{Block: a[0], Version: uint32(a[1]), IP: subtensor.IPAddr{Lo: a[2]},
			Port: uint16(a[3]), IPType: uint8(a[4]), Protocol: uint8(a[5])})
	}
	f := &fakeChain{block: mg.Block, netuid: 1, mg: mg}
	for i, nr := range g.Neurons {
		f.lite = append(f.lite, subtensor.NeuronInfoLite{
			Hotkey: subtensor.MustParseAccountID(nr.Hotkey), Coldkey: subtensor.MustParseAccountID(nr.Coldkey),
			UID: subtensor.UID(nr.UID), NetUID: 1, ValidatorTrust: nr.ValidatorTrust, Axon: mg.Axons[i],
		})
	}

	m, err := Sync(context.Background(), f, 1)
	require.NoError(t, err)
	// The SDK test's assertions on this recording.
	require.Equal(t, 1024, m.N)
	require.Equal(t, subtensor.NetUID(1), m.NetUID)
	require.Equal(t, uint64(6852690), m.Block)

	bits32 := func(xs []float64) []uint32 {
		out := make([]uint32, len(xs))
		for i, x := range xs {
			out[i] = math.Float32bits(float32(x))
		}
		return out
	}
	want32 := func(k string) []uint32 {
		var v []uint32
		require.NoError(t, json.Unmarshal(g.Want[k], &v))
		return v
	}
	want64 := func(k string) uint64 {
		var v uint64
		require.NoError(t, json.Unmarshal(g.Want[k], &v))
		return v
	}
	for name, got := range map[string][]float64{
		"consensus": m.Consensus, "incentive": m.Incentive, "dividends": m.Dividends,
		"validator_trust": m.ValidatorTrust, "emission": m.Emission, "alpha_stake": m.AlphaStake,
		"tao_stake": m.TaoStake, "total_stake": m.TotalStake, "pruning_score": m.PruningScore,
	} {
		require.Equal(t, want32(name), bits32(got), name)
	}
	require.Equal(t, want64("pool_moving_price"), math.Float64bits(m.Subnet.Pool.MovingPrice))
	require.Equal(t, want64("pool_alpha_in"), math.Float64bits(m.Subnet.Pool.AlphaIn))
	require.Equal(t, want64("adjustment_alpha"), math.Float64bits(m.Subnet.Hyperparams.AdjustmentAlpha))
	require.Equal(t, "Apex", m.Subnet.Identity.SubnetName)
	require.Equal(t, "192.222.59.109:6028", m.Axons[0].Address())
	require.Len(t, m.ValidatorsByStake(), countTrue(permit))

	// And the snapshot survives a save/load round trip unchanged.
	data, err := m.MarshalBinary()
	require.NoError(t, err)
	got, err := Decode(data)
	require.NoError(t, err)
	requireSameMetagraph(t, m, got)
	t.Logf("1024-uid lite metagraph: %d bytes on disk", len(data))
}

func countTrue(bs []bool) int {
	n := 0
	for _, b := range bs {
		if b {
			n++
		}
	}
	return n
}
