package synapse_test

import (
	"encoding/json"
	"math"
	"math/big"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/gotensor/gotensor/synapse"
	"github.com/gotensor/gotensor/synapse/synapsetest"
)

type point struct {
	X float64 `json:"x"`
	Y *int    `json:"y,omitempty"`
}

type embedded struct {
	Inner string `json:"inner"`
}

type withEmbedded struct {
	*embedded
	point `json:"pt"`
	Own   int `json:"own"`
}

type hidden struct {
	T time.Time `json:"t"`
	N *big.Int  `json:"n"`
}

type withHidden struct {
	hidden `json:"h"`
}

type cyclic struct {
	Next *cyclic `json:"next"`
}

type level string

// The expected strings are what CPython prints for the value pydantic builds
// from Go's JSON encoding of each Go value (checked by hand against CPython;
// the golden tests cover the same rules on generated data).
func TestPyStrGoTypes(t *testing.T) {
	one := 1
	var nilMap map[string]int
	var nilIface any
	d := synapse.Dict[float64]{}
	d.Set("z", 1)
	d.Set("a", 0.5)
	d.Set("z", 2) // keeps its first position
	cases := []struct {
		name string
		v    any
		want string
	}{
		{"int", 42, "42"},
		{"negative int8", int8(-8), "-8"},
		{"uint64 max", uint64(math.MaxUint64), "18446744073709551615"},
		{"big int", new(big.Int).Lsh(big.NewInt(1), 100), "1267650600228229401496703205376"},
		{"float integral", 3.0, "3.0"},
		{"float32 0.1", float32(0.1), "0.1"},
		{"float32 1e-5", float32(1e-5), "1e-05"},
		{"float32 16777216", float32(16777216), "16777216.0"},
		{"bool", true, "True"},
		{"nil", nil, "None"},
		{"nil pointer", (*int)(nil), "None"},
		{"pointer", &one, "1"},
		{"nil interface", nilIface, "None"},
		{"top-level str", "it's", "it's"},
		{"named str", level("high"), "high"},
		{"invalid utf8", "a\xffb", "a\uFFFDb"},
		{"list of str", []string{"it's", `"q"`, "é\n"}, `["it's", '"q"', 'é\n']`},
		{"list of named str", []level{"a"}, "['a']"},
		{"nil slice", []int(nil), "None"},
		{"empty slice", []int{}, "[]"},
		{"array", [3]int{1, 2, 3}, "[1, 2, 3]"},
		{"bytes", []byte("hi\x00"), "aGkA"},
		{"bytes in list", [][]byte{[]byte("hi")}, "['aGk=']"},
		{"any list", []any{1, 1.0, "a", nil, true, []int{}}, "[1, 1, 'a', None, True, []]"},
		{"floats under any follow JSON text", []any{100.0, 0.5, 1e21, 1e20, float32(0.1), []float64{2, 1e-7}, math.Copysign(0, -1)},
			"[100, 0.5, 1e+21, 100000000000000000000, 0.1, [2, 1e-07], -0.0]"},
		{"typed floats stay floats", map[string][]float64{"a": {2}}, "{'a': [2.0]}"},
		{"map sorted", map[string]int{"b": 2, "a": 1, "10": 0}, "{'10': 0, 'a': 1, 'b': 2}"},
		{"int map sorted as JSON text", map[int]string{2: "two", 10: "ten", -1: "m"}, "{-1: 'm', 10: 'ten', 2: 'two'}"},
		{"nil map", nilMap, "None"},
		{"dict insertion order", d, "{'z': 2.0, 'a': 0.5}"},
		{"dict pointer", &d, "{'z': 2.0, 'a': 0.5}"},
		{"empty dict", synapse.Dict[int]{}, "{}"},
		{"struct, omitempty ignored", point{X: 1}, "{'x': 1.0, 'y': None}"},
		{"embedded struct flattened, nil pointer skipped", withEmbedded{Own: 1}, "{'pt': {'x': 0.0, 'y': None}, 'own': 1}"},
		{"embedded pointer set", withEmbedded{embedded: &embedded{Inner: "i"}}, "{'inner': 'i', 'pt': {'x': 0.0, 'y': None}, 'own': 0}"},
		{"json.Number int", json.Number("-0"), "0"},
		{"empty json.Number is 0", json.Number(""), "0"},
		{"empty raw message is null", json.RawMessage{}, "None"},
		{"json.Number float", json.Number("1E16"), "1e+16"},
		{"raw message", json.RawMessage(`{"b":[1,2.50,null],"a":"x"}`), "{'b': [1, 2.5, None], 'a': 'x'}"},
		{"raw message str top", json.RawMessage(`"it's"`), "it's"},
		{"time via MarshalJSON", time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC), "2024-01-02T03:04:05Z"},
		{"time in list", []time.Time{time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)}, "['2024-01-02T03:04:05Z']"},
		{"tensor", synapse.Tensor{Buffer: "b", DType: "float32", Shape: []int{0}}, "{'buffer': 'b', 'dtype': 'float32', 'shape': [0]}"},
		{"inf", math.Inf(1), "inf"},
		{"tagged unexported embedded struct", withHidden{hidden{T: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC), N: big.NewInt(3)}}, "{'h': {'t': '2024-01-02T03:04:05Z', 'n': 3}}"},
		{"nan in list", []float64{math.NaN(), math.Inf(-1)}, "[nan, -inf]"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := synapse.PyStr(c.v)
			require.NoError(t, err)
			require.Equal(t, c.want, got)
		})
	}
	r, err := synapse.PyRepr("it's")
	require.NoError(t, err)
	require.Equal(t, `"it's"`, r)
}

