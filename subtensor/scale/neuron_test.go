package scale_test

import (
	"errors"
	"os"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/gotensor/gotensor/subtensor/scale"
)

// These mirror NeuronInfoLite as the runtime encodes it (chain.md §5,
// wire.md §4). They live in the test because the real Go type belongs to the
// subtensor package; here they exercise the reflection path against a
// hand-written Unmarshaler on the largest recorded runtime-API result.

type axonInfo struct {
	Block                 uint64
	Version               uint32
	IP                    scale.Uint128
	Port                  uint16
	IPType                uint8
	Protocol              uint8
	Placeholder1, Placeh2 uint8
}

type prometheusInfo struct {
	Block   uint64
	Version uint32
	IP      scale.Uint128
	Port    uint16
	IPType  uint8
}

type stakeEntry struct {
	Owner  [32]byte
	Amount uint64 `scale:"compact"`
}

type neuronLite struct {
	Hotkey, Coldkey [32]byte
	UID             uint16 `scale:"compact"`
	NetUID          uint16 `scale:"compact"`
	Active          bool
	Axon            axonInfo
	Prometheus      prometheusInfo
	Stake           []stakeEntry
	Rank            uint16 `scale:"compact"`
	Emission        uint64 `scale:"compact"`
	Incentive       uint16 `scale:"compact"`
	Consensus       uint16 `scale:"compact"`
	Trust           uint16 `scale:"compact"`
	ValidatorTrust  uint16 `scale:"compact"`
	Dividends       uint16 `scale:"compact"`
	LastUpdate      uint64 `scale:"compact"`
	ValidatorPermit bool
	PruningScore    uint16 `scale:"compact"`
}

// neuronLiteFast has the same layout, decoded by hand.
type neuronLiteFast neuronLite

func compact16(d *scale.Decoder, dst *uint16) error {
	v, err := d.CompactU64()
	if err != nil {
		return err
	}
	if v > 0xffff {
		return d.Fail(scale.ErrOverflow)
	}
	*dst = uint16(v)
	return nil
}

func (n *neuronLiteFast) UnmarshalSCALE(d *scale.Decoder) error {
	b, err := d.Take(64)
	if err != nil {
		return err
	}
	copy(n.Hotkey[:], b[:32])
	copy(n.Coldkey[:], b[32:])
	if err := compact16(d, &n.UID); err != nil {
		return err
	}
	if err := compact16(d, &n.NetUID); err != nil {
		return err
	}
	if n.Active, err = d.Bool(); err != nil {
		return err
	}
	// axon (34 bytes) + prometheus (31 bytes) are fixed width.
	if n.Axon.Block, err = d.U64(); err != nil {
		return err
	}
	if n.Axon.Version, err = d.U32(); err != nil {
		return err
	}
	if n.Axon.IP, err = d.U128(); err != nil {
		return err
	}
	if n.Axon.Port, err = d.U16(); err != nil {
		return err
	}
	fixed, err := d.Take(4)
	if err != nil {
		return err
	}
	n.Axon.IPType, n.Axon.Protocol, n.Axon.Placeholder1, n.Axon.Placeh2 = fixed[0], fixed[1], fixed[2], fixed[3]
	if n.Prometheus.Block, err = d.U64(); err != nil {
		return err
	}
	if n.Prometheus.Version, err = d.U32(); err != nil {
		return err
	}
	if n.Prometheus.IP, err = d.U128(); err != nil {
		return err
	}
	if n.Prometheus.Port, err = d.U16(); err != nil {
		return err
	}
	if n.Prometheus.IPType, err = d.U8(); err != nil {
		return err
	}
	count, err := d.Length(33)
	if err != nil {
		return err
	}
	n.Stake = make([]stakeEntry, count)
	for i := range n.Stake {
		k, err := d.Take(32)
		if err != nil {
			return err
		}
		copy(n.Stake[i].Owner[:], k)
		if n.Stake[i].Amount, err = d.CompactU64(); err != nil {
			return err
		}
	}
	if err := compact16(d, &n.Rank); err != nil {
		return err
	}
	if n.Emission, err = d.CompactU64(); err != nil {
		return err
	}
	for _, p := range []*uint16{&n.Incentive, &n.Consensus, &n.Trust, &n.ValidatorTrust, &n.Dividends} {
		if err := compact16(d, p); err != nil {
			return err
		}
	}
	if n.LastUpdate, err = d.CompactU64(); err != nil {
		return err
	}
	if n.ValidatorPermit, err = d.Bool(); err != nil {
		return err
	}
	return compact16(d, &n.PruningScore)
}

