package yuma

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestEpochValidation(t *testing.T) {
	base := func() Input {
		return Input{
			OwnerUID:            -1,
			AlphaStake:          []uint64{1, 2},
			TaoStake:            []uint64{0, 0},
			LastUpdate:          []uint64{0, 0},
			BlockAtRegistration: []uint64{0, 0},
			ValidatorPermit:     []bool{true, true},
			Weights:             make([][]Weight, 2),
			Bonds:               make([][]Weight, 2),
		}
	}
	_, err := Epoch(base())
	require.NoError(t, err)

	for _, c := range []struct {
		name   string
		mutate func(*Input)
		target error
		field  string
	}{
		{"tao", func(in *Input) { in.TaoStake = nil }, ErrLengthMismatch, "TaoStake"},
		{"lastupdate", func(in *Input) { in.LastUpdate = []uint64{1} }, ErrLengthMismatch, "LastUpdate"},
		{"reg", func(in *Input) { in.BlockAtRegistration = nil }, ErrLengthMismatch, "BlockAtRegistration"},
		{"permit", func(in *Input) { in.ValidatorPermit = []bool{true} }, ErrLengthMismatch, "ValidatorPermit"},
		{"weights", func(in *Input) { in.Weights = nil }, ErrLengthMismatch, "Weights"},
		{"bonds", func(in *Input) { in.Bonds = make([][]Weight, 3) }, ErrLengthMismatch, "Bonds"},
		{"commit", func(in *Input) { in.CommitBlock = []uint64{1} }, ErrLengthMismatch, "CommitBlock"},
		{"owner high", func(in *Input) { in.OwnerUID = 2 }, ErrOwnerUID, ""},
		{"owner low", func(in *Input) { in.OwnerUID = -2 }, ErrOwnerUID, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			in := base()
			c.mutate(&in)
			_, err := Epoch(in)
			require.ErrorIs(t, err, c.target)
			if c.field != "" {
				var le *LengthError
				require.True(t, errors.As(err, &le))
				require.Equal(t, c.field, le.Field)
			}
		})
	}
}

func TestEpochEdgeCases(t *testing.T) {
	t.Run("empty subnet", func(t *testing.T) {
		out, err := Epoch(Input{OwnerUID: -1, Emission: 1000})
		require.NoError(t, err)
		require.Empty(t, out.Emission)
	})
	zero := func(n int) Input {
		return Input{
			OwnerUID: -1, AlphaStake: make([]uint64, n), TaoStake: make([]uint64, n),
			LastUpdate: make([]uint64, n), BlockAtRegistration: make([]uint64, n),
			ValidatorPermit: make([]bool, n), Weights: make([][]Weight, n), Bonds: make([][]Weight, n),
			Emission: 1_000_000_000, Params: Params{MaxAllowedValidators: 64, ActivityCutoff: 5000},
		}
	}
	for _, yuma3 := range []bool{false, true} {
		t.Run("all zero stake", func(t *testing.T) {
			in := zero(8)
			in.Params.Yuma3 = yuma3
			out, err := Epoch(in)
			require.NoError(t, err)
			checkInvariants(t, in, out)
			for i := range 8 {
				require.Zero(t, out.Emission[i], "nothing to split by")
				require.False(t, out.ValidatorPermit[i], "zero stake never gets a permit")
			}
		})
		t.Run("all zero weights", func(t *testing.T) {
			in := zero(4)
			in.Params.Yuma3 = yuma3
			for i := range 4 {
				in.AlphaStake[i] = uint64(i + 1)
				in.ValidatorPermit[i] = true
				in.Weights[i] = []Weight{{UID: uint16((i + 1) % 4), Value: 0}}
			}
			out, err := Epoch(in)
			require.NoError(t, err)
			checkInvariants(t, in, out)
			// incentive+dividends = 0 → emission by active stake (1,2,3,4)/10.
			require.Equal(t, []uint64{99999999, 199999999, 299999999, 399999999}, out.ValidatorEmission)
			require.Equal(t, []uint64{0, 0, 0, 0}, out.ServerEmission)
		})
	}
	t.Run("owner exempt from threshold and keeps self weight", func(t *testing.T) {
		in := zero(3)
		in.OwnerUID = 2
		in.Params.StakeThreshold = 1000
		in.Params.BondsPenalty = 65535
		in.Params.Kappa = 32767
		in.AlphaStake = []uint64{5000, 10, 500}
		in.ValidatorPermit = []bool{true, false, false}
		in.Weights[0] = []Weight{{UID: 1, Value: 65535}}
		in.Weights[2] = []Weight{{UID: 2, Value: 65535}}
		in.LastUpdate = []uint64{1, 1, 1}
		out, tr, err := EpochTrace(in)
		require.NoError(t, err)
		checkInvariants(t, in, out)
		require.Zero(t, tr.Stake[1], "below threshold")
		require.NotZero(t, tr.Stake[2], "owner exempt")
		require.True(t, tr.PermitOld[2], "owner forced permitted")
		require.Equal(t, []Entry{{UID: 2, Value: 1 << 32}}, tr.WeightsNorm[2], "owner self-weight kept")
		require.True(t, out.ValidatorPermit[2])
	})
	t.Run("commit reveal masks weights to uids registered after the commit", func(t *testing.T) {
		in := zero(3)
		in.Block = 100
		in.AlphaStake = []uint64{100, 0, 0}
		in.ValidatorPermit = []bool{true, false, false}
		in.LastUpdate = []uint64{90, 0, 0}
		in.BlockAtRegistration = []uint64{0, 10, 60}
		in.Weights[0] = []Weight{{UID: 1, Value: 65535}, {UID: 2, Value: 65535}}
		in.Params.CommitRevealEnabled = true
		in.CommitBlock = []uint64{50, NoCommit, NoCommit}
		_, tr, err := EpochTrace(in)
		require.NoError(t, err)
		require.Equal(t, []Entry{{UID: 1, Value: 1 << 32}}, tr.WeightsNorm[0])
		in.Params.CommitRevealEnabled = false
		_, tr, err = EpochTrace(in)
		require.NoError(t, err)
		require.Len(t, tr.WeightsNorm[0], 2)
	})
}

