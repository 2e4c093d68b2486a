package metadata

import (
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/gotensor/gotensor/subtensor/scale"
)

func BenchmarkDecodeMetadataV15(b *testing.B) {
	data := readHexFile(b, "testdata/spec343_Metadata_metadata_at_version_15.hex")
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Decode(data); err != nil {
			b.Fatal(err)
		}
	}
}

// neuronFast has a hand-written decoder for the NeuronInfoLite layout;
// DecodeInto hands it the bytes directly (Unmarshaler), which is the
// ceiling for the struct path.
type neuronFast struct{ testNeuron }

func (n *neuronFast) UnmarshalSCALE(d *scale.Decoder) error {
	b, err := d.Take(64)
	if err != nil {
		return err
	}
	copy(n.Hotkey[:], b[:32])
	copy(n.Coldkey[:], b[32:])
	c16 := func(dst *uint16) error {
		v, err := d.CompactU64()
		if err == nil && v > 0xffff {
			return d.Fail(scale.ErrOverflow)
		}
		*dst = uint16(v)
		return err
	}
	var skip uint16
	if err := c16(&n.UID); err != nil {
		return err
	}
	if err := c16(&n.NetUID); err != nil {
		return err
	}
	if n.Active, err = d.Bool(); err != nil {
		return err
	}
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
	fx, err := d.Take(4)
	if err != nil {
		return err
	}
	n.Axon.IPType, n.Axon.Protocol, n.Axon.Placeholder1, n.Axon.Placeholder2 = fx[0], fx[1], fx[2], fx[3]
	if err := d.Skip(31); err != nil { // prometheus_info
		return err
	}
	cnt, err := d.Length(33)
	if err != nil {
		return err
	}
	n.Stake = make([]testStake, cnt)
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
	if err := c16(&skip); err != nil { // rank
		return err
	}
	if n.Emission, err = d.CompactU64(); err != nil {
		return err
	}
	for _, p := range []*uint16{&n.Incentive, &n.Consensus, &skip, &n.ValidatorTrust, &n.Dividends} {
		if err := c16(p); err != nil {
			return err
		}
	}
	if n.LastUpdate, err = d.CompactU64(); err != nil {
		return err
	}
	if n.ValidatorPermit, err = d.Bool(); err != nil {
		return err
	}
	return c16(&skip) // pruning_score
}

// BenchmarkNeuronsLite decodes the recorded 1024-neuron get_neurons_lite
// result (186 526 bytes) three ways through the registry: generic values,
// a Go struct matched by field name, and a hand-written Unmarshaler.
func BenchmarkNeuronsLite(b *testing.B) {
	m := loadMD(b, "spec343_v15")
	method, err := m.RuntimeAPIMethod("NeuronInfoRuntimeApi", "get_neurons_lite")
	if err != nil {
		b.Fatal(err)
	}
	raw := mustHex(b, loadStateCalls(b)[0].Result)
	b.Run("dynamic", func(b *testing.B) {
		b.SetBytes(int64(len(raw)))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := m.DecodeValue(method.Output, raw); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("struct", func(b *testing.B) {
		b.SetBytes(int64(len(raw)))
		b.ReportAllocs()
		for b.Loop() {
			var out []testNeuron
			if err := m.DecodeInto(method.Output, raw, &out); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("handwritten", func(b *testing.B) {
		b.SetBytes(int64(len(raw)))
		b.ReportAllocs()
		for b.Loop() {
			var out []neuronFast
			if err := m.DecodeInto(method.Output, raw, &out); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// first256 re-encodes the first 256 recorded neurons (the 256-UID subnet
// size of today's runtime) as their own Vec.
func first256(b *testing.B, m *Metadata, out TypeID, raw []byte) []byte {
	v, err := m.DecodeValue(out, raw)
	if err != nil {
		b.Fatal(err)
	}
	enc, err := m.EncodeValue(out, v.([]any)[:256])
	if err != nil {
		b.Fatal(err)
	}
	return enc
}

// BenchmarkNeuronsLiteRatio interleaves the three decoding paths in every
// iteration and reports per-path medians and ratios, so the comparison is
// made under the same machine load (this machine is shared and noisy).
// Each sample starts after a GC, so figures exclude collection debt.
func BenchmarkNeuronsLiteRatio(b *testing.B) {
	m := loadMD(b, "spec343_v15")
	method, err := m.RuntimeAPIMethod("NeuronInfoRuntimeApi", "get_neurons_lite")
	if err != nil {
		b.Fatal(err)
	}
	raw := mustHex(b, loadStateCalls(b)[0].Result)
	for _, size := range []struct {
		name string
		data []byte
	}{{"1024", raw}, {"256", first256(b, m, method.Output, raw)}} {
		b.Run(size.name, func(b *testing.B) {
			paths := []struct {
				name string
				run  func() error
			}{
				{"dynamic", func() error { _, err := m.DecodeValue(method.Output, size.data); return err }},
				{"struct", func() error { var out []testNeuron; return m.DecodeInto(method.Output, size.data, &out) }},
				{"handwritten", func() error { var out []neuronFast; return m.DecodeInto(method.Output, size.data, &out) }},
			}
			samples := make([][]time.Duration, len(paths))
			for b.Loop() {
				for i, p := range paths {
					// Start each sample from a collected heap so one path's
					// garbage is not charged to the next.
					runtime.GC()
					start := time.Now()
					if err := p.run(); err != nil {
						b.Fatal(err)
					}
					samples[i] = append(samples[i], time.Since(start))
				}
			}
			med := make([]float64, len(paths))
			for i, p := range paths {
				med[i] = float64(median(samples[i]).Nanoseconds())
				b.ReportMetric(med[i]/1e3, p.name+"-µs")
			}
			b.ReportMetric(med[0]/med[1], "dynamic/struct")
			b.ReportMetric(med[1]/med[2], "struct/handwritten")
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