func loadNeuronsLite(t testing.TB) []byte {
	t.Helper()
	raw, err := os.ReadFile("testdata/get_neurons_lite_netuid1.hex")
	require.NoError(t, err)
	return mustHex(t, string(raw))
}

// Expected values: state_calls.json spot checks for
// NeuronInfoRuntimeApi_get_neurons_lite(netuid 1) at block 6852690.
func TestNeuronsLiteRecorded(t *testing.T) {
	data := loadNeuronsLite(t)
	var slow []neuronLite
	require.NoError(t, scale.Unmarshal(data, &slow))
	var fast []neuronLiteFast
	require.NoError(t, scale.Unmarshal(data, &fast))
	require.Len(t, slow, 1024)
	require.Len(t, fast, 1024)
	for i := range slow {
		require.Equal(t, slow[i], neuronLite(fast[i]), "neuron %d", i)
	}
	n0 := slow[0]
	require.Equal(t, uint16(0), n0.UID)
	require.Equal(t, uint16(1), n0.NetUID)
	require.False(t, n0.Active)
	require.Equal(t, axonInfo{Block: 6575906, Version: 9011001, IP: scale.NewUint128(3235789677), Port: 6028, IPType: 4, Protocol: 4}, n0.Axon)
	require.Equal(t, uint64(2557172316), n0.Stake[0].Amount)
	require.Equal(t, n0.Coldkey, n0.Stake[0].Owner)
	require.Equal(t, uint64(2543521), n0.LastUpdate)
	require.Equal(t, uint16(1023), slow[1023].UID)

	permits, active := 0, 0
	var stake uint64
	for _, n := range slow {
		if n.ValidatorPermit {
			permits++
		}
		if n.Active {
			active++
		}
		for _, s := range n.Stake {
			stake += s.Amount
		}
	}
	require.Equal(t, 12, permits)
	require.Equal(t, 10, active)
	require.Equal(t, uint64(414026131830337), stake)

	// Re-encoding reproduces the recorded bytes exactly.
	again, err := scale.Marshal(slow)
	require.NoError(t, err)
	require.Equal(t, data, again)

	// Every truncation fails cleanly on both paths.
	for _, cut := range []int{0, 1, 2, 100, 181, 182, len(data) / 2, len(data) - 1} {
		for _, err := range []error{scale.Unmarshal(data[:cut], &slow), scale.Unmarshal(data[:cut], &fast)} {
			require.True(t, errors.Is(err, scale.ErrUnexpectedEOF) || errors.Is(err, scale.ErrLengthTooLarge), "cut %d: %v", cut, err)
			require.True(t, scale.IsDecodeError(err))
		}
	}
}

// BenchmarkNeuronsLite decodes the recorded 1024-neuron get_neurons_lite
// result; sub-benchmarks compare reflection with the hand-written decoder.
func BenchmarkNeuronsLite(b *testing.B) {
	data := loadNeuronsLite(b)
	b.Run("reflect", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for b.Loop() {
			var out []neuronLite
			if err := scale.Unmarshal(data, &out); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("handwritten", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for b.Loop() {
			var out []neuronLiteFast
			if err := scale.Unmarshal(data, &out); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkNeuronsLiteRatio interleaves reflection and the hand-written
// decoder in every iteration (each sample after a GC) and reports medians
// and their ratio, for 1024 recorded neurons and the first 256 of them.
func BenchmarkNeuronsLiteRatio(b *testing.B) {
	data := loadNeuronsLite(b)
	var all []neuronLite
	if err := scale.Unmarshal(data, &all); err != nil {
		b.Fatal(err)
	}
	small, err := scale.Marshal(all[:256])
	if err != nil {
		b.Fatal(err)
	}
	for _, size := range []struct {
		name string
		data []byte
	}{{"1024", data}, {"256", small}} {
		b.Run(size.name, func(b *testing.B) {
			var reflectT, handT []time.Duration
			for b.Loop() {
				runtime.GC()
				start := time.Now()
				var slow []neuronLite
				if err := scale.Unmarshal(size.data, &slow); err != nil {
					b.Fatal(err)
				}
				reflectT = append(reflectT, time.Since(start))
				runtime.GC()
				start = time.Now()
				var fast []neuronLiteFast
				if err := scale.Unmarshal(size.data, &fast); err != nil {
					b.Fatal(err)
				}
				handT = append(handT, time.Since(start))
			}
			r, h := median(reflectT), median(handT)
			b.ReportMetric(float64(r.Nanoseconds())/1e3, "reflect-µs")
			b.ReportMetric(float64(h.Nanoseconds())/1e3, "handwritten-µs")
			b.ReportMetric(float64(r)/float64(h), "reflect/handwritten")
		})
	}
}

func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	return s[len(s)/2]
}
