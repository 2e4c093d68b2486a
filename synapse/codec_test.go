package synapse_test

import (
	"bytes"
	"encoding/json"
	"math"
	"math/big"
	"reflect"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gotensor/gotensor/synapse"
	"github.com/gotensor/gotensor/synapse/synapsetest"
)

// The body codec (synapse.MarshalBodyCodec / UnmarshalBodyCodec, used by
// EncodeBody and DecodeBody) must be indistinguishable from encoding/json on
// the wire: the body hash, the -0 rewrite and Python's parsing were all
// checked against encoding/json's output. These tests compare the two on
// the synapse types of the tests and on fuzzed bodies: encoding must give
// the same bytes (or both fail), decoding the same value (or both fail).

// codecTargets returns fresh values of every type the comparison decodes into.
func codecTargets() []any {
	return []any{
		synapse.New[synapsetest.Dummy](),
		synapse.New[synapsetest.HashedDummy](),
		synapse.New[synapsetest.StreamPrompting](),
		synapse.New[Mixed](),
		synapse.New[Prompt](),
		new(synapse.Tensor),
		new(synapse.Dict[[]int]),
		new(map[string]any),
		new(any),
		new(inner),
		new(withEmbedded),
		new(withHidden),
	}
}

// requireSameEncoding encodes v with both codecs.
func requireSameEncoding(t *testing.T, v any) {
	t.Helper()
	want, wantErr := json.Marshal(v)
	got, gotErr := synapse.MarshalBodyCodec(v)
	require.Equal(t, wantErr == nil, gotErr == nil, "encode %T: encoding/json err %v, codec err %v", v, wantErr, gotErr)
	require.Equal(t, string(want), string(got), "encode %T", v)
	// Appending to a reused buffer gives the same bytes after what it held,
	// and leaves it as it was on failure.
	prefix := []byte("held:")
	got, gotErr = synapse.AppendMarshalBodyCodec(prefix, v)
	require.Equal(t, wantErr == nil, gotErr == nil, "append %T", v)
	require.Equal(t, "held:"+string(want), string(got), "append %T", v)
}

// requireSameDecoding decodes body into a fresh value of each target type
// with both codecs and, when both succeed, compares the values and their
// encodings.
func requireSameDecoding(t *testing.T, body []byte) {
	t.Helper()
	wants, gots := codecTargets(), codecTargets()
	for i := range wants {
		wantErr := json.Unmarshal(body, wants[i])
		// The decoded value must not share memory with the input (the
		// axon and dendrite reuse nothing, but a caller may): decode from
		// a copy and overwrite it before comparing.
		scratch := bytes.Clone(body)
		gotErr := synapse.UnmarshalBodyCodec(scratch, gots[i])
		for j := range scratch {
			scratch[j] = '!'
		}
		require.Equal(t, wantErr == nil, gotErr == nil,
			"decode %q into %T: encoding/json err %v, codec err %v", body, wants[i], wantErr, gotErr)
		if wantErr != nil {
			continue // encoding/json keeps decoding after a type error; the value is discarded either way
		}
		require.True(t, reflect.DeepEqual(wants[i], gots[i]), "decode %q into %T:\nencoding/json %#v\ncodec         %#v", body, wants[i], wants[i], gots[i])
		requireSameEncoding(t, gots[i])
	}
}

