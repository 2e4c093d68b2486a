package subtensor

import (
	"errors"
	"math"
	"math/bits"
	"strconv"
	"strings"
)

// RaoPerTAO is the number of rao in one TAO (and of alpha-rao in one alpha).
const RaoPerTAO = 1_000_000_000

// ErrBalanceOverflow is returned by the checked balance helpers when the
// result does not fit in a u64 (the chain's Balance type).
var ErrBalanceOverflow = errors.New("subtensor: balance overflow")

// ErrBalanceUnderflow is returned by the checked balance helpers when a
// subtraction would go below zero.
var ErrBalanceUnderflow = errors.New("subtensor: balance underflow")

// Balance is an amount in rao (1e-9 TAO), the chain's u64 Balance. The same
// type carries alpha amounts (alpha-rao); Unit picks the symbol used to print
// it.
type Balance uint64

// Rao returns the amount in rao.
func (b Balance) Rao() uint64 { return uint64(b) }

// TAO returns the amount in TAO as a float64, computed exactly as the Python
// SDK's Balance.tao (rao / 10**9).
func (b Balance) TAO() float64 { return float64(b) / 1e9 }

// FromTAO converts a TAO amount to a Balance the way the Python SDK does:
// int(tao * 10**9), i.e. the float64 product truncated toward zero. So
// FromTAO(1.001) is 1000999999 rao, not 1001000000. Negative, NaN and
// out-of-range inputs are rejected.
func FromTAO(tao float64) (Balance, error) {
	if math.IsNaN(tao) || math.IsInf(tao, 0) {
		return 0, errors.New("subtensor: TAO amount is not a finite number")
	}
	v := math.Trunc(tao * 1e9)
	if v < 0 {
		return 0, ErrBalanceUnderflow
	}
	if v >= 18446744073709551616.0 { // 2^64
		return 0, ErrBalanceOverflow
	}
	return Balance(v), nil
}

// MustFromTAO is FromTAO for constants in programs and tests; it panics on
// an invalid amount.
func MustFromTAO(tao float64) Balance {
	b, err := FromTAO(tao)
	if err != nil {
		panic(err)
	}
	return b
}

// TAO returns n whole TAO as a Balance (exact, no float rounding).
func TAO(n uint64) Balance { return Balance(n * RaoPerTAO) }

// CheckedAdd returns b+o or ErrBalanceOverflow.
func (b Balance) CheckedAdd(o Balance) (Balance, error) {
	s, carry := bits.Add64(uint64(b), uint64(o), 0)
	if carry != 0 {
		return 0, ErrBalanceOverflow
	}
	return Balance(s), nil
}

// CheckedSub returns b−o or ErrBalanceUnderflow.
func (b Balance) CheckedSub(o Balance) (Balance, error) {
	if o > b {
		return 0, ErrBalanceUnderflow
	}
	return b - o, nil
}

// SaturatingAdd returns b+o, clamped at the u64 maximum.
func (b Balance) SaturatingAdd(o Balance) Balance {
	s, carry := bits.Add64(uint64(b), uint64(o), 0)
	if carry != 0 {
		return math.MaxUint64
	}
	return Balance(s)
}

// SaturatingSub returns b−o, clamped at zero.
func (b Balance) SaturatingSub(o Balance) Balance {
	if o > b {
		return 0
	}
	return b - o
}

// String formats the balance as TAO like the Python SDK's str(Balance):
// "τ1,234.500000000".
func (b Balance) String() string { return b.Format(0) }

// Format prints the amount in the unit of the given subnet: TAO for netuid 0
// ("τ1.000000000"), otherwise the subnet's alpha symbol placed after the
// number and wrapped in U+200E marks, exactly like the Python SDK
// ("\u200e1.000000000α\u200e").
func (b Balance) Format(netuid NetUID) string {
	num := formatThousands(strconv.FormatFloat(b.TAO(), 'f', 9, 64))
	if netuid == 0 {
		return units[0] + num
	}
	return "\u200e" + num + Unit(netuid) + "\u200e"
}

// formatThousands inserts "," between groups of three integer digits, as
// Python's "{:,}" does.
func formatThousands(s string) string {
	intPart, frac, _ := strings.Cut(s, ".")
	if len(intPart) <= 3 {
		return s
	}
	var sb strings.Builder
	lead := len(intPart) % 3
	if lead > 0 {
		sb.WriteString(intPart[:lead])
	}
	for i := lead; i < len(intPart); i += 3 {
		if sb.Len() > 0 {
			sb.WriteByte(',')
		}
		sb.WriteString(intPart[i : i+3])
	}
	if frac != "" {
		sb.WriteByte('.')
		sb.WriteString(frac)
	}
	return sb.String()
}