func TestPyStrErrors(t *testing.T) {
	c := &cyclic{}
	c.Next = c
	_, err := synapse.PyStr(c)
	require.ErrorIs(t, err, synapse.ErrTooDeep)
	_, err = synapse.PyStr(make(chan int))
	require.ErrorIs(t, err, synapse.ErrUnsupportedType)
	_, err = synapse.PyStr(complex(1, 2))
	require.ErrorIs(t, err, synapse.ErrUnsupportedType)
	_, err = synapse.PyStr(map[float64]int{1: 1})
	require.ErrorIs(t, err, synapse.ErrUnsupportedType)
	_, err = synapse.PyStr(json.Number("1x"))
	require.ErrorIs(t, err, synapse.ErrUnsupportedType)
	_, err = synapse.PyStrJSON([]byte(`[1,`))
	require.ErrorIs(t, err, synapse.ErrUnsupportedType)
	_, err = synapse.PyStrJSON([]byte(`1 2`))
	require.Error(t, err)
	deep := make([]byte, 0, 2*(synapse.MaxDepth+10))
	for i := 0; i < synapse.MaxDepth+5; i++ {
		deep = append(deep, '[')
	}
	_, err = synapse.PyStrJSON(deep)
	require.ErrorIs(t, err, synapse.ErrTooDeep)
}

type badHash struct {
	synapse.Base
	A int `json:"a"`
}

func (*badHash) RequiredHashFields() []string { return []string{"a", "missing"} }

type chanField struct {
	synapse.Base
	C chan int `json:"c"`
}

func (*chanField) RequiredHashFields() []string { return []string{"c"} }

func TestBodyHashErrorsAndDefaults(t *testing.T) {
	h, err := synapse.BodyHash(synapsetest.NewDummy(1))
	require.NoError(t, err)
	require.Equal(t, synapse.EmptyBodyHash, h)

	_, err = synapse.BodyHash(&badHash{})
	require.ErrorIs(t, err, synapse.ErrUnknownHashField)
	_, err = synapse.BodyHash(&chanField{})
	require.ErrorIs(t, err, synapse.ErrUnsupportedType)
	var nilHashed *synapsetest.HashedDummy
	_, err = synapse.BodyHash(nilHashed)
	require.ErrorIs(t, err, synapse.ErrNotSynapse)

	// A hash depends on the hashed field only.
	a, b := synapsetest.NewHashedDummy(7), synapsetest.NewHashedDummy(7)
	b.DummyOutput = synapse.Ptr(1)
	b.Timeout = 1
	ha, err := synapse.BodyHash(a)
	require.NoError(t, err)
	hb, err := synapse.BodyHash(b)
	require.NoError(t, err)
	require.Equal(t, ha, hb)
	b.DummyInput = 8
	hb, err = synapse.BodyHash(b)
	require.NoError(t, err)
	require.NotEqual(t, ha, hb)
}

type renamed struct{ synapse.Base }

func (*renamed) SynapseName() string { return "PythonName" }

func TestNameAndDefaults(t *testing.T) {
	require.Equal(t, "Dummy", synapse.Name(&synapsetest.Dummy{}))
	require.Equal(t, "PythonName", synapse.Name(&renamed{}))
	r := synapse.New[renamed]()
	require.Equal(t, "PythonName", r.Name)
	require.Equal(t, 12.0, r.Timeout)
	require.Equal(t, 12.0, (&synapse.Base{}).EffectiveTimeout())
	require.Equal(t, 3.0, (&synapse.Base{Timeout: 3}).EffectiveTimeout())
}

