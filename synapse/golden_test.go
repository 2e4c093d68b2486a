package synapse_test

import (
	"encoding/json"
	"math"
	"math/big"
	"net/http"
	"os"
	"strconv"
	"testing"
	"unicode"

	"github.com/stretchr/testify/require"

	"github.com/gotensor/gotensor/synapse"
	"github.com/gotensor/gotensor/synapse/synapsetest"
)

// golden.json is written by testdata/gen_golden.py with CPython and pydantic.
type goldenFile struct {
	Python       string            `json:"python"`
	Unicode      string            `json:"unicode"`
	Cases        []goldenCase      `json:"cases"`
	Placeholders map[string]string `json:"placeholders"`
	Floats       [][2]string       `json:"floats"`
	Strings      [][3]string       `json:"strings"`
	JSON         [][2]string       `json:"json"`
	Nonprintable [][2]rune         `json:"nonprintable"`
	Unassigned   [][2]rune         `json:"unassigned"`
	EmptyHash    string            `json:"empty_hash"`
}

type goldenCase struct {
	Type       string   `json:"type"`
	Body       string   `json:"body"`
	HashFields []string `json:"hash_fields"`
	Fields     map[string]struct {
		Str  string `json:"str"`
		Sha3 string `json:"sha3"`
	} `json:"fields"`
	BodyHash string      `json:"body_hash"`
	Headers  [][2]string `json:"headers"`
}

func loadGolden(t testing.TB) goldenFile {
	t.Helper()
	b, err := os.ReadFile("testdata/golden.json")
	require.NoError(t, err)
	var g goldenFile
	require.NoError(t, json.Unmarshal(b, &g))
	require.NotEmpty(t, g.Cases)
	return g
}

// Go mirrors of the pydantic models in gen_golden.py.

type hashedDummyBoth struct {
	synapse.Base
	DummyInput  int  `json:"dummy_input"`
	DummyOutput *int `json:"dummy_output"`
}

func (*hashedDummyBoth) SynapseName() string { return "HashedDummy" }
func (*hashedDummyBoth) RequiredHashFields() []string {
	return []string{"dummy_input", "dummy_output"}
}

type inner2 struct {
	Label  string  `json:"label"`
	Weight float64 `json:"weight"`
}

type inner struct {
	A int      `json:"a"`
	B float64  `json:"b"`
	C []string `json:"c"`
	D *inner2  `json:"d"`
}

type Mixed struct {
	synapse.Base
	FInt        int                 `json:"f_int"`
	FNeg        int64               `json:"f_neg"`
	FBig        *big.Int            `json:"f_big" synapse:"required"`
	FUint       uint64              `json:"f_uint"`
	FFloat      float64             `json:"f_float"`
	FIntAsFloat float64             `json:"f_int_as_float"`
	FF32        float32             `json:"f_f32"`
	FNegZero    float64             `json:"f_neg_zero"`
	FFloats     []float64           `json:"f_floats"`
	FStr        string              `json:"f_str"`
	FStrs       []string            `json:"f_strs"`
	FBool       bool                `json:"f_bool"`
	FNone       *int                `json:"f_none"`
	FOptStr     *string             `json:"f_opt_str" synapse:"required"`
	FAny        json.RawMessage     `json:"f_any"`
	FDict       synapse.Dict[[]int] `json:"f_dict"`
	FMap        map[string]float64  `json:"f_map"`
	FIntmap     map[int]string      `json:"f_intmap"`
	FNested     inner               `json:"f_nested" synapse:"required"`
	FNestedList []inner             `json:"f_nested_list"`
	FTensor     synapse.Tensor      `json:"f_tensor" synapse:"required"`
	FBytes      []byte              `json:"f_bytes"`
	FEmptyList  []int               `json:"f_empty_list"`
	FNilList    []int               `json:"f_nil_list" synapse:"optional"`
	FMatrix     [][]float64         `json:"f_matrix"`
	FDyn        any                 `json:"f_dyn"`
	unexported  int                 //nolint:unused // must be ignored
	Ignored     string              `json:"-"`
}

func (*Mixed) RequiredHashFields() []string {
	return []string{
		"f_strs", "f_int", "f_neg", "f_big", "f_uint", "f_float",
		"f_int_as_float", "f_f32", "f_neg_zero", "f_floats", "f_str",
		"f_bool", "f_none", "f_opt_str", "f_any", "f_dict", "f_map",
		"f_intmap", "f_nested", "f_nested_list", "f_tensor", "f_bytes",
		"f_empty_list", "f_nil_list", "f_matrix", "f_dyn", "timeout",
		"dendrite", "axon", "name",
	}
}

func newGoldenSynapse(t *testing.T, c goldenCase) synapse.Synapse {
	switch {
	case c.Type == "Dummy":
		return synapse.New[synapsetest.Dummy]()
	case c.Type == "HashedDummy" && len(c.HashFields) == 1:
		return synapse.New[synapsetest.HashedDummy]()
	case c.Type == "HashedDummy":
		return synapse.New[hashedDummyBoth]()
	case c.Type == "Mixed":
		return synapse.New[Mixed]()
	}
	t.Fatalf("no Go type for golden case %q", c.Type)
	return nil
}

