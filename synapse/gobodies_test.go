package synapse_test

import (
	"encoding/json"
	"flag"
	"math"
	"math/big"
	"os"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gotensor/gotensor/synapse"
)

// The Go-to-Python direction: bodies encoded by Go, parsed and hashed by
// CPython + pydantic. Regenerate with
//
//	go test -run TestGoBodiesGolden -update-gobodies ./synapse/
//	python3 synapse/testdata/hash_go_bodies.py synapse/testdata/go_bodies.json
var updateGoBodies = flag.Bool("update-gobodies", false, "rewrite testdata/go_bodies.json (then run testdata/hash_go_bodies.py)")

type goBody struct {
	Body       string `json:"body"`
	PythonHash string `json:"python_hash"`
}

// goBodyCases are values built in Go that Python has never seen.
func goBodyCases(t *testing.T) []*Mixed {
	g := loadGolden(t)
	fromPython := synapse.New[Mixed]()
	require.NoError(t, synapse.DecodeBody([]byte(g.Cases[len(g.Cases)-1].Body), fromPython))

	n := synapse.New[Mixed]()
	n.FInt, n.FNeg, n.FBig, n.FUint = math.MaxInt64, math.MinInt64, new(big.Int).Lsh(big.NewInt(-3), 90), math.MaxUint64
	n.FFloat, n.FIntAsFloat, n.FF32, n.FNegZero = 1e-7, 1e22, float32(1)/3, math.Copysign(0, -1)
	n.FFloats = []float64{0.1 + 0.2, 5e-324, math.MaxFloat64, 1e16, 123456789012345678, math.Copysign(0, -1), 1e21, 1e20}
	n.FStr = "tab\t\"q\" 'a' \u00a0\u0085\u2028 \U0001F600 \x7f -0 \"-0\""
	n.FStrs = []string{"a\xffb", "<>&", "\u00ad", "", "\\\"-0"}
	n.FBool = true
	n.FOptStr = synapse.Ptr("o")
	n.FAny = json.RawMessage(`{"z":[1,2.0,"x",-0.0],"a":null}`)
	n.FDict.Set("zeta", []int{1})
	n.FDict.Set("alpha", []int{})
	n.FDict.Set("mid", []int{-1})
	n.FMap = map[string]float64{"b": 1, "a": 2.5, "A": math.Copysign(0, -1)}
	n.FIntmap = map[int]string{100: "x", 9: "y", -5: "z"}
	n.FNested = inner{A: 1, B: 2, C: []string{"c"}, D: &inner2{Label: "d", Weight: 0.5}}
	n.FNestedList = []inner{{C: []string{}}, {C: []string{"-0"}, B: -1e-300}}
	n.FTensor = synapse.NewScalarTensor(float32(2.5))
	n.FBytes = []byte{0, 1, 2, 255}
	n.FEmptyList = []int{}
	n.FMatrix = [][]float64{{1, 2}, {}}
	n.FDyn = map[string]any{"f": 1.0, "h": 100.0, "x": 0.5, "e": 1e21, "z": math.Copysign(0, -1),
		"l": []any{2.5, int64(3), float32(0.1)}, "s": []float64{1, 0.5}, "n": json.Number("7")}
	n.Dendrite.ProcessTime = synapse.Ptr(0.1)
	n.Timeout = 0.5

	f32 := synapse.New[Mixed]()
	f32.FF32 = 16777217 // rounds to 16777216 in float32
	f32.FBig = big.NewInt(0)
	f32.FFloats, f32.FStrs, f32.FEmptyList, f32.FNestedList, f32.FMatrix = []float64{}, []string{}, []int{}, []inner{}, [][]float64{}
	f32.FNested.C = []string{}
	f32.FAny = json.RawMessage(`[]`)
	f32.FMap, f32.FIntmap = map[string]float64{}, map[int]string{}
	f32.FBytes = []byte{}
	f32.FTensor = synapse.Tensor{DType: "float32", Shape: []int{}}
	return []*Mixed{fromPython, n, f32}
}

func TestGoBodiesGolden(t *testing.T) {
	cases := goBodyCases(t)
	if *updateGoBodies {
		out := make([]goBody, len(cases))
		for i, m := range cases {
			b, err := synapse.EncodeBody(m)
			require.NoError(t, err)
			out[i].Body = string(b)
		}
		b, err := json.MarshalIndent(out, "", " ")
		require.NoError(t, err)
		require.NoError(t, os.WriteFile("testdata/go_bodies.json", append(b, '\n'), 0o644))
		return
	}
	var golden []goBody
	loadJSON(t, "testdata/go_bodies.json", &golden)
	require.Len(t, golden, len(cases))
	for i, m := range cases {
		t.Run(strconv.Itoa(i), func(t *testing.T) {
			b, err := synapse.EncodeBody(m)
			require.NoError(t, err)
			require.Equal(t, golden[i].Body, string(b), "encoding changed: regenerate (see top of file)")
			require.NotEmpty(t, golden[i].PythonHash, "run testdata/hash_go_bodies.py")
			h, err := synapse.BodyHash(m)
			require.NoError(t, err)
			require.Equal(t, golden[i].PythonHash, h, "CPython hashes Go's body differently")
		})
	}
}

// TestAppendBody checks that AppendBody writes EncodeBody's bytes after
// what dst holds, for bodies with and without the -0 rewrite (which
// AppendBody applies to the appended part only), into a buffer with and
// without room.
func TestAppendBody(t *testing.T) {
	for i, m := range goBodyCases(t) {
		want, err := synapse.EncodeBody(m)
		require.NoError(t, err)
		for _, dst := range [][]byte{nil, []byte("-0 held -0:"), make([]byte, 3, 1<<16)} {
			held := string(dst)
			got, err := synapse.AppendBody(dst, m)
			require.NoError(t, err, "case %d", i)
			require.Equal(t, held+string(want), string(got), "case %d", i)
		}
	}
	bad := synapse.New[Mixed]()
	bad.FFloat = math.NaN()
	got, err := synapse.AppendBody([]byte("held"), bad)
	require.Error(t, err)
	require.Equal(t, "held", string(got))
}

func TestEncodeBodyNegativeZero(t *testing.T) {
	m := synapse.New[Mixed]()
	m.FNegZero = math.Copysign(0, -1)
	m.FFloats = []float64{math.Copysign(0, -1), -0.5, 0}
	m.FStr = `-0 "-0"`
	b, err := synapse.EncodeBody(m)
	require.NoError(t, err)
	s := string(b)
	require.Contains(t, s, `"f_neg_zero":-0.0`)
	require.Contains(t, s, `"f_floats":[-0.0,-0.5,0]`)
	require.Contains(t, s, `"f_str":"-0 \"-0\""`)
	var back Mixed
	require.NoError(t, json.Unmarshal(b, &back))
	require.True(t, math.Signbit(back.FNegZero))
}
