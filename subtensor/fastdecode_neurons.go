package subtensor

import (
	"fmt"
	"reflect"

	"github.com/gotensor/gotensor/subtensor/internal/metadata"
	"github.com/gotensor/gotensor/subtensor/scale"
)

// span is a neuron's range in one of the shared backing arrays.
type span struct{ a, b int }

// neuronCursor is the neuron being read and the arrays all neurons share.
type neuronCursor struct {
	n       *NeuronInfoLite
	idx     int
	stakes  []StakeEntry
	weights []WeightEntry // weights and bonds of all neurons
	spans   [][3]span     // per neuron: stake, weights, bonds
}

type neuronField = knownField[neuronCursor]

func nCU16[T ~uint16](name string, p func(*NeuronInfoLite) *T) neuronField {
	return neuronField{name, compactSh(metadata.PrimU16), func(r *fastReader, c *neuronCursor) error {
		v, err := r.cu16()
		*p(c.n) = T(v)
		return err
	}}
}

func nCU64[T ~uint64](name string, p func(*NeuronInfoLite) *T) neuronField {
	return neuronField{name, compactSh(metadata.PrimU64), func(r *fastReader, c *neuronCursor) error {
		v, err := r.cu64()
		*p(c.n) = T(v)
		return err
	}}
}

func nBool(name string, p func(*NeuronInfoLite) *bool) neuronField {
	return neuronField{name, boolSh, func(r *fastReader, c *neuronCursor) error {
		v, err := r.d.Bool()
		*p(c.n) = v
		return err
	}}
}

func nAccount(name string, p func(*NeuronInfoLite) *AccountID) neuronField {
	return neuronField{name, accountSh, func(r *fastReader, c *neuronCursor) error {
		v, err := r.account()
		*p(c.n) = v
		return err
	}}
}

// nWeights reads a Vec<(Compact<u16>, Compact<u16>)> into the shared
// weights array; which is 1 for weights, 2 for bonds.
func nWeights(name string, which int) neuronField {
	return neuronField{name, vecSh(tupleSh(compactSh(metadata.PrimU16), compactSh(metadata.PrimU16))),
		func(r *fastReader, c *neuronCursor) error {
			n, err := r.d.Length(2)
			if err != nil {
				return err
			}
			a := len(c.weights)
			for range n {
				uid, err := r.cu16()
				if err != nil {
					return err
				}
				v, err := r.cu16()
				if err != nil {
					return err
				}
				c.weights = append(c.weights, WeightEntry{UID: UID(uid), Value: v})
			}
			c.spans[c.idx][which] = span{a, len(c.weights)}
			return nil
		}}
}

var neuronFields = []neuronField{
	nAccount("hotkey", func(n *NeuronInfoLite) *AccountID { return &n.Hotkey }),
	nAccount("coldkey", func(n *NeuronInfoLite) *AccountID { return &n.Coldkey }),
	nCU16("uid", func(n *NeuronInfoLite) *UID { return &n.UID }),
	nCU16("netuid", func(n *NeuronInfoLite) *NetUID { return &n.NetUID }),
	nBool("active", func(n *NeuronInfoLite) *bool { return &n.Active }),
	{"axon_info", axonSh, func(r *fastReader, c *neuronCursor) error { return r.axon(&c.n.Axon) }},
	{"prometheus_info", prometheusSh, func(r *fastReader, c *neuronCursor) error { return r.prometheus(&c.n.Prometheus) }},
	{"stake", vecSh(tupleSh(accountSh, compactSh(metadata.PrimU64))), func(r *fastReader, c *neuronCursor) error {
		n, err := r.d.Length(33)
		if err != nil {
			return err
		}
		a := len(c.stakes)
		for range n {
			ck, err := r.account()
			if err != nil {
				return err
			}
			v, err := r.cu64()
			if err != nil {
				return err
			}
			c.stakes = append(c.stakes, StakeEntry{Coldkey: ck, Amount: Balance(v)})
		}
		c.spans[c.idx][0] = span{a, len(c.stakes)}
		return nil
	}},
	nCU16("rank", func(n *NeuronInfoLite) *uint16 { return &n.Rank }),
	nCU64("emission", func(n *NeuronInfoLite) *Balance { return &n.Emission }),
	nCU16("incentive", func(n *NeuronInfoLite) *uint16 { return &n.Incentive }),
	nCU16("consensus", func(n *NeuronInfoLite) *uint16 { return &n.Consensus }),
	nCU16("trust", func(n *NeuronInfoLite) *uint16 { return &n.Trust }),
	nCU16("validator_trust", func(n *NeuronInfoLite) *uint16 { return &n.ValidatorTrust }),
	nCU16("dividends", func(n *NeuronInfoLite) *uint16 { return &n.Dividends }),
	nCU64("last_update", func(n *NeuronInfoLite) *uint64 { return &n.LastUpdate }),
	nBool("validator_permit", func(n *NeuronInfoLite) *bool { return &n.ValidatorPermit }),
	nWeights("weights", 1),
	nWeights("bonds", 2),
	nCU16("pruning_score", func(n *NeuronInfoLite) *uint16 { return &n.PruningScore }),
}

