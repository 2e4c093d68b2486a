package synapse_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gotensor/gotensor/synapse"
	"github.com/gotensor/gotensor/synapse/synapsetest"
)

// FuzzDecodeHeaders feeds arbitrary header lines to DecodeHeaders: it must
// never panic, and any error must be a *HeaderError.
func FuzzDecodeHeaders(f *testing.F) {
	f.Add("timeout: 12.0\nbt_header_dendrite_port: 8091\nbt_header_input_obj_dummy_input: MA==")
	f.Add("bt_header_axon_status_code: 200\nbt_header_axon_process_time: 1e-05\nname: Dummy")
	f.Add("bt_header_input_obj_dummy_output: bnVsbA==\ntotal_size: 1_0")
	f.Add("bt_header_input_obj_dummy_input: " + base64.StdEncoding.EncodeToString([]byte(`1e400`)))
	f.Add("BT_HEADER_DENDRITE_NONCE: -9223372036854775808\nHeader_Size: +7")
	f.Add("bt_header_input_obj_axon: e30=\nbt_header_input_obj_: x\nbt_header_axon_: y")
	f.Fuzz(func(t *testing.T, raw string) {
		h := http.Header{}
		for _, line := range strings.Split(raw, "\n") {
			k, v, _ := strings.Cut(line, ":")
			h[k] = append(h[k], strings.TrimSpace(v))
		}
		for _, s := range []synapse.Synapse{&synapsetest.Dummy{}, synapse.New[Mixed]()} {
			err := synapse.DecodeHeaders(h, s)
			if err != nil {
				var he *synapse.HeaderError
				require.ErrorAs(t, err, &he)
				require.ErrorIs(t, err, synapse.ErrHeaderParse)
				continue
			}
			// What decoded must encode again, and hash.
			_, err = synapse.EncodeHeaders(s)
			require.NoError(t, err)
		}
		if err := synapse.DecodeTerminalHeaders(h, &synapsetest.Dummy{}); err != nil {
			require.ErrorIs(t, err, synapse.ErrHeaderParse)
		}
	})
}

// FuzzDecodeBody decodes arbitrary JSON into synapse types; decoding may
// fail (with ErrBody) but hashing and header encoding of whatever decoded
// must not panic or fail.
func FuzzDecodeBody(f *testing.F) {
	f.Add([]byte(`{"dummy_input":4,"dummy_output":null}`))
	f.Add([]byte(`{"name":"X","timeout":1e308,"dendrite":{"ip":"\u2028","port":-1},"dummy_input":-0}`))
	f.Add([]byte(`{"f_any":[1,{"a":[1e16,"it's"]}],"f_dict":{"b":[1],"a":[]},"f_strs":["\u0000","'\""]}`))
	f.Add([]byte(`{"f_intmap":{"10":"a","2":"b"},"f_map":{"x":1e-7},"f_big":123456789012345678901234567890}`))
	f.Add([]byte(`{"f_nested":{"a":1,"b":2,"c":["x"],"d":{"label":"l","weight":-0.0}},"f_bytes":"AAE="}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, s := range []synapse.Synapse{synapse.New[synapsetest.HashedDummy](), synapse.New[Mixed]()} {
			if err := synapse.DecodeBody(body, s); err != nil {
				require.ErrorIs(t, err, synapse.ErrBody)
				continue
			}
			// EncodeBody fills the defaults (a zero or negative timeout
			// becomes DefaultTimeout, as New does, because Go cannot tell
			// an unset float from 0); compare hashes of what is sent.
			synapse.ApplyDefaults(s)
			h1, err := synapse.BodyHash(s)
			require.NoError(t, err)
			_, err = synapse.EncodeHeaders(s)
			require.NoError(t, err)
			// Re-encoding and decoding keeps the hash (a literal -0 inside
			// a json.RawMessage is the documented exception).
			again, err := synapse.EncodeBody(s)
			require.NoError(t, err)
			s2 := reflect.New(reflect.TypeOf(s).Elem()).Interface().(synapse.Synapse)
			require.NoError(t, synapse.DecodeBody(again, s2))
			h2, err := synapse.BodyHash(s2)
			require.NoError(t, err)
			if !bytes.Contains(body, []byte("-0")) {
				require.Equal(t, h1, h2)
			}
			for _, name := range []string{"f_any", "f_map", "dendrite"} {
				_, _ = synapse.FieldPyStr(s, name)
			}
		}
	})
}

// FuzzTensor decodes arbitrary buffers: errors must match ErrTensor, and a
// buffer that decodes must re-encode to the same values.
func FuzzTensor(f *testing.F) {
	for _, seed := range []synapse.Tensor{
		must(synapse.NewTensor([]float32{1.5, 2}, 2)),
		must(synapse.NewTensor([]int64{1, -2, 3, 4, 5, 6}, 2, 3)),
		synapse.NewScalarTensor(true),
		must(synapse.NewTensor([]uint8{})),
	} {
		raw, _ := base64.StdEncoding.DecodeString(seed.Buffer)
		f.Add(raw, seed.DType, 0)
	}
	f.Fuzz(func(t *testing.T, raw []byte, dtype string, shapeSel int) {
		shapes := [][]int{{0}, {1}, {2}, {2, 3}, {6}}
		if shapeSel < 0 {
			shapeSel = -shapeSel
		}
		tensor := synapse.Tensor{Buffer: base64.StdEncoding.EncodeToString(raw), DType: dtype, Shape: shapes[shapeSel%len(shapes)]}
		arr, err := tensor.Array()
		if err != nil {
			require.ErrorIs(t, err, synapse.ErrTensor)
			return
		}
		vals, err := synapse.TensorValues[float32](tensor)
		if err != nil {
			require.ErrorIs(t, err, synapse.ErrTensor)
			return
		}
		if arr.Descr == "<f4" {
			again, err := synapse.NewTensor(vals, arr.Shape...)
			if len(arr.Shape) == 0 {
				again, err = synapse.NewTensor(vals, []int{}...)
			}
			require.NoError(t, err)
			back, err := synapse.TensorValues[float32](again)
			require.NoError(t, err)
			require.Equal(t, len(vals), len(back))
		}
	})
}

// FuzzPyStrJSON prints arbitrary JSON as Python would: no panic; any text
// Go's decoder accepts prints without error (unless nested too deeply), and
// the same way through a json.RawMessage field.
func FuzzPyStrJSON(f *testing.F) {
	for _, s := range []string{`1`, `-0`, `1.0e+2`, `"\ud800"`, `{"a":1,"a":2}`, `[[],{},null,true]`, `"\u0085'\""`, `123456789012345678901234567890`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := synapse.PyStrJSON(data)
		if err != nil {
			if json.Valid(data) {
				require.ErrorIs(t, err, synapse.ErrTooDeep)
			}
			return
		}
		require.True(t, json.Valid(data))
		again, err := synapse.PyStr(json.RawMessage(data))
		require.NoError(t, err)
		require.Equal(t, s, again)
	})
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