func TestBody(t *testing.T) {
	d := synapsetest.NewDummy(4)
	body, err := synapse.EncodeBody(d)
	require.NoError(t, err)
	require.JSONEq(t, `{"name":"Dummy","timeout":12,"total_size":0,"header_size":0,"dendrite":{},"axon":{},
		"computed_body_hash":"","dummy_input":4,"dummy_output":null}`, string(body))

	// A Python model_dump body: nulls everywhere, extra fields, a spoofed name.
	py := `{"name":"Evil","timeout":3.0,"total_size":0,"header_size":0,
		"dendrite":{"status_code":null,"status_message":null,"process_time":null,"ip":"1.1.1.1","port":null,
		"version":10002000,"nonce":null,"uuid":null,"hotkey":null,"signature":null},
		"axon":null,"computed_body_hash":"","dummy_input":4,"dummy_output":5,"extra":[1]}`
	got := synapse.New[synapsetest.Dummy]()
	require.NoError(t, synapse.DecodeBody([]byte(py), got))
	require.Equal(t, "Dummy", got.Name)
	require.Equal(t, 3.0, got.Timeout)
	require.Equal(t, "1.1.1.1", got.Dendrite.GetIP())
	require.Nil(t, got.Dendrite.StatusCode)
	require.Equal(t, 5, *got.DummyOutput)

	for _, bad := range []string{`{`, `[]`, `{"dummy_input":"x"}`, `{"timeout":"12"}`, ``} {
		require.ErrorIs(t, synapse.DecodeBody([]byte(bad), synapse.New[synapsetest.Dummy]()), synapse.ErrBody, bad)
	}
}

func TestDict(t *testing.T) {
	var d synapse.Dict[int]
	require.NoError(t, json.Unmarshal([]byte(`{"b":1,"a":2,"b":3}`), &d))
	require.Equal(t, []string{"b", "a"}, d.Keys())
	v, ok := d.Get("b")
	require.True(t, ok)
	require.Equal(t, 3, v)
	out, err := json.Marshal(d)
	require.NoError(t, err)
	require.Equal(t, `{"b":3,"a":2}`, string(out))
	d.Delete("b")
	d.Delete("missing")
	require.Equal(t, 1, d.Len())
	for k, v := range d.All() {
		require.Equal(t, "a", k)
		require.Equal(t, 2, v)
	}
	require.Error(t, json.Unmarshal([]byte(`[1]`), &d))
	require.Error(t, json.Unmarshal([]byte(`{"a":"x"}`), &d))
	require.NoError(t, json.Unmarshal([]byte(`null`), &d))
	require.Equal(t, 1, d.Len())
	n := synapse.NewDict[string](2)
	n.Set("k", "v")
	s, err := synapse.PyStr(n)
	require.NoError(t, err)
	require.Equal(t, "{'k': 'v'}", s)
}

func TestSize(t *testing.T) {
	small := synapsetest.NewDummy(1)
	big := synapse.New[Mixed]()
	big.FStrs = make([]string, 100)
	for i := range big.FStrs {
		big.FStrs[i] = "0123456789"
	}
	require.Positive(t, synapse.Size(small))
	require.Greater(t, synapse.Size(big), synapse.Size(synapse.New[Mixed]())+1000)
	require.Equal(t, synapse.Size(small), synapse.Size(small), "deterministic")
	require.Zero(t, synapse.Size(nil))
	c := &cyclic{}
	c.Next = c
	require.Positive(t, synapse.Size(c), "cycles are cut off")
}

func TestCopy(t *testing.T) {
	a := synapsetest.NewDummy(1)
	a.Dendrite.IP = synapse.Ptr("1.1.1.1")
	b := synapse.Copy(a)
	*b.Dendrite.IP = "2.2.2.2"
	b.DummyInput = 2
	require.Equal(t, "1.1.1.1", a.Dendrite.GetIP())
	require.Equal(t, 1, a.DummyInput)
	require.Equal(t, "Dummy", b.Name)
}

type ptrMarshaler struct{ n int }

func (p *ptrMarshaler) MarshalJSON() ([]byte, error) { return []byte(strconv.Itoa(p.n * 10)), nil }

type textKey struct{ a, b string }

func (k textKey) MarshalText() ([]byte, error) { return []byte(k.a + "-" + k.b), nil }

