package scale_test

import (
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gotensor/gotensor/subtensor/scale"
)

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.TrimPrefix(strings.TrimSpace(s), "0x"))
	require.NoError(t, err)
	return b
}

func bigFromString(t testing.TB, s string) *big.Int {
	t.Helper()
	b, ok := new(big.Int).SetString(s, 10)
	require.True(t, ok)
	return b
}

// Vectors: the first rows are the published parity-scale-codec /
// py-scale-codec README examples; the rest come from
// testdata/compact_golden.py.
func TestCompactKnownAnswers(t *testing.T) {
	cases := []struct {
		value string
		hex   string
	}{
		{"0", "00"}, {"1", "04"}, {"42", "a8"}, {"69", "1501"}, {"65535", "feff0300"},
		{"100000000000000", "0b00407a10f35a"},
		{"63", "fc"}, {"64", "0101"}, {"16383", "fdff"}, {"16384", "02000100"},
		{"1073741823", "feffffff"}, {"1073741824", "0300000040"},
		{"4294967295", "03ffffffff"}, {"4294967296", "070000000001"},
		{"18446744073709551615", "13ffffffffffffffff"},
		{"18446744073709551616", "17000000000000000001"},
		{"340282366920938463463374607431768211455", "33ffffffffffffffffffffffffffffffff"},
		{new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 536), big.NewInt(1)).String(), "ff" + strings.Repeat("ff", 67)},
	}
	for _, tc := range cases {
		t.Run(tc.value, func(t *testing.T) {
			v := bigFromString(t, tc.value)
			want := mustHex(t, tc.hex)

			e := scale.NewEncoder(nil)
			require.NoError(t, e.CompactBig(v))
			require.Equal(t, want, e.Bytes())

			got, err := scale.NewDecoder(want).CompactBig()
			require.NoError(t, err)
			require.Equal(t, 0, v.Cmp(got))

			if v.IsUint64() {
				require.Equal(t, want, scale.AppendCompact(nil, v.Uint64()))
				require.Equal(t, len(want), scale.CompactLen(v.Uint64()))
				d := scale.NewDecoder(want)
				u, err := d.CompactU64()
				require.NoError(t, err)
				require.Equal(t, v.Uint64(), u)
				require.Zero(t, d.Remaining())
			} else {
				_, err := scale.NewDecoder(want).CompactU64()
				require.ErrorIs(t, err, scale.ErrOverflow)
			}
			if v.BitLen() <= 128 {
				u, err := scale.NewDecoder(want).CompactU128()
				require.NoError(t, err)
				require.Equal(t, 0, v.Cmp(u.Big()))
				e := scale.NewEncoder(nil)
				e.CompactU128(u)
				require.Equal(t, want, e.Bytes())
			}
		})
	}
	tooBig := new(big.Int).Lsh(big.NewInt(1), 536)
	require.ErrorIs(t, scale.NewEncoder(nil).CompactBig(tooBig), scale.ErrOverflow)
	require.ErrorIs(t, scale.NewEncoder(nil).CompactBig(big.NewInt(-1)), scale.ErrInvalidValue)
}

func TestCompactRejectsNonCanonical(t *testing.T) {
	for _, h := range []string{
		"0100",         // 0 in two-byte mode
		"fd00",         // 63 in two-byte mode
		"02000000",     // 0 in four-byte mode
		"feff0000",     // 16383 in four-byte mode
		"03ffffff3f",   // 2^30-1 in big mode
		"07ffffffff00", // 5-byte payload whose top byte is 0
	} {
		t.Run(h, func(t *testing.T) {
			_, err := scale.NewDecoder(mustHex(t, h)).CompactU64()
			require.ErrorIs(t, err, scale.ErrNonCanonicalCompact)
			_, err = scale.NewDecoder(mustHex(t, h)).CompactBig()
			require.ErrorIs(t, err, scale.ErrNonCanonicalCompact)
		})
	}
}

