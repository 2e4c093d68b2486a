package synapse_test

import (
	"encoding/base64"
	"encoding/json"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gotensor/gotensor/synapse"
)

// tensor_golden.json is written by testdata/gen_tensor_golden.py with numpy
// and the real msgpack_numpy encoder.
type tensorCase struct {
	Buffer       string            `json:"buffer"`
	DType        string            `json:"dtype"`
	Shape        []int             `json:"shape"`
	RawValues    []json.RawMessage `json:"-"`
	MsgpackShape []int             `json:"msgpack_shape"`
	Encode       bool              `json:"encode"`
}

func loadTensorGolden(t *testing.T) []tensorCase {
	b, err := os.ReadFile("testdata/tensor_golden.json")
	require.NoError(t, err)
	var f struct {
		Cases []struct {
			tensorCase
			Values []json.RawMessage `json:"values"`
		} `json:"cases"`
	}
	require.NoError(t, json.Unmarshal(b, &f))
	out := make([]tensorCase, 0, len(f.Cases))
	for _, c := range f.Cases {
		tc := c.tensorCase
		tc.RawValues = c.Values
		out = append(out, tc)
	}
	require.Greater(t, len(out), 80)
	return out
}

// parseValues converts the JSON values to E (true/false become 1/0).
func parseValues[E synapse.Element](t *testing.T, raw []json.RawMessage) []E {
	out := make([]E, len(raw))
	for i, r := range raw {
		s := string(r)
		var v any
		switch any(out).(type) {
		case []bool:
			v = s == "true"
		case []float32:
			f, err := strconv.ParseFloat(s, 64)
			require.NoError(t, err)
			v = float32(f)
		case []float64:
			f, err := strconv.ParseFloat(s, 64)
			require.NoError(t, err)
			v = f
		case []int8, []int16, []int32, []int64:
			n, err := strconv.ParseInt(s, 10, 64)
			require.NoError(t, err)
			v = n
		default:
			n, err := strconv.ParseUint(s, 10, 64)
			require.NoError(t, err)
			v = n
		}
		switch x := v.(type) {
		case bool:
			*any(&out[i]).(*bool) = x
		case float32:
			*any(&out[i]).(*float32) = x
		case float64:
			*any(&out[i]).(*float64) = x
		case int64:
			setInt(&out[i], x)
		case uint64:
			setUint(&out[i], x)
		}
	}
	return out
}

func setInt[E synapse.Element](p *E, x int64) {
	switch q := any(p).(type) {
	case *int8:
		*q = int8(x)
	case *int16:
		*q = int16(x)
	case *int32:
		*q = int32(x)
	case *int64:
		*q = x
	}
}

func setUint[E synapse.Element](p *E, x uint64) {
	switch q := any(p).(type) {
	case *uint8:
		*q = uint8(x)
	case *uint16:
		*q = uint16(x)
	case *uint32:
		*q = uint32(x)
	case *uint64:
		*q = x
	}
}

func checkTensorCase[E synapse.Element](t *testing.T, c tensorCase) {
	want := parseValues[E](t, c.RawValues)
	tensor := synapse.Tensor{Buffer: c.Buffer, DType: c.DType, Shape: c.Shape}
	got, err := synapse.TensorValues[E](tensor)
	require.NoError(t, err)
	if len(want) == 0 {
		require.Empty(t, got)
	} else {
		require.Equal(t, want, got)
	}
	arr, err := tensor.Array()
	require.NoError(t, err)
	require.Equal(t, c.MsgpackShape, arr.Shape)
	if !c.Encode {
		return
	}
	enc, err := synapse.NewTensor(want, c.MsgpackShape...)
	require.NoError(t, err)
	require.Equal(t, c.Buffer, enc.Buffer, "msgpack-numpy bytes")
	require.Equal(t, c.DType, enc.DType)
	require.Equal(t, c.Shape, enc.Shape)
}

func TestTensorGolden(t *testing.T) {
	for i, c := range loadTensorGolden(t) {
		t.Run(strconv.Itoa(i)+"_"+c.DType, func(t *testing.T) {
			if c.MsgpackShape == nil {
				c.MsgpackShape = []int{}
			}
			switch strings.TrimPrefix(c.DType, "torch.") {
			case "float16":
				// Go has no float16: it decodes widened to float32.
				checkTensorCase[float32](t, tensorCase{Buffer: c.Buffer, DType: c.DType, Shape: c.Shape,
					RawValues: c.RawValues, MsgpackShape: c.MsgpackShape})
			case "float32":
				checkTensorCase[float32](t, c)
			case "float64":
				checkTensorCase[float64](t, c)
			case "int8":
				checkTensorCase[int8](t, c)
			case "int16":
				checkTensorCase[int16](t, c)
			case "int32":
				checkTensorCase[int32](t, c)
			case "int64":
				checkTensorCase[int64](t, c)
			case "uint8":
				checkTensorCase[uint8](t, c)
			case "uint16":
				checkTensorCase[uint16](t, c)
			case "uint32":
				checkTensorCase[uint32](t, c)
			case "uint64":
				checkTensorCase[uint64](t, c)
			case "bool":
				checkTensorCase[bool](t, c)
			default:
				t.Fatalf("unexpected dtype %q", c.DType)
			}
		})
	}
}