// codecBodies are bodies aimed at the places JSON libraries differ.
var codecBodies = []string{
	`{"dummy_input":4,"dummy_output":null}`,
	`{"dummy_input":4}`,
	`{"dummy_output":5}`,
	`{"dummy_input":1,"dummy_input":2,"DUMMY_INPUT":3}`,               // duplicate and case-folded keys: the last wins
	`{"Dummy_Input":7,"dummy_output":8,"Dummy_Output":null}`,          // case-insensitive match, null after a value
	`{"dummy_input":1,"unknown":{"a":[1,2,{"b":null}]},"x":"\ud800"}`, // unknown fields, lone surrogate
	`{"name":"\u212a","timeout":1e-05,"total_size":1e16,"header_size":0}`,
	`{"timeout":1e+16,"total_size":9223372036854775807,"header_size":-9223372036854775808}`,
	`{"total_size":9223372036854775808}`, // overflow
	`{"total_size":1.0}`,                 // float into int
	`{"total_size":1e2}`,
	`{"timeout":-0.0,"dummy_input":-0}`,
	`{"timeout":"1"}`,
	`{"timeout":null,"name":null,"dendrite":null,"axon":{"ip":null,"port":8091}}`,
	`{"dendrite":{"ip":"1.2.3.4","port":1,"nonce":1732590000123456789,"uuid":"u","hotkey":"h","signature":"0xab","version":9001,"status_code":200,"status_message":"ok","process_time":0.001}}`,
	`{"dendrite":{"port":1,"port":2}}`,
	"{\"name\":\"a\xffb\xc3\",\"computed_body_hash\":\"\xed\xa0\x80\"}", // invalid UTF-8 in strings
	`{"name":"<script>&amp;\u2028\u2029</script>"}`,
	`{"name":"\u0000\t\"\\\/"}`,
	`{"roles":["a","b"],"messages":null,"completion":"x"}`,
	`{"roles":[],"messages":["<&>"],"completion":""}`,
	`{"roles":{},"messages":[1]}`,
	`{"f_any":[1,{"a":[1e16,"it's"]}],"f_dict":{"b":[1],"a":[]},"f_strs":["\u0000","'\""]}`,
	`{"f_intmap":{"10":"a","2":"b","-3":"c"},"f_map":{"x":1e-7,"X":2},"f_big":123456789012345678901234567890}`,
	`{"f_intmap":{"x":"a"}}`,
	`{"f_big":1.5}`,
	`{"f_big":"12"}`,
	`{"f_nested":{"a":1,"b":2,"c":["x"],"d":{"label":"l","weight":-0.0}},"f_bytes":"AAE="}`,
	`{"f_bytes":"AAE"}`,
	`{"f_bytes":null,"f_empty_list":[],"f_nil_list":null,"f_matrix":[[1,2],[]]}`,
	`{"f_dyn":{"f":1.0,"e":1e21,"l":[2.5,3,0.1],"n":7,"z":-0.0}}`,
	`{"f_tensor":{"buffer":"AAAgQA==","dtype":"float32","shape":[]}}`,
	`{"f_tensor":{"buffer":1}}`,
	`{"f_dict":{"b":[1],"a":[],"b":[2]}}`,
	`{"f_dict":[1]}`,
	`{"f_dict":null}`,
	`{"f_uint":-1}`,
	`{"f_f32":3.4028235e+39}`,
	`{"f_float":1e400}`,
	`{"buffer":"AAAgQA==","dtype":"float32","shape":[1]}`,
	`{"a":1,"b":2.5,"c":["c"],"d":{"label":"l"}}`,
	`{"p":{"x":1,"y":2},"label":"x"}`,
	`[]`, `null`, `true`, `1`, `"s"`, `{}`, ` {} `, `{}x`, `{} {}`, `{`, `{"a":}`, `{"a":1,}`, `[1,]`, ``,
	`{"dummy_input":01}`, `{"dummy_input":1.}`, `{"dummy_input":-}`, `{"dummy_input":1e}`, `{"dummy_input":+1}`,
	`{"dummy_input":NaN}`, `{"timeout":Infinity}`, `{'a':1}`, `{"a":1}` + "\x00", "\ufeff{}",
}

func TestBodyCodecDecodesAsEncodingJSON(t *testing.T) {
	for _, body := range codecBodies {
		requireSameDecoding(t, []byte(body))
	}
	for _, c := range loadGolden(t).Cases {
		requireSameDecoding(t, []byte(c.Body))
	}
}

func TestBodyCodecEncodesAsEncodingJSON(t *testing.T) {
	values := []any{}
	for _, m := range goBodyCases(t) {
		values = append(values, m)
	}
	g := loadGolden(t)
	for _, c := range g.Cases {
		s := newGoldenSynapse(t, c)
		require.NoError(t, synapse.DecodeBody([]byte(c.Body), s))
		values = append(values, s)
	}
	d := synapsetest.NewDummy(3)
	d.Dendrite = synapse.TerminalInfo{IP: synapse.Ptr("<1.2.3.4>&"), Port: synapse.Ptr(1), ProcessTime: synapse.Ptr(1e-05),
		Nonce: synapse.Ptr(int64(math.MaxInt64)), UUID: synapse.Ptr("a\xffb\u2028"), Signature: synapse.Ptr("")}
	nonFinite := synapse.New[Mixed]()
	nonFinite.FFloats = []float64{math.Inf(1)}
	badRaw := synapse.New[Mixed]()
	badRaw.FAny = json.RawMessage(`{"a":`)
	spacedRaw := synapse.New[Mixed]()
	spacedRaw.FAny = json.RawMessage(" [ 1 ,\n\"<&>\u2028\" ] ")
	values = append(values, d, nonFinite, badRaw, spacedRaw,
		synapsetest.NewHashedDummy(-1), synapse.New[synapsetest.StreamPrompting](),
		synapse.NewScalarTensor(float32(2.5)), synapse.Tensor{}, &synapse.Dict[int]{},
		[]float64{1e-05, 1e-06, 1e-07, 1e+16, 1e20, 1e21, 1e22, 123456789012345678, 5e-324, math.MaxFloat64, math.Copysign(0, -1), 0.1 + 0.2},
		[]float32{1e-05, 1e-07, 1e21, float32(1) / 3, -0.0},
		map[string]any{"b": 1, "a": []any{nil, true, "x"}, "\xff": json.Number("1e5"), "<": big.NewInt(-1)},
		map[int64]string{-1: "a", 10: "b", 2: "c"},
		json.Number("12"), json.Number("x"), json.Number(""), json.RawMessage(nil),
		withEmbedded{}, withHidden{}, &withMarshalers{}, math.NaN(), make(chan int), func() {},
	)
	for _, v := range values {
		requireSameEncoding(t, v)
	}
}

// FuzzBodyCodec compares the body codec with encoding/json on arbitrary
// bodies: same success or failure, same decoded values, same re-encoding.
func FuzzBodyCodec(f *testing.F) {
	for _, body := range codecBodies {
		f.Add([]byte(body))
	}
	for _, c := range loadGolden(f).Cases {
		f.Add([]byte(c.Body))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		requireSameDecoding(t, body)
	})
}
