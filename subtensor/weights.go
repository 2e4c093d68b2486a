package subtensor

import (
	"context"
	"errors"
	"fmt"
	"math"

	"golang.org/x/crypto/blake2b"
)

// ErrInvalidWeights is returned by ConvertWeightsAndUIDsForEmit for input the
// Python SDK would also refuse (negative or non-finite weights, negative
// uids, unequal lengths, empty input).
var ErrInvalidWeights = errors.New("subtensor: invalid weights")

// ConvertWeightsAndUIDsForEmit turns float weights into the u16 values
// set_weights takes, exactly as the Python SDK's
// convert_weights_and_uids_for_emit: each weight (float32, widened to
// float64) is divided by the maximum, multiplied by 65535 and rounded half to
// even; entries that round to 0 are dropped. All-zero weights give empty
// slices. Uids must fit in u16.
func ConvertWeightsAndUIDsForEmit(uids []int64, weights []float32) ([]UID, []uint16, error) {
	if len(uids) == 0 || len(weights) == 0 {
		return nil, nil, fmt.Errorf("%w: empty uids or weights", ErrInvalidWeights)
	}
	if len(uids) != len(weights) {
		return nil, nil, fmt.Errorf("%w: %d uids and %d weights", ErrInvalidWeights, len(uids), len(weights))
	}
	maxW := 0.0
	for i, w := range weights {
		f := float64(w)
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, nil, fmt.Errorf("%w: weight %d is not finite", ErrInvalidWeights, i)
		}
		if f < 0 {
			return nil, nil, fmt.Errorf("%w: weight %d is negative", ErrInvalidWeights, i)
		}
		if uids[i] < 0 || uids[i] > math.MaxUint16 {
			return nil, nil, fmt.Errorf("%w: uid %d out of range", ErrInvalidWeights, uids[i])
		}
		maxW = max(maxW, f)
	}
	if maxW == 0 {
		return []UID{}, []uint16{}, nil
	}
	outU := make([]UID, 0, len(uids))
	outV := make([]uint16, 0, len(uids))
	for i, w := range weights {
		v := math.RoundToEven(float64(w) / maxW * 65535)
		if v != 0 {
			outU = append(outU, UID(uids[i]))
			outV = append(outV, uint16(v))
		}
	}
	return outU, outV, nil
}

// MaxUpscaleToU16 scales u16 weight values so the largest becomes 65535,
// with the chain's vec_max_upscale_to_u16 arithmetic (I32F32, truncating
// division, round half away from zero), so it predicts exactly what
// set_weights stores.
func MaxUpscaleToU16(values []uint16) []uint16 {
	out := make([]uint16, len(values))
	var m uint64
	for _, v := range values {
		m = max(m, uint64(v))
	}
	if m == 0 {
		return out
	}
	const half = 1 << 31
	for i, v := range values {
		var bits uint64 // I32F32 bits of the scaled value
		if m > 32768 {
			q := (65535 << 32) / m // I32F32 65535/max, truncated
			bits = uint64(v) * q
		} else {
			bits = (uint64(v) * 65535 << 32) / m
		}
		r := (bits + half) >> 32
		out[i] = uint16(min(r, 65535))
	}
	return out
}

// CommitHash is the commit-reveal v2 hash the chain checks in
// reveal_weights: blake2b-256 over the SCALE encoding of
// (hotkey AccountId32, netuid_index u16, uids Vec<u16>, values Vec<u16>,
// salt Vec<u16>, version_key u64), with netuid_index = mecid·4096 + netuid.
func CommitHash(hotkey AccountID, netuid NetUID, mech MechID, uids []UID, values []uint16, salt []uint16, versionKey uint64) Hash {
	return Hash(blake2b.Sum256(commitPayload(hotkey, NetUIDIndex(netuid, mech), uids, values, salt, versionKey)))
}

func commitPayload(hotkey AccountID, idx uint16, uids []UID, values, salt []uint16, versionKey uint64) []byte {
	b := make([]byte, 0, 32+2+3*5+2*(len(uids)+len(values)+len(salt))+8)
	b = append(b, hotkey[:]...)
	b = append(b, byte(idx), byte(idx>>8))
	u := make([]uint16, len(uids))
	for i, x := range uids {
		u[i] = uint16(x)
	}
	b = appendU16Vec(b, u)
	b = appendU16Vec(b, values)
	b = appendU16Vec(b, salt)
	for i := 0; i < 8; i++ {
		b = append(b, byte(versionKey>>(8*i)))
	}
	return b
}

// SetWeightsFloat normalizes float weights with ConvertWeightsAndUIDsForEmit
// and sets them on any Chain backend: the Python SDK's
// subtensor.set_weights(uids, weights) in one call. All-zero weights are
// refused with ErrInvalidWeights (there is nothing to set).
func SetWeightsFloat(ctx context.Context, c Chain, signer Signer, netuid NetUID, uids []int64, weights []float32, versionKey uint64) (*Receipt, error) {
	u, v, err := ConvertWeightsAndUIDsForEmit(uids, weights)
	if err != nil {
		return nil, err
	}
	if len(u) == 0 {
		return nil, fmt.Errorf("%w: all weights are zero", ErrInvalidWeights)
	}
	return c.SetWeights(ctx, signer, netuid, u, v, versionKey)
}