type celsius float32

func TestTensorRoundTripAndNamedTypes(t *testing.T) {
	temps := []celsius{-1.5, 0, 21.25, 100}
	tt, err := synapse.NewTensor(temps, 2, 2)
	require.NoError(t, err)
	require.Equal(t, "float32", tt.DType)
	require.Equal(t, []int{2, 2}, tt.Shape)
	back, err := synapse.TensorValues[celsius](tt)
	require.NoError(t, err)
	require.Equal(t, temps, back)
	plain, err := synapse.TensorValues[float32](tt)
	require.NoError(t, err)
	require.Equal(t, []float32{-1.5, 0, 21.25, 100}, plain)

	s := synapse.NewScalarTensor(int64(-7))
	require.Equal(t, []int{0}, s.Shape)
	v, err := synapse.TensorValues[int64](s)
	require.NoError(t, err)
	require.Equal(t, []int64{-7}, v)

	torch := tt
	torch.DType = "torch.float32"
	_, err = synapse.TensorValues[float32](torch)
	require.NoError(t, err)
}

func TestTensorErrors(t *testing.T) {
	good, err := synapse.NewTensor([]float32{1, 2, 3, 4}, 2, 2)
	require.NoError(t, err)
	raw, err := base64.StdEncoding.DecodeString(good.Buffer)
	require.NoError(t, err)

	_, err = synapse.NewTensor([]float32{1, 2, 3}, 2, 2)
	require.ErrorIs(t, err, synapse.ErrTensor)
	require.ErrorIs(t, err, synapse.ErrTensorShape)
	_, err = synapse.NewTensor([]float32{1}, -1)
	require.ErrorIs(t, err, synapse.ErrTensorShape)

	cases := []struct {
		name   string
		tensor synapse.Tensor
		want   error
	}{
		{"wrong Go type", good, synapse.ErrTensorDType},
		{"unknown dtype", synapse.Tensor{Buffer: good.Buffer, DType: "complex64", Shape: good.Shape}, synapse.ErrTensorDType},
		{"dtype says int64, buffer holds f4", synapse.Tensor{Buffer: good.Buffer, DType: "int64", Shape: good.Shape}, synapse.ErrTensorDType},
		{"shape mismatch", synapse.Tensor{Buffer: good.Buffer, DType: "float32", Shape: []int{3}}, synapse.ErrTensorShape},
		{"not base64", synapse.Tensor{Buffer: "%%%", DType: "float32", Shape: []int{1}}, synapse.ErrTensorCorrupt},
		{"truncated", synapse.Tensor{Buffer: base64.StdEncoding.EncodeToString(raw[:len(raw)-3]), DType: "float32", Shape: good.Shape}, synapse.ErrTensorCorrupt},
		{"trailing", synapse.Tensor{Buffer: base64.StdEncoding.EncodeToString(append(append([]byte{}, raw...), 0)), DType: "float32", Shape: good.Shape}, synapse.ErrTensorCorrupt},
		{"not a map", synapse.Tensor{Buffer: base64.StdEncoding.EncodeToString([]byte{0x93, 1, 2, 3}), DType: "float32", Shape: []int{3}}, synapse.ErrTensorCorrupt},
		{"empty", synapse.Tensor{DType: "float32", Shape: []int{0}}, synapse.ErrTensorCorrupt},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var err error
			if c.name == "wrong Go type" {
				_, err = synapse.TensorValues[int32](c.tensor)
			} else {
				_, err = synapse.TensorValues[float32](c.tensor)
			}
			require.ErrorIs(t, err, synapse.ErrTensor)
			require.ErrorIs(t, err, c.want)
		})
	}

	// A data length that disagrees with the declared array shape.
	bad := append([]byte{}, raw...)
	i := strings.Index(string(bad), "shape")
	require.Positive(t, i)
	bad[i+len("shape")+1] = 3 // [2, 2] -> [3, 2]
	_, err = synapse.TensorValues[float32](synapse.Tensor{Buffer: base64.StdEncoding.EncodeToString(bad), DType: "float32", Shape: []int{6}})
	require.ErrorIs(t, err, synapse.ErrTensorShape)
}

func TestFloat16ToFloat32(t *testing.T) {
	cases := map[uint16]float32{
		0x0000: 0, 0x3c00: 1, 0xc000: -2, 0x7bff: 65504, 0x0001: 5.960464477539063e-08,
		0x3555: 0.33325195, 0x7c00: float32(math.Inf(1)), 0xfc00: float32(math.Inf(-1)),
	}
	for h, want := range cases {
		require.Equal(t, want, synapse.Float16ToFloat32(h), "0x%04x", h)
	}
	require.True(t, math.IsNaN(float64(synapse.Float16ToFloat32(0x7e00))))
	require.True(t, math.Signbit(float64(synapse.Float16ToFloat32(0x8000))))
}