func TestFixedKnownAnswers(t *testing.T) {
	type all struct {
		A int8
		B uint16
		C uint32
		D int64
		E scale.Uint128
		F scale.Int128
		G bool
	}
	v := all{A: 69, B: 42, C: 16777215, D: -1, E: scale.Uint128{Lo: 1, Hi: 2}, F: scale.Int128{Lo: ^uint64(0), Hi: -1}, G: true}
	b, err := scale.Marshal(v)
	require.NoError(t, err)
	require.Equal(t, "45"+"2a00"+"ffffff00"+"ffffffffffffffff"+
		"0100000000000000"+"0200000000000000"+strings.Repeat("ff", 16)+"01", hex.EncodeToString(b))
	var back all
	require.NoError(t, scale.Unmarshal(b, &back))
	require.Equal(t, v, back)
	require.Equal(t, "-1", back.F.String())
	require.Equal(t, new(big.Int).Add(new(big.Int).Lsh(big.NewInt(2), 64), big.NewInt(1)).String(), back.E.String())
}

func TestInt128Big(t *testing.T) {
	for _, s := range []string{"0", "1", "-1", "170141183460469231731687303715884105727", "-170141183460469231731687303715884105728", "-18446744073709551616"} {
		b := bigFromString(t, s)
		i, err := scale.Int128FromBig(b)
		require.NoError(t, err)
		require.Equal(t, s, i.String())
	}
	_, err := scale.Int128FromBig(bigFromString(t, "170141183460469231731687303715884105728"))
	require.ErrorIs(t, err, scale.ErrOverflow)
	_, err = scale.Uint128FromBig(big.NewInt(-1))
	require.ErrorIs(t, err, scale.ErrOverflow)
}

type variantUnit struct{}

type sampleEnum struct {
	Empty  *variantUnit
	Number *uint32
	Text   *string `scale:"index=5"`
}

func (sampleEnum) IsSCALEEnum() {}

func TestReflectKnownAnswers(t *testing.T) {
	u32 := func(v uint32) *uint32 { return &v }
	str := func(v string) *string { return &v }
	tr, fa := true, false
	cases := []struct {
		name string
		v    any
		hex  string
	}{
		{"bool true", true, "01"},
		{"u16 42", uint16(42), "2a00"},
		{"Vec<u16>", []uint16{4, 8, 15, 16, 23, 42}, "18040008000f00100017002a00"},
		{"string", "Test", "1054657374"},
		{"bytes", []byte("Test"), "1054657374"},
		{"OptionBool None", scale.OptionBool{}, "00"},
		{"OptionBool Some(true)", scale.OptionBool{Value: true, Valid: true}, "01"},
		{"OptionBool Some(false)", scale.OptionBool{Valid: true}, "02"},
		{"Option<bool> None", (*bool)(nil), "00"},
		{"Option<bool> Some(true)", &tr, "0101"},
		{"Option<bool> Some(false)", &fa, "0100"},
		{"Option<u32> Some", u32(65535), "01ffff0000"},
		{"Option<u32> None", (*uint32)(nil), "00"},
		{"Result Ok(42)", scale.Result[uint8, bool]{Ok: 42}, "002a"},
		{"Result Err(false)", scale.Result[uint8, bool]{Err: false, IsErr: true}, "0100"},
		{"tuple (Compact 3, false)", struct {
			A uint32 `scale:"compact"`
			B bool
		}{3, false}, "0c00"},
		{"fixed array", [3]uint16{1, 2, 3}, "010002000300"},
		{"bytes array", [4]byte{1, 2, 3, 4}, "01020304"},
		{"enum unit", sampleEnum{Empty: &variantUnit{}}, "00"},
		{"enum u32", sampleEnum{Number: u32(1)}, "0101000000"},
		{"enum indexed", sampleEnum{Text: str("a")}, "050461"},
		{"BitVec", scale.NewBitVec(true, false, true, true, true, true, true, false, false, true), "287d02"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b, err := scale.Marshal(tc.v)
			require.NoError(t, err)
			require.Equal(t, tc.hex, hex.EncodeToString(b))
		})
	}
	// Decode side of the same vectors, into fresh values of the same types.
	var vec []uint16
	require.NoError(t, scale.Unmarshal(mustHex(t, "18040008000f00100017002a00"), &vec))
	require.Equal(t, []uint16{4, 8, 15, 16, 23, 42}, vec)
	var ob *bool
	require.NoError(t, scale.Unmarshal(mustHex(t, "0100"), &ob))
	require.NotNil(t, ob)
	require.False(t, *ob)
	require.NoError(t, scale.Unmarshal(mustHex(t, "00"), &ob))
	require.Nil(t, ob)
	var sb scale.OptionBool
	require.NoError(t, scale.Unmarshal(mustHex(t, "02"), &sb))
	require.Equal(t, scale.OptionBool{Valid: true}, sb)
	var res scale.Result[uint8, bool]
	require.NoError(t, scale.Unmarshal(mustHex(t, "0100"), &res))
	require.True(t, res.IsErr)
	require.NoError(t, scale.Unmarshal(mustHex(t, "002a"), &res))
	require.Equal(t, scale.Result[uint8, bool]{Ok: 42}, res)
	var en sampleEnum
	require.NoError(t, scale.Unmarshal(mustHex(t, "050461"), &en))
	require.Equal(t, "a", *en.Text)
	require.Nil(t, en.Number)
	var bv scale.BitVec
	require.NoError(t, scale.Unmarshal(mustHex(t, "287d02"), &bv))
	require.Equal(t, []bool{true, false, true, true, true, true, true, false, false, true}, bv.Bools())
	pb, err := scale.MarshalCompact([][2]uint16{{1, 65535}, {2, 170}})
	require.NoError(t, err)
	require.Equal(t, "08"+"04"+"feff0300"+"08"+"a902", hex.EncodeToString(pb))
	var pairs [][2]uint16
	require.NoError(t, scale.UnmarshalCompact(mustHex(t, "08"+"04"+"feff0300"+"08"+"a902"), &pairs))
	require.Equal(t, [][2]uint16{{1, 65535}, {2, 170}}, pairs)
}

