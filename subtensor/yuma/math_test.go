package yuma

import (
	"math"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gotensor/gotensor/subtensor/yuma/fixed"
)

// fromF32 is I32F32::from_num(f32): the f32 value rounded to nearest, ties to even.
func fromF32(x float64) fixed.I32F32 {
	return fixed.I32F32(math.RoundToEven(float64(float32(x)) * (1 << 32)))
}

// fromF64 is I32F32::from_num(f64).
func fromF64(x float64) fixed.I32F32 {
	return fixed.I32F32(math.RoundToEven(x * (1 << 32)))
}

func parseBits(t testing.TB, s string) fixed.I32F32 {
	t.Helper()
	v, err := strconv.ParseInt(s, 10, 64)
	require.NoError(t, err)
	return fixed.I32F32(v)
}

func TestVecMaxUpscaleToU16Fixture(t *testing.T) {
	var fx struct {
		Cases []struct {
			Bits     []string `json:"input_bits"`
			Expected []uint16 `json:"expected_u16"`
		} `json:"cases"`
	}
	loadJSON(t, "math/vec_max_upscale_to_u16.json", &fx)
	require.NotEmpty(t, fx.Cases)
	for i, c := range fx.Cases {
		in := make([]fixed.I32F32, len(c.Bits))
		for k, b := range c.Bits {
			in[k] = parseBits(t, b)
		}
		require.Equal(t, c.Expected, VecMaxUpscaleToU16(in), "case %d", i)
	}
}

func TestVecU16MaxUpscaleToU16Fixture(t *testing.T) {
	var fx struct {
		Cases []struct {
			Input    []uint16 `json:"input"`
			Expected []uint16 `json:"expected"`
		} `json:"cases"`
	}
	loadJSON(t, "math/vec_u16_max_upscale_to_u16.json", &fx)
	require.NotEmpty(t, fx.Cases)
	for i, c := range fx.Cases {
		require.Equal(t, c.Expected, VecU16MaxUpscaleToU16(c.Input), "case %d", i)
	}
}

func TestCheckVecMaxLimitedFixture(t *testing.T) {
	var fx struct {
		Cases []struct {
			Vec      []uint16 `json:"vec"`
			MaxLimit uint16   `json:"max_limit"`
			Expected bool     `json:"expected"`
		} `json:"cases"`
	}
	loadJSON(t, "math/check_vec_max_limited.json", &fx)
	require.NotEmpty(t, fx.Cases)
	for i, c := range fx.Cases {
		require.Equal(t, c.Expected, CheckVecMaxLimited(c.Vec, c.MaxLimit), "case %d", i)
	}
}

func TestIsTopKFixture(t *testing.T) {
	var fx struct {
		Cases []struct {
			Vector   []float64 `json:"vector_f32"`
			K        int       `json:"k"`
			Expected []bool    `json:"expected"`
		} `json:"cases"`
	}
	loadJSON(t, "math/is_topk.json", &fx)
	require.NotEmpty(t, fx.Cases)
	for i, c := range fx.Cases {
		v := make([]fixed.I32F32, len(c.Vector))
		for k, x := range c.Vector {
			v[k] = fromF32(x)
		}
		require.Equal(t, c.Expected, IsTopK(v, c.K), "case %d", i)
	}
}

func TestIsTopKNonzero(t *testing.T) {
	v := []fixed.I32F32{0, 0, fixed.I32One, fixed.I32One, 2 * fixed.I32One}
	// k=4 over 5 values: only the lowest (uid 0) is dropped by rank, and
	// uid 1 is zero so it never gets a permit either.
	require.Equal(t, []bool{false, false, true, true, true}, IsTopKNonzero(v, 4))
	// Ties drop the lower uid first (stable ascending sort).
	require.Equal(t, []bool{false, false, false, true, true}, IsTopKNonzero(v, 2))
	require.Equal(t, []bool{false, false, true, true, true}, IsTopKNonzero(v, 10))
}

func TestWeightedMedianFixture(t *testing.T) {
	var fx struct {
		Cases []struct {
			Stake      []float64 `json:"stake_f32"`
			Normalize  bool      `json:"stake_normalized_first"`
			Score      []float64 `json:"score_f32"`
			Majority   float64   `json:"majority_f32"`
			Minority   string    `json:"minority"`
			Partition  []int     `json:"partition_idx"`
			ExpectBits string    `json:"expected_bits"`
		} `json:"weighted_median_cases"`
		ColCases []struct {
			Stake      []float64   `json:"stake_f32"`
			Rows       [][]float64 `json:"weights_rows_f32"`
			Majority   float64     `json:"majority_f32"`
			ExpectBits []string    `json:"expected_bits"`
		} `json:"weighted_median_col_cases"`
	}
	loadJSON(t, "math/weighted_median.json", &fx)
	require.NotEmpty(t, fx.Cases)
	for i, c := range fx.Cases {
		require.Equal(t, "I32F32::from_num(1.0) - fixed(0.51)", c.Minority)
		stake := make([]fixed.I32F32, len(c.Stake))
		score := make([]fixed.I32F32, len(c.Score))
		for k := range c.Stake {
			stake[k] = fromF32(c.Stake[k])
			score[k] = fromF32(c.Score[k])
		}
		if c.Normalize {
			inplaceNormalize(stake)
		}
		minority := fixed.I32One.SatSub(fromF32(c.Majority))
		got := WeightedMedian(stake, score, c.Partition, minority, 0, sum(stake))
		require.Equal(t, parseBits(t, c.ExpectBits), got, "case %d", i)
	}
	require.NotEmpty(t, fx.ColCases)
	for i, c := range fx.ColCases {
		stake := make([]fixed.I32F32, len(c.Stake))
		for k, x := range c.Stake {
			stake[k] = fromF32(x)
		}
		cols := len(c.Rows[0])
		// vec_to_sparse_mat_fixed keeps only positive entries.
		rows := make([][]Entry, len(c.Rows))
		for r, row := range c.Rows {
			for j, x := range row {
				if v := fromF32(x); v > 0 {
					rows[r] = append(rows[r], Entry{uint16(j), v})
				}
			}
		}
		got := WeightedMedianColSparse(stake, rows, cols, fromF32(c.Majority))
		want := make([]fixed.I32F32, len(c.ExpectBits))
		for k, b := range c.ExpectBits {
			want[k] = parseBits(t, b)
		}
		require.Equal(t, want, got, "col case %d", i)
	}
}

