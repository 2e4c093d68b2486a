package metadata

import (
	"math/big"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gotensor/gotensor/subtensor/scale"
)

// synthType writes one portable-registry type entry.
type synthType func(e *scale.Encoder)

func synthPrim(p Primitive) synthType {
	return func(e *scale.Encoder) { e.U8(uint8(KindPrimitive)); e.U8(uint8(p)) }
}

func synthComposite(fields ...[2]any) synthType { // {name, type id}
	return func(e *scale.Encoder) {
		e.U8(uint8(KindComposite))
		e.Length(len(fields))
		for _, f := range fields {
			name := f[0].(string)
			if name == "" {
				e.OptionTag(false)
			} else {
				e.OptionTag(true)
				e.String(name)
			}
			e.Compact(uint64(f[1].(int)))
			e.OptionTag(false) // type name
			e.Length(0)        // docs
		}
	}
}

// buildSyntheticV14 builds a minimal V14 metadata whose registry covers
// the shapes subtensor's own metadata lacks (bit sequences, every
// primitive, fixed arrays of non-bytes, u128 compacts).
func buildSyntheticV14(t testing.TB) *Metadata {
	types := []struct {
		path []string
		def  synthType
	}{
		0: {nil, synthPrim(PrimU8)}, 1: {nil, synthPrim(PrimBool)}, 2: {nil, synthPrim(PrimChar)},
		3: {nil, synthPrim(PrimStr)}, 4: {nil, synthPrim(PrimI8)}, 5: {nil, synthPrim(PrimI16)},
		6: {nil, synthPrim(PrimI32)}, 7: {nil, synthPrim(PrimI64)}, 8: {nil, synthPrim(PrimI128)},
		9: {nil, synthPrim(PrimU256)}, 10: {nil, synthPrim(PrimI256)}, 11: {nil, synthPrim(PrimU16)},
		12: {nil, synthPrim(PrimU32)}, 13: {nil, synthPrim(PrimU64)}, 14: {nil, synthPrim(PrimU128)},
		15: {nil, func(e *scale.Encoder) { e.U8(uint8(KindBitSequence)); e.Compact(0); e.Compact(16) }},
		16: {[]string{"bitvec", "order", "Lsb0"}, synthComposite()},
		17: {nil, func(e *scale.Encoder) { e.U8(uint8(KindCompact)); e.Compact(13) }},
		18: {nil, func(e *scale.Encoder) { e.U8(uint8(KindCompact)); e.Compact(14) }},
		19: {nil, func(e *scale.Encoder) { e.U8(uint8(KindArray)); e.U32(3); e.Compact(11) }},
		20: {nil, func(e *scale.Encoder) { e.U8(uint8(KindArray)); e.U32(4); e.Compact(0) }},
		21: {nil, func(e *scale.Encoder) { e.U8(uint8(KindTuple)); e.Length(2); e.Compact(11); e.Compact(3) }},
		22: {[]string{"synthetic", "All"}, synthComposite(
			[2]any{"flag", 1}, [2]any{"letter", 2}, [2]any{"text", 3}, [2]any{"i8", 4}, [2]any{"i16", 5},
			[2]any{"i32", 6}, [2]any{"i64", 7}, [2]any{"i128", 8}, [2]any{"u256", 9}, [2]any{"i256", 10},
			[2]any{"u128", 14}, [2]any{"bits", 15}, [2]any{"c64", 17}, [2]any{"c128", 18},
			[2]any{"triple", 19}, [2]any{"quad", 20}, [2]any{"pair", 21}, [2]any{"wide_bits", 23})},
		23: {nil, func(e *scale.Encoder) { e.U8(uint8(KindBitSequence)); e.Compact(12); e.Compact(16) }},
		24: {nil, func(e *scale.Encoder) { e.U8(uint8(KindBitSequence)); e.Compact(0); e.Compact(25) }},
		25: {[]string{"bitvec", "order", "Msb0"}, synthComposite()},
		// Hostile shapes: a composite that contains itself, directly and
		// through another composite.
		26: {[]string{"evil", "Loop"}, synthComposite([2]any{"again", 26})},
		27: {[]string{"evil", "Outer"}, synthComposite([2]any{"a", 13}, [2]any{"inner", 28})},
		28: {[]string{"evil", "Inner"}, synthComposite([2]any{"outer", 27})},
	}
	e := scale.NewEncoder([]byte("meta"))
	e.U8(14)
	e.Length(len(types))
	for id, ty := range types {
		e.Compact(uint64(id))
		e.Length(len(ty.path))
		for _, p := range ty.path {
			e.String(p)
		}
		e.Length(0) // params
		ty.def(e)
		e.Length(0) // docs
	}
	e.Length(0)   // pallets
	e.Compact(22) // extrinsic type
	e.U8(4)
	e.Length(0)   // signed extensions
	e.Compact(22) // runtime type
	m, err := Decode(e.Bytes())
	require.NoError(t, err)
	return m
}

type synthAll struct {
	Flag   bool
	Letter rune
	Text   string
	I8     int8
	I16    int16
	I32    int32
	I64    int64
	I128   scale.Int128
	U256   *big.Int
	I256   *big.Int
	U128   *big.Int
	Bits   scale.BitVec
	C64    uint64
	C128   scale.Uint128
	Triple [3]uint16
	Quad   [4]byte
	Pair   struct {
		N uint16
		S string
	}
	WideBits scale.BitVec
}