type tree struct {
	Value    uint8
	Children []tree
	Next     *tree
}

func TestRoundTrip(t *testing.T) {
	big1 := bigFromString(t, "123456789012345678901234567890123456789012345678901234567890")
	type inner struct {
		Key   [32]byte
		Stake uint64 `scale:"compact"`
	}
	type outer struct {
		Name    string
		Skip    int `scale:"-"`
		Items   []inner
		Big     *big.Int `scale:"compact"`
		U128    scale.Uint128
		C128    scale.Uint128 `scale:"compact"`
		Opt     *inner
		Tree    tree
		Bits    scale.BitVec
		Res     scale.Result[[]uint16, string]
		Empty   []uint64
		private int
	}
	v := outer{
		Name:  "héllo",
		Items: []inner{{Key: [32]byte{1}, Stake: 1 << 40}, {Stake: 3}},
		Big:   big1,
		U128:  scale.Uint128{Lo: 5, Hi: 7},
		C128:  scale.Uint128{Lo: 9, Hi: 1 << 60},
		Opt:   &inner{Stake: 64},
		Tree:  tree{Value: 1, Children: []tree{{Value: 2, Children: []tree{}}, {Value: 3, Children: []tree{}, Next: &tree{Value: 4, Children: []tree{}}}}},
		Bits:  scale.NewBitVec(true, true, false),
		Res:   scale.Result[[]uint16, string]{Err: "bad", IsErr: true},
		Empty: []uint64{},
	}
	b, err := scale.Marshal(v)
	require.NoError(t, err)
	var back outer
	require.NoError(t, scale.Unmarshal(b, &back))
	require.Equal(t, 0, v.Big.Cmp(back.Big))
	back.Big = v.Big
	require.Equal(t, v, back)
}

func TestDecodeErrors(t *testing.T) {
	type pair struct {
		A uint32
		B []uint64
	}
	cases := []struct {
		name string
		hex  string
		into any
		want error
		path string
	}{
		{"empty u32", "", new(uint32), scale.ErrUnexpectedEOF, ""},
		{"short field", "0100", new(pair), scale.ErrUnexpectedEOF, "A"},
		{"hostile length", "01000000" + "feffffff", new(pair), scale.ErrLengthTooLarge, "B"},
		{"hostile big length", "01000000" + "13ffffffffffffffff", new(pair), scale.ErrLengthTooLarge, "B"},
		{"truncated element", "08" + "00" + "01ff", new([]*uint32), scale.ErrUnexpectedEOF, "[1]"},
		{"bad bool", "02", new(bool), scale.ErrInvalidBool, ""},
		{"bad option", "02", new(*uint8), scale.ErrInvalidOption, ""},
		{"bad option bool", "03", new(scale.OptionBool), scale.ErrInvalidOption, ""},
		{"bad bool in option", "0102", new(*bool), scale.ErrInvalidBool, ""},
		{"bad variant", "03", new(sampleEnum), scale.ErrInvalidVariant, ""},
		{"bad utf8", "04ff", new(string), scale.ErrInvalidUTF8, ""},
		{"trailing", "0000", new(uint8), scale.ErrTrailingBytes, ""},
		{"compact overflow u8", "b104", &struct {
			X uint8 `scale:"compact"`
		}{}, scale.ErrOverflow, "X"},
		{"bad result", "02", new(scale.Result[uint8, uint8]), scale.ErrInvalidVariant, ""},
		{"bitvec too long", "feffffff", new(scale.BitVec), scale.ErrLengthTooLarge, ""},
		{"bitvec 2^64-1 bits", "13ffffffffffffffff", new(scale.BitVec), scale.ErrLengthTooLarge, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := scale.Unmarshal(mustHex(t, tc.hex), tc.into)
			require.ErrorIs(t, err, tc.want)
			var de *scale.DecodeError
			require.ErrorAs(t, err, &de)
			require.Equal(t, tc.path, de.Path)
			require.True(t, scale.IsDecodeError(err))
		})
	}
}