// Unit returns the currency symbol of a subnet as the Python SDK's
// Balance.get_unit does: τ for root, then α, β, …; netuids past the table are
// written in base len(table) with the table as digits.
func Unit(netuid NetUID) string {
	n := int(netuid)
	base := len(units)
	if n < base {
		return units[n]
	}
	var digits []string
	for n > 0 {
		digits = append(digits, units[n%base])
		n /= base
	}
	var sb strings.Builder
	for i := len(digits) - 1; i >= 0; i-- {
		sb.WriteString(digits[i])
	}
	return sb.String()
}

// unitRun is a run of symbols: count code points from start, step apart.
type unitRun struct {
	start rune
	count int
	step  rune
}

// unitRuns is the Python SDK's UNITS table (bittensor/utils/balance.py,
// 439 symbols) written as runs of code points, because the table is mostly
// contiguous script blocks. Index 0 is τ; index 19 is the ASCII letter "t".
var unitRuns = []unitRun{
	{0x03C4, 1, 1},  // 0 τ
	{0x03B1, 17, 1}, // 1–17 α..ρ
	{0x03C3, 1, 1},  // 18 σ
	{'t', 1, 1},     // 19
	{0x03C5, 5, 1},  // 20–24 υ..ω
	{0x05D0, 27, 1}, // 25–51 Hebrew
	{0x0627, 2, 1},  // 52–53
	{0x062A, 17, 1}, // 54–70
	{0x0641, 8, 1},  // 71–78
	{0x064A, 1, 1},  // 79
	{0x0649, 1, 1},  // 80
	{0x16A0, 1, 1},  // 81 runes
	{0x16A2, 1, 1},
	{0x16A6, 1, 1},
	{0x16A8, 1, 1},
	{0x16B1, 1, 1},
	{0x16B3, 1, 1},
	{0x042B, 1, 1}, // 87
	{0x16C9, 1, 1},
	{0x16D2, 1, 1},
	{0x1680, 6, 1},  // 90–95 ogham
	{0x169B, 1, 1},  // 96
	{0x10D0, 6, 1},  // 97–102 Georgian
	{0x0531, 6, 1},  // 103–108 Armenian
	{0x055E, 1, 1},  // 109
	{0x0400, 6, 1},  // 110–115 Cyrillic
	{0x044A, 1, 1},  // 116
	{0x2C80, 6, 1},  // 117–122 Coptic
	{0x11000, 4, 1}, // 123–126 Brahmi
	{0x11005, 1, 1}, // 127
	{0x0DB1, 6, 1},  // 128–133 Sinhala
	{0x2C00, 33, 1}, // 134–166 Glagolitic
	{0x0E01, 35, 1}, // 167–201 Thai
	{0x0E25, 1, 1},  // 202
	{0x0E27, 8, 1},  // 203–210
	{0x1100, 14, 1}, // 211–224 Hangul initials
	{0x1161, 21, 1}, // 225–245 Hangul medials
	{0x12A0, 8, 1},  // 246–253 Ethiopic
	{0x12C8, 7, 1},  // 254–260
	{0x12B0, 7, 1},  // 261–267
	{0x1290, 7, 1},  // 268–274
	{0x0905, 7, 1},  // 275–281 Devanagari
	{0x090F, 2, 1},  // 282–283
	{0x0913, 22, 1}, // 284–305
	{0x092A, 7, 1},  // 306–312
	{0x0932, 1, 1},  // 313
	{0x0935, 5, 1},  // 314–318
	{0x30A2, 5, 2},  // 319–323 Katakana ア..オ
	{0x30AB, 11, 2}, // 324–334 カ..タ
	{0x30C1, 1, 1},  // 335 チ
	{0x30C4, 1, 1},  // 336 ツ
	{0x30C6, 1, 1},  // 337 テ
	{0x30C8, 1, 1},  // 338 ト
	{0x30CA, 6, 1},  // 339–344 ナ..ハ
	{0x30D2, 4, 3},  // 345–348 ヒ フ ヘ ホ
	{0x30DE, 5, 1},  // 349–353 マ..モ
	{0x30E4, 2, 2},  // 354–355 ヤ ユ
	{0x30E8, 6, 1},  // 356–361 ヨ..ロ
	{0x30EF, 1, 1},  // 362 ワ
	{0x30F2, 2, 1},  // 363–364 ヲ ン
	{0x2D30, 36, 1}, // 365–400 Tifinagh
	{0x0D85, 8, 1},  // 401–408 Sinhala
	{0x0D8F, 8, 1},  // 409–416
	{0x0D9A, 14, 1}, // 417–430
	{0x0DA8, 1, 1},  // 431
	{0x0DAA, 7, 1},  // 432–438
}

var units = func() []string {
	var out []string
	for _, r := range unitRuns {
		for i := 0; i < r.count; i++ {
			out = append(out, string(r.start+rune(i)*r.step))
		}
	}
	return out
}()
