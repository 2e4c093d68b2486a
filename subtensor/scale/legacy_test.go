package scale_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gotensor/gotensor/subtensor/scale"
)

// legacyHyperparams is the spec-208 SubnetHyperparams layout: every integer
// Compact, wrapped in a Vec<u8> by the old runtime API.
type legacyHyperparams struct {
	Rho                         uint16 `scale:"compact"`
	Kappa                       uint16 `scale:"compact"`
	ImmunityPeriod              uint16 `scale:"compact"`
	MinAllowedWeights           uint16 `scale:"compact"`
	MaxWeightsLimit             uint16 `scale:"compact"`
	Tempo                       uint16 `scale:"compact"`
	MinDifficulty               uint64 `scale:"compact"`
	MaxDifficulty               uint64 `scale:"compact"`
	WeightsVersion              uint64 `scale:"compact"`
	WeightsRateLimit            uint64 `scale:"compact"`
	AdjustmentInterval          uint16 `scale:"compact"`
	ActivityCutoff              uint16 `scale:"compact"`
	RegistrationAllowed         bool
	TargetRegsPerInterval       uint16 `scale:"compact"`
	MinBurn                     uint64 `scale:"compact"`
	MaxBurn                     uint64 `scale:"compact"`
	BondsMovingAvg              uint64 `scale:"compact"`
	MaxRegsPerBlock             uint16 `scale:"compact"`
	ServingRateLimit            uint64 `scale:"compact"`
	MaxValidators               uint16 `scale:"compact"`
	AdjustmentAlpha             uint64 `scale:"compact"`
	Difficulty                  uint64 `scale:"compact"`
	CommitRevealWeightsInterval uint64 `scale:"compact"`
	CommitRevealWeightsEnabled  bool
	AlphaHigh                   uint16 `scale:"compact"`
	AlphaLow                    uint16 `scale:"compact"`
	LiquidAlphaEnabled          bool
}

// Recorded SubnetInfoRuntimeApi_get_subnet_hyperparams(23) at spec 208
// (fixtures state_calls.json; expected values from its hand decode, which
// agrees with the storage reads for netuid 23).
func TestLegacyHyperparams(t *testing.T) {
	raw := mustHex(t, "0x190128feff0100214e04feff0300a10f025a620213ffffffffffffff3f009101d107214e0104040700e876481782ee360004c80101428a0300025a620204009a990300cecc020000")
	var wrapped []byte
	require.NoError(t, scale.Unmarshal(raw, &wrapped))
	require.Len(t, wrapped, 70)
	var hp legacyHyperparams
	require.NoError(t, scale.Unmarshal(wrapped, &hp))
	require.Equal(t, legacyHyperparams{
		Rho: 10, Kappa: 32767, ImmunityPeriod: 5000, MinAllowedWeights: 1, MaxWeightsLimit: 65535, Tempo: 1000,
		MinDifficulty: 10000000, MaxDifficulty: 4611686018427387903, WeightsVersion: 0, WeightsRateLimit: 100,
		AdjustmentInterval: 500, ActivityCutoff: 5000, RegistrationAllowed: true, TargetRegsPerInterval: 1,
		MinBurn: 1, MaxBurn: 100000000000, BondsMovingAvg: 900000, MaxRegsPerBlock: 1, ServingRateLimit: 50,
		MaxValidators: 64, AdjustmentAlpha: 58000, Difficulty: 10000000, CommitRevealWeightsInterval: 1,
		CommitRevealWeightsEnabled: false, AlphaHigh: 58982, AlphaLow: 45875, LiquidAlphaEnabled: false,
	}, hp)
	again, err := scale.Marshal(hp)
	require.NoError(t, err)
	require.Equal(t, wrapped, again)
}