func TestUnsupportedTypes(t *testing.T) {
	_, err := scale.Marshal(map[string]int{})
	require.ErrorIs(t, err, scale.ErrUnsupportedType)
	_, err = scale.Marshal(struct{ X int }{})
	require.ErrorIs(t, err, scale.ErrUnsupportedType)
	_, err = scale.Marshal(struct{ X *big.Int }{})
	require.ErrorIs(t, err, scale.ErrUnsupportedType)
	_, err = scale.Marshal(sampleEnum{})
	require.ErrorIs(t, err, scale.ErrInvalidValue)
	err = scale.Unmarshal([]byte{0}, uint8(0))
	require.ErrorIs(t, err, scale.ErrUnsupportedType)
	// A failed build must not poison the cache for the valid parts.
	type bad struct {
		T []tree
		C chan int
	}
	_, err = scale.Marshal(bad{})
	require.ErrorIs(t, err, scale.ErrUnsupportedType)
	b, err := scale.Marshal([]tree{{Value: 1}})
	require.NoError(t, err)
	require.Equal(t, "04010000", hex.EncodeToString(b))
}

func TestParseTag(t *testing.T) {
	require.Equal(t, scale.Tag{Skip: true}, scale.ParseTag("-"))
	require.Equal(t, scale.Tag{Name: "validator_trust", Compact: true}, scale.ParseTag("validator_trust,compact"))
	require.Equal(t, scale.Tag{Index: 7, HasIndex: true}, scale.ParseTag("index=7"))
}

func TestWithPath(t *testing.T) {
	err := scale.WithPath(&scale.DecodeError{Offset: 3, Path: "[2]", Err: scale.ErrUnexpectedEOF}, "stake")
	require.EqualError(t, err, "scale: unexpected end of input (at byte 3, in stake[2])")
	plain := errors.New("x")
	require.Same(t, plain, scale.WithPath(plain, "a"))
	require.NoError(t, scale.WithPath(nil, "a"))
}

func ExampleMarshal() {
	type AxonInfo struct {
		Block    uint64
		Version  uint32
		IP       scale.Uint128
		Port     uint16
		IPType   uint8
		Protocol uint8
		P1, P2   uint8
	}
	b, _ := scale.Marshal(AxonInfo{Block: 1, Version: 2, IP: scale.NewUint128(0x7f000001), Port: 8091, IPType: 4})
	fmt.Println(len(b), hex.EncodeToString(b[:12]))
	// Output: 34 010000000000000002000000
}

func ExampleUnmarshal() {
	var weights [][2]uint16
	err := scale.UnmarshalCompact([]byte{0x04, 0x08, 0xfe, 0xff, 0x03, 0x00}, &weights)
	fmt.Println(weights, err)
	// Output: [[2 65535]] <nil>
}

func TestBitVecFromBytes(t *testing.T) {
	b, err := scale.BitVecFromBytes([]byte{0xff, 0x01}, 9)
	require.NoError(t, err)
	require.Equal(t, 9, b.Len())
	require.Equal(t, []byte{0xff, 0x01}, b.Bytes())
	b, err = scale.BitVecFromBytes([]byte{0xff}, 3)
	require.NoError(t, err)
	require.Equal(t, []byte{0x07}, b.Bytes(), "bits past Len are cleared")
	for _, n := range []int{-1, 17, int(^uint(0) >> 1)} {
		_, err := scale.BitVecFromBytes([]byte{0, 0}, n)
		require.ErrorIs(t, err, scale.ErrLengthTooLarge, "n=%d", n)
	}
	require.False(t, b.Bit(99))
}