// denseAlpha is an alphaSource backed by a given matrix (the tests' alphas).
type denseAlpha struct {
	m [][]fixed.I32F32
}

func (d *denseAlpha) rowAlphas(i int, _, _ []Entry) []fixed.I32F32 { return d.m[i] }
func (d *denseAlpha) endRow(_, _ []Entry)                          {}

func TestMatEmaAlphaFixture(t *testing.T) {
	var fx struct {
		Dense []struct {
			New, Old, Alpha, Expected [][]float64
			Epsilon                   float64 `json:"epsilon"`
		} `json:"dense_cases"`
		Sparse []struct {
			New      [][][2]float64 `json:"new"`
			Old      [][][2]float64 `json:"old"`
			Alpha    [][]float64    `json:"alpha_dense"`
			Expected [][][2]float64 `json:"expected"`
			Epsilon  float64        `json:"epsilon"`
		} `json:"sparse_cases"`
	}
	loadJSON(t, "math/mat_ema_alpha.json", &fx)
	require.NotEmpty(t, fx.Dense)
	require.NotEmpty(t, fx.Sparse)
	toSparse := func(m [][]float64, conv func(float64) fixed.I32F32) [][]Entry {
		out := make([][]Entry, len(m))
		for i, row := range m {
			out[i] = []Entry{}
			for j, x := range row {
				out[i] = append(out[i], Entry{uint16(j), conv(x)})
			}
		}
		return out
	}
	toMat := func(m [][]float64, conv func(float64) fixed.I32F32) [][]fixed.I32F32 {
		out := make([][]fixed.I32F32, len(m))
		for i, row := range m {
			for _, x := range row {
				out[i] = append(out[i], conv(x))
			}
		}
		return out
	}
	for ci, c := range fx.Dense {
		got := matEmaAlphaSparse(nil, toSparse(c.New, fromF32), toSparse(c.Old, fromF32), len(c.Alpha[0]), &denseAlpha{m: toMat(c.Alpha, fromF32)})
		for i, row := range c.Expected {
			for j, want := range row {
				var v fixed.I32F32
				for _, e := range got[i] {
					if int(e.UID) == j {
						v = e.Value
					}
				}
				// assert_mat_approx_eq: |got − fixed(want)| <= fixed(eps), f32 literals.
				diff := v.SatSub(fromF32(want))
				if diff < 0 {
					diff = -diff
				}
				require.LessOrEqual(t, diff, fromF32(c.Epsilon), "dense case %d (%d,%d): %v vs %v", ci, i, j, v, want)
			}
		}
	}
	sp := func(m [][][2]float64) [][]Entry {
		out := make([][]Entry, len(m))
		for i, row := range m {
			for _, e := range row {
				out[i] = append(out[i], Entry{uint16(e[0]), fromF64(e[1])})
			}
		}
		return out
	}
	for ci, c := range fx.Sparse {
		got := matEmaAlphaSparse(nil, sp(c.New), sp(c.Old), len(c.Alpha[0]), &denseAlpha{m: toMat(c.Alpha, fromF64)})
		want := sp(c.Expected)
		require.Len(t, got, len(want))
		for i := range want {
			require.Len(t, got[i], len(want[i]), "sparse case %d row %d", ci, i)
			for k := range want[i] {
				require.Equal(t, want[i][k].UID, got[i][k].UID)
				diff := got[i][k].Value.SatSub(want[i][k].Value)
				if diff < 0 {
					diff = -diff
				}
				require.LessOrEqual(t, diff, fromF64(c.Epsilon), "sparse case %d", ci)
			}
		}
	}
}

func TestSplitEmissions(t *testing.T) {
	require.Equal(t, []uint64{1000}, SplitEmissions(1000, 1, nil))
	require.Equal(t, []uint64{334, 333, 333}, SplitEmissions(1000, 3, nil))
	// By parts of 65535, trimmed/padded to the count, dust to mechanism 0.
	require.Equal(t, []uint64{500, 499}, SplitEmissions(999, 2, []uint16{32768, 32767}))
	require.Equal(t, []uint64{1000, 0, 0}, SplitEmissions(1000, 3, []uint16{65535}))
	require.Equal(t, []uint64{1000}, SplitEmissions(1000, 1, []uint16{0, 65535}))
	require.Empty(t, SplitEmissions(1000, 0, nil))
}