func TestSyntheticRegistry(t *testing.T) {
	m := buildSyntheticV14(t)
	u256, _ := new(big.Int).SetString("115792089237316195423570985008687907853269984665640564039457584007913129639935", 10)
	in := synthAll{
		Flag: true, Letter: 'é', Text: "subnet", I8: -5, I16: -300, I32: -70000, I64: -1 << 40,
		I128: scale.Int128{Lo: ^uint64(0) - 1, Hi: -1}, U256: u256, I256: big.NewInt(-2),
		U128: new(big.Int).Lsh(big.NewInt(1), 100), Bits: scale.NewBitVec(true, false, true),
		C64: 1 << 40, C128: scale.Uint128{Lo: 1, Hi: 1}, Triple: [3]uint16{1, 2, 65535},
		Quad: [4]byte{1, 2, 3, 4}, WideBits: scale.NewBitVec(true, true, false, false, true),
	}
	in.Pair.N, in.Pair.S = 7, "x"
	enc, err := m.EncodeValue(22, in)
	require.NoError(t, err)

	var out synthAll
	require.NoError(t, m.DecodeInto(22, enc, &out))
	require.Equal(t, 0, in.U256.Cmp(out.U256))
	require.Equal(t, 0, in.I256.Cmp(out.I256))
	require.Equal(t, 0, in.U128.Cmp(out.U128))
	out.U256, out.I256, out.U128 = in.U256, in.I256, in.U128
	require.Equal(t, in, out)

	// The generic form round-trips too.
	v, err := m.DecodeValue(22, enc)
	require.NoError(t, err)
	all := v.(map[string]any)
	require.Equal(t, 'é', all["letter"])
	require.Equal(t, int16(-300), all["i16"])
	require.Equal(t, "-2", all["i256"].(*big.Int).String())
	require.Equal(t, []any{uint16(1), uint16(2), uint16(65535)}, all["triple"])
	require.Equal(t, [4]byte{1, 2, 3, 4}, all["quad"])
	require.Equal(t, []bool{true, true, false, false, true}, all["wide_bits"].(scale.BitVec).Bools())
	again, err := m.EncodeValue(22, v)
	require.NoError(t, err)
	require.Equal(t, enc, again)

	// A u32-store bit sequence pads to whole words.
	wide, err := m.EncodeValue(23, scale.NewBitVec(true))
	require.NoError(t, err)
	require.Equal(t, []byte{4, 1, 0, 0, 0}, wide)
	bv, err := m.DecodeValue(23, []byte{4, 1, 0, 0, 0})
	require.NoError(t, err)
	require.Equal(t, []bool{true}, bv.(scale.BitVec).Bools())
	_, err = m.DecodeValue(23, []byte{4, 1, 0})
	require.ErrorIs(t, err, scale.ErrLengthTooLarge)
	_, err = m.DecodeValue(23, mustHex(t, "13ffffffffffffffff00"))
	require.ErrorIs(t, err, scale.ErrLengthTooLarge)
	_, err = m.DecodeValue(15, mustHex(t, "13ffffffffffffffff00"))
	require.ErrorIs(t, err, scale.ErrLengthTooLarge)
	_, err = m.EncodeValue(24, scale.NewBitVec(true))
	require.ErrorIs(t, err, ErrTypeMismatch)
	// Msb0 is refused rather than misread.
	_, err = m.DecodeValue(24, []byte{4, 1})
	require.ErrorIs(t, err, ErrTypeMismatch)

	// Narrow Go targets are range-checked.
	var small struct{ I16 int8 }
	require.ErrorIs(t, m.DecodeInto(22, enc, &small), scale.ErrOverflow)
	var u struct{ I8 uint8 }
	require.ErrorIs(t, m.DecodeInto(22, enc, &u), scale.ErrOverflow)
	var c struct{ C128 uint32 }
	require.ErrorIs(t, m.DecodeInto(22, enc, &c), scale.ErrOverflow)
	var wrongLen struct{ Triple [2]uint16 }
	require.ErrorIs(t, m.DecodeInto(22, enc, &wrongLen), ErrTypeMismatch)
	var tooBig struct{ U256 scale.Uint128 }
	require.ErrorIs(t, m.DecodeInto(22, enc, &tooBig), scale.ErrOverflow)
	// A bad char is rejected.
	badChar := []byte{0, 0, 0xd8, 0} // U+D800 is a surrogate
	_, err = m.DecodeValue(2, badChar)
	require.ErrorIs(t, err, scale.ErrInvalidUTF8)
}

type evilLoop struct{ Again *evilLoop }

type evilOuter struct {
	A     uint64
	Inner struct{ Outer *evilOuter }
}

func TestSelfContainingTypes(t *testing.T) {
	m := buildSyntheticV14(t)
	data := make([]byte, 4096) // more than maxDepth levels of type 27 consume
	for _, id := range []TypeID{26, 27} {
		_, err := m.DecodeValue(id, data)
		require.ErrorIs(t, err, ErrTooDeep)
		var anyV any
		require.ErrorIs(t, m.DecodeInto(id, data, &anyV), ErrTooDeep)
		require.ErrorIs(t, m.skip(scale.NewDecoder(data), id, 0), ErrTooDeep)
		require.False(t, m.IsEmpty(id))
		_, fixed := m.fixedSize(id)
		require.False(t, fixed)
		_ = m.MinSize(id)
		_, err = m.EncodeValue(id, map[string]any{})
		require.Error(t, err)
	}
	var loop evilLoop
	require.ErrorIs(t, m.DecodeInto(26, data, &loop), ErrTooDeep)
	var outer evilOuter
	require.ErrorIs(t, m.DecodeInto(27, make([]byte, 4096), &outer), ErrTooDeep)
}