// TestEpochProperties runs random subnets through both bond modes and checks
// the invariants: ranges, sums and that emission is split without creation.
func TestEpochProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 9))
	for it := range 60 {
		o := genOpts{n: 1 + r.IntN(80), validators: 1 + r.IntN(20), yuma3: it%2 == 0, liquid: it%3 == 0, weightsPerRow: r.IntN(40)}
		in := genInput(r, o)
		out, err := Epoch(in)
		require.NoError(t, err)
		checkInvariants(t, in, out)
	}
}

func TestEpochStressSizes(t *testing.T) {
	sizes := []genOpts{{n: 256, validators: 64}, {n: 256, validators: 64, yuma3: true, liquid: true}}
	if !testing.Short() {
		sizes = append(sizes, genOpts{n: 4096, validators: 256, yuma3: true, liquid: true, weightsPerRow: 128})
	}
	for _, o := range sizes {
		r := rand.New(rand.NewPCG(uint64(o.n), 1))
		in := genInput(r, o)
		out, err := Epoch(in)
		require.NoError(t, err)
		checkInvariants(t, in, out)
	}
}

// FuzzEpoch builds an Input from arbitrary bytes: Epoch must never panic and
// valid inputs must satisfy the invariants.
func FuzzEpoch(f *testing.F) {
	f.Add([]byte{4, 1, 0, 0, 0, 0, 0, 0, 0, 9, 9, 9, 9})
	f.Add([]byte{0})
	f.Add([]byte("\x10\xff\xff\xff\xff\xff\xff\xff\xff\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f"))
	f.Fuzz(func(t *testing.T, data []byte) {
		in, realistic := inputFromBytes(data)
		out, err := Epoch(in)
		if err != nil {
			return
		}
		if realistic {
			checkInvariants(t, in, out)
		}
	})
}

type byteReader struct{ b []byte }

func (r *byteReader) u8() uint8 {
	if len(r.b) == 0 {
		return 0
	}
	v := r.b[0]
	r.b = r.b[1:]
	return v
}

func (r *byteReader) u16() uint16 { return uint16(r.u8())<<8 | uint16(r.u8()) }

func (r *byteReader) u64() uint64 {
	var buf [8]byte
	for i := range buf {
		buf[i] = r.u8()
	}
	return binary.BigEndian.Uint64(buf[:])
}