type withMarshalers struct {
	synapse.Base
	P ptrMarshaler      `json:"p"`
	K map[textKey]int   `json:"k"`
	T textKey           `json:"t"`
	R json.RawMessage   `json:"r"`
	N json.Number       `json:"n"`
	I any               `json:"i"`
	S []json.RawMessage `json:"s"`
}

func TestMarshalerFields(t *testing.T) {
	w := &withMarshalers{
		P: ptrMarshaler{n: 4},
		K: map[textKey]int{{"b", "x"}: 2, {"a", "y"}: 1},
		T: textKey{"t", "u"},
		R: json.RawMessage(`{"z":1.50}`),
		N: "2.0",
		I: map[string]any{"k": []any{1, "v"}},
		S: []json.RawMessage{json.RawMessage(`true`)},
	}
	want := map[string]string{
		"p": "40", "k": "{'a-y': 1, 'b-x': 2}", "t": "t-u", "r": "{'z': 1.5}", "n": "2.0",
		"i": "{'k': [1, 'v']}", "s": "[True]",
	}
	for name, s := range want {
		got, err := synapse.FieldPyStr(w, name)
		require.NoError(t, err)
		require.Equal(t, s, got, name)
	}
	// The JSON encoding agrees: what Python receives is what was hashed.
	body, err := json.Marshal(w)
	require.NoError(t, err)
	require.Contains(t, string(body), `"p":40`)
	require.Contains(t, string(body), `"k":{"a-y":1,"b-x":2}`)

	fields, err := synapse.HeaderFields(w)
	require.NoError(t, err)
	got := map[string]string{}
	for _, f := range fields {
		got[f.Key] = f.Value
	}
	require.Equal(t, "MA==", got["bt_header_input_obj_p"]) // 0
	require.Equal(t, "e30=", got["bt_header_input_obj_k"]) // {}
	require.Equal(t, "IiI=", got["bt_header_input_obj_t"]) // ""
	require.Equal(t, "e30=", got["bt_header_input_obj_r"]) // {}
	require.Equal(t, "MC4w", got["bt_header_input_obj_n"]) // 0.0
	require.Equal(t, "W10=", got["bt_header_input_obj_s"]) // []
	_, hasI := got["bt_header_input_obj_i"]
	require.False(t, hasI, "interfaces are optional by convention")
}

type binaryNode struct {
	L, R *binaryNode
}

func TestSizeSharedAndCyclicIsLinear(t *testing.T) {
	n := &binaryNode{}
	n.L, n.R = n, n // every path is a cycle: 2^depth paths without a seen set
	require.Equal(t, synapse.Size(n), synapse.Size(n))
	s := make([]int, 10)
	require.Equal(t, synapse.Size([][]int{s}), synapse.Size([][]int{s, s})-24, "a shared array counts once")
	_, err := synapse.PyStr(n)
	require.ErrorIs(t, err, synapse.ErrTooDeep)
}

func TestBodyNonFinite(t *testing.T) {
	m := synapse.New[Mixed]()
	require.ErrorIs(t, synapse.DecodeBody([]byte(`{"f_float": NaN}`), m), synapse.ErrBody)
	m.FFloat = math.NaN()
	_, err := synapse.EncodeBody(m)
	require.Error(t, err)
}

type requiredRules struct {
	synapse.Base
	Count   int               `json:"count"`
	Tensor  synapse.Tensor    `json:"tensor"`
	Forced  synapse.Tensor    `json:"forced" synapse:"required"`
	When    time.Time         `json:"when"`
	Big     big.Int           `json:"big"`
	Scores  synapse.Dict[int] `json:"scores"`
	Skipped int               `json:"skipped" synapse:"optional"`
	Omitted string            `json:"omitted,omitempty"`
	Nil     []int             `json:"nil"`
}

func TestRequiredFieldRules(t *testing.T) {
	fields, err := synapse.HeaderFields(&requiredRules{})
	require.NoError(t, err)
	got := map[string]string{}
	for _, f := range fields {
		got[f.Key] = f.Value
	}
	want := map[string]string{
		"bt_header_input_obj_count":  "MA==",
		"bt_header_input_obj_forced": "e30=",
		"bt_header_input_obj_when":   "IiI=",
		"bt_header_input_obj_big":    "MA==",
		"bt_header_input_obj_scores": "e30=",
	}
	for k, v := range want {
		require.Equal(t, v, got[k], k)
	}
	for _, k := range []string{"tensor", "skipped", "omitted", "nil"} {
		require.NotContains(t, got, "bt_header_input_obj_"+k)
	}
}