// neuronsPlan is the fast decoder of get_neurons or get_neurons_lite on
// one runtime (Vec<NeuronInfo> / Vec<NeuronInfoLite>); nil plans means
// the runtime's layout is not one the fast decoder reads.
type neuronsPlan struct {
	plans   []fieldPlan[neuronCursor]
	minSize int
}

type neuronsPlanKey struct{ method string }

var (
	neuronGoNames     = goFieldNames(reflect.TypeFor[wireNeuron](), false)
	neuronLiteGoNames = goFieldNames(reflect.TypeFor[wireNeuronLite](), false)
)

func neuronsPlanFor(m *metadata.Metadata, am *metadata.APIMethod, goNames map[string]bool) *neuronsPlan {
	return m.Memo(neuronsPlanKey{am.StateCallName()}, func() any {
		t, ok := m.Types.Type(am.Output)
		if !ok || t.Kind != metadata.KindSequence {
			return &neuronsPlan{}
		}
		plans, ok := planFields(m, t.Elem, neuronFields, false, goNames)
		if !ok {
			return &neuronsPlan{}
		}
		return &neuronsPlan{plans: plans, minSize: m.MinSize(t.Elem)}
	}).(*neuronsPlan)
}

// readNeurons runs the fast decoder: set(i) says where neuron i goes;
// the returned cursor holds the shared arrays and each neuron's spans.
func readNeurons(m *metadata.Metadata, p *neuronsPlan, raw []byte, alloc func(n int), at func(i int) *NeuronInfoLite) (*neuronCursor, error) {
	d := scale.NewDecoder(raw)
	r := &fastReader{d: d}
	n, err := d.Length(p.minSize)
	if err != nil {
		return nil, err
	}
	alloc(n)
	c := &neuronCursor{spans: make([][3]span, n)}
	for i := range n {
		c.n, c.idx = at(i), i
		if err := readFields(m, r, p.plans, c); err != nil {
			return nil, scale.WithPath(err, fmt.Sprintf("[%d]", i))
		}
		c.n.Axon.Hotkey, c.n.Axon.Coldkey = c.n.Hotkey, c.n.Coldkey
	}
	if d.Remaining() != 0 {
		return nil, &scale.DecodeError{Offset: d.Offset(), Err: scale.ErrTrailingBytes}
	}
	r.finish()
	return c, nil
}

// slice returns the span of s, nil when empty (as the generic path).
func slice[T any](s []T, sp span) []T {
	if sp.a == sp.b {
		return nil
	}
	return s[sp.a:sp.b:sp.b]
}

// decodeNeurons decodes a get_neurons result, by the fast decoder when the
// runtime's layout allows, else the generic one.
func decodeNeurons(m *metadata.Metadata, am *metadata.APIMethod, raw []byte) ([]NeuronInfo, error) {
	p := neuronsPlanFor(m, am, neuronGoNames)
	if p.plans == nil {
		return decodeNeuronsGeneric(m, am, raw)
	}
	var out []NeuronInfo
	c, err := readNeurons(m, p, raw, func(n int) { out = make([]NeuronInfo, n) },
		func(i int) *NeuronInfoLite { return &out[i].NeuronInfoLite })
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrMalformedResponse, am.StateCallName(), err)
	}
	for i := range out {
		sp := c.spans[i]
		out[i].Stake = slice(c.stakes, sp[0])
		out[i].Weights = slice(c.weights, sp[1])
		out[i].Bonds = slice(c.weights, sp[2])
	}
	return out, nil
}

// decodeNeuronsLiteFast is decodeNeurons for get_neurons_lite; ok is false
// when the runtime's layout needs the generic decoder.
func decodeNeuronsLiteFast(m *metadata.Metadata, am *metadata.APIMethod, raw []byte) (out []NeuronInfoLite, ok bool, err error) {
	p := neuronsPlanFor(m, am, neuronLiteGoNames)
	if p.plans == nil {
		return nil, false, nil
	}
	c, err := readNeurons(m, p, raw, func(n int) { out = make([]NeuronInfoLite, n) },
		func(i int) *NeuronInfoLite { return &out[i] })
	if err != nil {
		return nil, true, fmt.Errorf("%w: %s: %w", ErrMalformedResponse, am.StateCallName(), err)
	}
	for i := range out {
		out[i].Stake = slice(c.stakes, c.spans[i][0])
	}
	return out, true, nil
}

// decodeNeuronsGeneric is the reflection-driven DecodeInto path.
func decodeNeuronsGeneric(m *metadata.Metadata, am *metadata.APIMethod, raw []byte) ([]NeuronInfo, error) {
	var ws []wireNeuron
	if err := m.DecodeRuntimeAPIResult(am, raw, &ws); err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrMalformedResponse, am.StateCallName(), err)
	}
	out := make([]NeuronInfo, len(ws))
	for i := range ws {
		out[i] = ws[i].full()
	}
	return out, nil
}

// decodeNeuronsLiteGeneric is the reflection-driven DecodeInto path.
func decodeNeuronsLiteGeneric(m *metadata.Metadata, am *metadata.APIMethod, raw []byte) ([]NeuronInfoLite, error) {
	var ws []wireNeuronLite
	if err := m.DecodeRuntimeAPIResult(am, raw, &ws); err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrMalformedResponse, am.StateCallName(), err)
	}
	out := make([]NeuronInfoLite, len(ws))
	for i := range ws {
		out[i] = ws[i].lite()
	}
	return out, nil
}