// inputFromBytes decodes a small subnet; extreme values (u64::MAX stakes,
// out-of-range uids, duplicate entries) are all reachable. realistic is false
// when raw u64 stakes are used: their sum can wrap I64F64 (as it would on
// chain, where it cannot happen because supply is ~2.1e16 rao), so only
// "no panic" is checked then.
func inputFromBytes(data []byte) (Input, bool) {
	r := &byteReader{b: data}
	flags := r.u8()
	n := int(r.u8() % 24)
	in := Input{
		Block: r.u64() % 100000,
		Params: Params{
			Tempo: r.u16(), Kappa: r.u16(), BondsMovingAverage: r.u64() % 2_000_000, BondsPenalty: r.u16(),
			ActivityCutoff: uint64(r.u16()), MaxAllowedValidators: uint16(r.u8()),
			StakeThreshold: uint64(r.u16()), Yuma3: flags&1 != 0, LiquidAlphaEnabled: flags&2 != 0,
			AlphaLow: r.u16(), AlphaHigh: r.u16(), AlphaSigmoidSteepness: int64(int16(r.u16())),
			CommitRevealEnabled: flags&4 != 0,
		},
		OwnerUID:               int(r.u8()) - 1,
		TaoWeight:              r.u64(),
		LastMechanismStepBlock: r.u64() % 100000,
		Emission:               r.u64(),
	}
	if in.OwnerUID >= n {
		in.OwnerUID = -1
	}
	in.AlphaStake = make([]uint64, n)
	in.TaoStake = make([]uint64, n)
	in.LastUpdate = make([]uint64, n)
	in.BlockAtRegistration = make([]uint64, n)
	in.ValidatorPermit = make([]bool, n)
	in.Weights = make([][]Weight, n)
	in.Bonds = make([][]Weight, n)
	if flags&4 != 0 {
		in.CommitBlock = make([]uint64, n)
	}
	for i := range n {
		switch {
		case flags&8 != 0:
			in.AlphaStake[i] = r.u64()
			in.TaoStake[i] = r.u64()
		case flags&32 != 0:
			in.AlphaStake[i] = r.u64() >> 8
			in.TaoStake[i] = r.u64() >> 8
		default:
			in.AlphaStake[i] = uint64(r.u16()) * 1e9
			in.TaoStake[i] = uint64(r.u8()) * 1e9
		}
		in.LastUpdate[i] = uint64(r.u16())
		in.BlockAtRegistration[i] = uint64(r.u16())
		in.ValidatorPermit[i] = r.u8()&1 == 1
		if in.CommitBlock != nil {
			in.CommitBlock[i] = uint64(r.u16())
			if in.CommitBlock[i] > 60000 {
				in.CommitBlock[i] = NoCommit
			}
		}
		for range int(r.u8() % 6) {
			in.Weights[i] = append(in.Weights[i], Weight{UID: uint16(r.u8() % 32), Value: r.u16()})
		}
		for range int(r.u8() % 6) {
			in.Bonds[i] = append(in.Bonds[i], Weight{UID: uint16(r.u8() % 32), Value: r.u16()})
		}
	}
	if in.Emission > math.MaxUint64/2 && flags&16 == 0 {
		in.Emission %= 1 << 40
	}
	return in, flags&8 == 0
}

// Epoch (fused masks) and EpochTrace (staged masks) must agree exactly.
func TestEpochMatchesEpochTrace(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 22))
	for it := range 300 {
		in, _ := inputFromBytes(func() []byte {
			b := make([]byte, 64+r.IntN(600))
			for i := range b {
				b[i] = byte(r.Uint32())
			}
			return b
		}())
		a, errA := Epoch(in)
		b, _, errB := EpochTrace(in)
		require.Equal(t, errA, errB)
		require.Equal(t, a, b, "iteration %d", it)
	}
	for it := range 20 {
		in := genInput(r, genOpts{n: 2 + r.IntN(100), validators: 1 + r.IntN(20), yuma3: it%2 == 1, liquid: it%3 == 0, weightsPerRow: r.IntN(50)})
		in.Params.CommitRevealEnabled = it%4 == 0
		if in.Params.CommitRevealEnabled {
			in.CommitBlock = make([]uint64, len(in.AlphaStake))
			for i := range in.CommitBlock {
				in.CommitBlock[i] = uint64(r.IntN(9000))
			}
		}
		a, err := Epoch(in)
		require.NoError(t, err)
		b, _, err := EpochTrace(in)
		require.NoError(t, err)
		require.Equal(t, a, b, "generated %d", it)
	}
}

// Epoch reuses pooled scratch memory: concurrent calls must not interfere and
// repeated calls must give identical results.
func TestEpochConcurrentAndRepeatable(t *testing.T) {
	r := rand.New(rand.NewPCG(31, 32))
	inputs := make([]Input, 8)
	want := make([]Output, len(inputs))
	for k := range inputs {
		inputs[k] = genInput(r, genOpts{n: 20 + r.IntN(100), validators: 1 + r.IntN(16), yuma3: k%2 == 0, liquid: k%4 == 0, weightsPerRow: r.IntN(60)})
		var err error
		want[k], _, err = EpochTrace(inputs[k])
		require.NoError(t, err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 4*len(inputs))
	for range 4 {
		for k := range inputs {
			wg.Go(func() {
				got, err := Epoch(inputs[k])
				if err == nil && !reflect.DeepEqual(got, want[k]) {
					err = fmt.Errorf("input %d: concurrent result differs", k)
				}
				if err != nil {
					errs <- err
				}
			})
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