func TestGoldenBodyHash(t *testing.T) {
	g := loadGolden(t)
	require.Equal(t, synapse.EmptyBodyHash, g.EmptyHash)
	for i, c := range g.Cases {
		t.Run(strconv.Itoa(i)+"_"+c.Type, func(t *testing.T) {
			s := newGoldenSynapse(t, c)
			require.NoError(t, synapse.DecodeBody([]byte(c.Body), s))
			if hf, ok := s.(synapse.HashFielder); ok {
				require.Equal(t, c.HashFields, hf.RequiredHashFields())
			} else {
				require.Empty(t, c.HashFields)
			}

			// Every field, hashed or not, prints as CPython's str().
			for name, want := range c.Fields {
				got, err := synapse.FieldPyStr(s, name)
				require.NoError(t, err, name)
				require.Equal(t, want.Str, got, "str() of field %s", name)
			}

			h, err := synapse.BodyHash(s)
			require.NoError(t, err)
			require.Equal(t, c.BodyHash, h)
		})
	}
}

func TestGoldenHeaders(t *testing.T) {
	g := loadGolden(t)
	for i, c := range g.Cases {
		t.Run(strconv.Itoa(i)+"_"+c.Type, func(t *testing.T) {
			s := newGoldenSynapse(t, c)
			require.NoError(t, synapse.DecodeBody([]byte(c.Body), s))
			fields, err := synapse.HeaderFields(s)
			require.NoError(t, err)
			var got [][2]string
			for _, f := range fields {
				if f.Key == synapse.HeaderHeaderSize || f.Key == synapse.HeaderTotalSize {
					continue // CPython object sizes: not reproducible
				}
				got = append(got, [2]string{f.Key, f.Value})
			}
			require.Equal(t, c.Headers, got)

			// from_headers of Python's headers gives back the terminal infos,
			// the timeout and the hash.
			h := http.Header{}
			for _, kv := range c.Headers {
				h[kv[0]] = []string{kv[1]}
			}
			back := newGoldenSynapse(t, c)
			require.NoError(t, synapse.DecodeHeaders(h, back))
			require.Equal(t, s.SynapseBase().Axon, back.SynapseBase().Axon)
			require.Equal(t, s.SynapseBase().Dendrite, back.SynapseBase().Dendrite)
			require.Equal(t, s.SynapseBase().Timeout, back.SynapseBase().Timeout)
			require.Equal(t, c.BodyHash, back.SynapseBase().ComputedBodyHash)
		})
	}
}

func TestGoldenPlaceholders(t *testing.T) {
	g := loadGolden(t)
	require.Equal(t, map[string]string{
		"int": "MA==", "float": "MC4w", "str": "IiI=", "bool": "ZmFsc2U=", "list": "W10=", "dict": "e30=",
	}, g.Placeholders)
}

func TestGoldenFloatRepr(t *testing.T) {
	g := loadGolden(t)
	require.Greater(t, len(g.Floats), 4000)
	for _, c := range g.Floats {
		bits, err := strconv.ParseUint(c[0], 16, 64)
		require.NoError(t, err)
		f := math.Float64frombits(bits)
		if math.IsNaN(f) {
			require.Equal(t, "nan", synapse.FormatFloat(f))
			continue
		}
		require.Equal(t, c[1], synapse.FormatFloat(f), "bits %s", c[0])
	}
}

func TestGoldenStringRepr(t *testing.T) {
	g := loadGolden(t)
	for _, c := range g.Strings {
		require.Equal(t, c[1], synapse.QuoteString(c[0]), "repr of %q", c[0])
		got, err := synapse.PyStr([]string{c[0]})
		require.NoError(t, err)
		require.Equal(t, c[2], got)
		top, err := synapse.PyStr(c[0])
		require.NoError(t, err)
		require.Equal(t, c[0], top, "str() of a top-level str is the str itself")
	}
}

func TestGoldenJSON(t *testing.T) {
	g := loadGolden(t)
	for _, c := range g.JSON {
		got, err := synapse.PyStrJSON([]byte(c[0]))
		require.NoError(t, err, c[0])
		require.Equal(t, c[1], got, "str(json.loads(%s))", c[0])
	}
}

// TestGoldenPrintable compares str.isprintable() of every code point with
// the rule AppendQuoted uses. The only differences allowed are characters
// unassigned in CPython's Unicode version and assigned in Go's (newer) one.
func TestGoldenPrintable(t *testing.T) {
	g := loadGolden(t)
	in := func(ranges [][2]rune, r rune) bool {
		lo, hi := 0, len(ranges)
		for lo < hi {
			m := (lo + hi) / 2
			switch {
			case r < ranges[m][0]:
				hi = m
			case r > ranges[m][1]:
				lo = m + 1
			default:
				return true
			}
		}
		return false
	}
	diffs := 0
	for r := rune(0); r <= unicode.MaxRune; r++ {
		pyPrintable := !in(g.Nonprintable, r)
		if pyPrintable == unicode.IsPrint(r) {
			continue
		}
		require.True(t, in(g.Unassigned, r) && unicode.IsPrint(r),
			"U+%04X: python printable=%v, go=%v", r, pyPrintable, unicode.IsPrint(r))
		diffs++
	}
	t.Logf("CPython %s (Unicode %s) vs Go (Unicode %s): %d newly assigned code points differ",
		g.Python, g.Unicode, unicode.Version, diffs)
}

func loadJSON(t testing.TB, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, v))
}
