package synapse

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"strings"
	"unsafe"

	"github.com/vmihailenco/msgpack/v5"
)

// Tensor is bittensor's Tensor (bittensor/core/tensor.py): a numpy array as
// base64 of msgpack-numpy, with its dtype name and shape. It is a plain value
// that can be a field of a synapse; build one with NewTensor and read it back
// with TensorValues or (Tensor).Array.
//
// Wire facts reproduced here: Buffer is base64 (standard alphabet, padded)
// of the msgpack map {b"nd": True, b"type": dtype.str, b"kind": b"",
// b"shape": [...], b"data": <C-order bytes>} with bin keys, a str type and
// bin data, in that key order (msgpack_numpy.encode packed by msgpack ≥ 1.0).
// DType is the name Python writes, str(array.dtype): "float32", or with
// torch "torch.float32"; both are accepted. Shape is the array shape, with
// [0] standing for a scalar (shape ()), as Python's Tensor.serialize writes.
//
// Python's Tensor accepts the dtypes float16, float32, float64, uint8,
// int8, int16, int32, int64 and bool. This package also encodes uint16,
// uint32 and uint64, which numpy decodes but bittensor's Tensor validator
// rejects; do not send those to Python peers.
//
// The zero Tensor is not a valid Python Tensor (an empty dtype and a null
// shape fail its validators): declare an optional tensor field as *Tensor,
// which encodes nil as null, Python's None.
type Tensor struct {
	Buffer string `json:"buffer"`
	DType  string `json:"dtype"`
	Shape  []int  `json:"shape"`
}

// Element is a Go type that maps to a numpy dtype.
type Element interface {
	~float32 | ~float64 | ~int8 | ~int16 | ~int32 | ~int64 |
		~uint8 | ~uint16 | ~uint32 | ~uint64 | ~bool
}

// Errors matched by errors.Is, in addition to ErrTensor.
var (
	ErrTensorDType   = errors.New("dtype mismatch")
	ErrTensorShape   = errors.New("shape does not match data")
	ErrTensorCorrupt = errors.New("corrupt buffer")
)

// dtypeInfo describes one numpy dtype.
type dtypeInfo struct {
	name     string // numpy name: "float32"
	char     byte   // numpy kind char: 'f', 'i', 'u', 'b'
	itemSize int
}

var dtypes = []dtypeInfo{
	{"float16", 'f', 2}, {"float32", 'f', 4}, {"float64", 'f', 8},
	{"int8", 'i', 1}, {"int16", 'i', 2}, {"int32", 'i', 4}, {"int64", 'i', 8},
	{"uint8", 'u', 1}, {"uint16", 'u', 2}, {"uint32", 'u', 4}, {"uint64", 'u', 8},
	{"bool", 'b', 1},
}

// descr returns numpy's dtype.str for d in little-endian layout ("<f4",
// "|u1"): single bytes have no byte order.
func (d dtypeInfo) descr() string {
	order := byte('<')
	if d.itemSize == 1 {
		order = '|'
	}
	return string([]byte{order, d.char, byte('0' + d.itemSize)})
}

func dtypeByName(name string) (dtypeInfo, bool) {
	name = strings.TrimPrefix(name, "torch.")
	for _, d := range dtypes {
		if d.name == name {
			return d, true
		}
	}
	return dtypeInfo{}, false
}

// parseDescr parses a dtype.str such as "<f4", ">i8", "|b1".
func parseDescr(s string) (d dtypeInfo, bigEndian bool, ok bool) {
	if len(s) != 3 || s[2] < '1' || s[2] > '8' {
		return dtypeInfo{}, false, false
	}
	size := int(s[2] - '0')
	for _, x := range dtypes {
		if x.char == s[1] && x.itemSize == size {
			switch s[0] {
			case '<', '|', '=':
				return x, false, true
			case '>':
				return x, size > 1, true
			}
		}
	}
	return dtypeInfo{}, false, false
}

func dtypeOf[E Element]() dtypeInfo {
	switch reflect.TypeFor[E]().Kind() {
	case reflect.Float32:
		return dtypes[1]
	case reflect.Float64:
		return dtypes[2]
	case reflect.Int8:
		return dtypes[3]
	case reflect.Int16:
		return dtypes[4]
	case reflect.Int32:
		return dtypes[5]
	case reflect.Int64:
		return dtypes[6]
	case reflect.Uint8:
		return dtypes[7]
	case reflect.Uint16:
		return dtypes[8]
	case reflect.Uint32:
		return dtypes[9]
	case reflect.Uint64:
		return dtypes[10]
	default: // reflect.Bool: the Element constraint allows nothing else
		return dtypes[11]
	}
}

// NewTensor encodes data, in C (row-major) order, as a Tensor of the given
// shape. With no shape it is one-dimensional, [len(data)]. An empty, non-nil
// shape ([]int{}) makes a scalar: data must hold one value, and Shape is [0]
// as Python writes it. The product of shape must equal len(data).
func NewTensor[E Element](data []E, shape ...int) (Tensor, error) {
	d := dtypeOf[E]()
	var wireShape []int
	switch {
	case shape == nil:
		wireShape = []int{len(data)}
	default:
		wireShape = shape
	}
	n, ok := shapeProduct(wireShape)
	if !ok || n != len(data) {
		return Tensor{}, &TensorError{Op: "encode", Err: ErrTensorShape,
			Msg: fmt.Sprintf("shape %v holds %d values, data has %d", wireShape, n, len(data))}
	}
	var direct []byte
	if nativeLittleEndian && d.char != 'b' {
		direct = asBytes(data) // the in-memory layout is numpy's "<" layout
		if direct == nil {
			direct = []byte{}
		}
	}
	buf := encodeNDArray(d, wireShape, direct, len(data)*d.itemSize, func(dst []byte) { putElements(dst, data) })
	pyShape := append([]int(nil), wireShape...)
	if len(pyShape) == 0 {
		pyShape = []int{0}
	}
	return Tensor{Buffer: buf, DType: d.name, Shape: pyShape}, nil
}

// NewScalarTensor encodes a single value as a 0-dimensional tensor.
func NewScalarTensor[E Element](v E) Tensor {
	t, _ := NewTensor([]E{v}, []int{}...)
	return t
}

func shapeProduct(shape []int) (int, bool) {
	n := 1
	for _, s := range shape {
		if s < 0 {
			return 0, false
		}
		if s != 0 && n > math.MaxInt32/s {
			return 0, false
		}
		n *= s
	}
	return n, true
}

// encodeNDArray writes msgpack_numpy's map and base64-encodes it. data is
// the array's little-endian bytes, or nil when fill must produce them.
func encodeNDArray(d dtypeInfo, shape []int, data []byte, dataLen int, fill func([]byte)) string {
	var hb bytes.Buffer
	enc := msgpack.NewEncoder(&hb)
	// Errors cannot happen: the encoder writes to a bytes.Buffer.
	_ = enc.EncodeMapLen(5)
	_ = enc.EncodeBytes([]byte("nd"))
	_ = enc.EncodeBool(true)
	_ = enc.EncodeBytes([]byte("type"))
	_ = enc.EncodeString(d.descr())
	_ = enc.EncodeBytes([]byte("kind"))
	_ = enc.EncodeBytes([]byte{})
	_ = enc.EncodeBytes([]byte("shape"))
	_ = enc.EncodeArrayLen(len(shape))
	for _, s := range shape {
		_ = enc.EncodeUint(uint64(s))
	}
	_ = enc.EncodeBytes([]byte("data"))
	_ = enc.EncodeBytesLen(dataLen)
	if data == nil {
		data = make([]byte, dataLen)
		fill(data)
	}
	// base64 of header‖data without building header‖data: encode the header
	// plus the few data bytes that complete its last 3-byte group, then the
	// rest of the data straight from its memory.
	head := hb.Bytes()
	k := min((3-len(head)%3)%3, len(data))
	head = append(head, data[:k]...)
	rest := data[k:]
	out := make([]byte, base64.StdEncoding.EncodedLen(len(head)+len(rest)))
	base64.StdEncoding.Encode(out, head)
	base64.StdEncoding.Encode(out[base64.StdEncoding.EncodedLen(len(head)):], rest)
	return unsafe.String(unsafe.SliceData(out), len(out)) // out is never written again
}

// NDArray is a decoded msgpack-numpy array: its numpy dtype.str (e.g.
// "<f4"), its shape (empty for a scalar) and its raw C-order bytes.
type NDArray struct {
	Descr string
	Shape []int
	Data  []byte
}

// Array decodes the buffer without converting the data, and checks that
// the buffer's shape agrees with the data length and with t.Shape (a Shape
// of [0] also matches a scalar), as Python's reshape would.
func (t Tensor) Array() (NDArray, error) {
	// Decode from the string's bytes without copying them first.
	src := unsafe.Slice(unsafe.StringData(t.Buffer), len(t.Buffer))
	raw := make([]byte, base64.StdEncoding.DecodedLen(len(src)))
	n, err := base64.StdEncoding.Decode(raw, src)
	raw = raw[:n]
	if err != nil {
		return NDArray{}, &TensorError{Op: "decode", Err: ErrTensorCorrupt, Msg: "buffer is not base64: " + err.Error()}
	}
	a, err := decodeNDArray(raw)
	if err != nil {
		return NDArray{}, err
	}
	d, _, _ := parseDescr(a.Descr)
	n, ok := shapeProduct(a.Shape)
	if !ok || n*d.itemSize != len(a.Data) {
		return NDArray{}, &TensorError{Op: "decode", Err: ErrTensorShape,
			Msg: fmt.Sprintf("array shape %v of %s does not match %d data bytes", a.Shape, a.Descr, len(a.Data))}
	}
	if !(len(t.Shape) == 1 && t.Shape[0] == 0) {
		m, ok := shapeProduct(t.Shape)
		if !ok || m != n {
			return NDArray{}, &TensorError{Op: "decode", Err: ErrTensorShape,
				Msg: fmt.Sprintf("tensor shape %v does not match array shape %v", t.Shape, a.Shape)}
		}
	}
	return a, nil
}

// TensorValues decodes t into a slice of E in C order. E must be the type
// named by t.DType ("float32" or "torch.float32" for float32, and so on),
// and the buffer must hold that dtype; float16 buffers and dtypes are
// widened when E is float32. Errors match ErrTensor and one of
// ErrTensorDType, ErrTensorShape, ErrTensorCorrupt.
func TensorValues[E Element](t Tensor) ([]E, error) {
	want := dtypeOf[E]()
	named, ok := dtypeByName(t.DType)
	if !ok {
		return nil, &TensorError{Op: "decode", Err: ErrTensorDType, Msg: fmt.Sprintf("unknown dtype %q", t.DType)}
	}
	widenHalf := named.name == "float16" && want.name == "float32"
	if named.name != want.name && !widenHalf {
		return nil, &TensorError{Op: "decode", Err: ErrTensorDType, Msg: fmt.Sprintf("tensor is %s, not %s", t.DType, want.name)}
	}
	a, err := t.Array()
	if err != nil {
		return nil, err
	}
	got, bigEndian, _ := parseDescr(a.Descr)
	if got.name == "float16" && want.name == "float32" {
		out := make([]E, len(a.Data)/2)
		dst := unsafe.Slice((*float32)(unsafe.Pointer(unsafe.SliceData(out))), len(out))
		for i := range dst {
			var h uint16
			if bigEndian {
				h = binary.BigEndian.Uint16(a.Data[2*i:])
			} else {
				h = binary.LittleEndian.Uint16(a.Data[2*i:])
			}
			dst[i] = Float16ToFloat32(h)
		}
		return out, nil
	}
	if got.name != want.name {
		return nil, &TensorError{Op: "decode", Err: ErrTensorDType, Msg: fmt.Sprintf("buffer holds %s, not %s", a.Descr, want.name)}
	}
	out := make([]E, len(a.Data)/want.itemSize)
	getElements(out, a.Data, bigEndian)
	return out, nil
}

// decodeNDArray reads msgpack_numpy's map. Keys may be bin or str (older
// packers), unknown keys are skipped, and the data is not copied.
func decodeNDArray(raw []byte) (NDArray, error) {
	corrupt := func(msg string, err error) error {
		if err != nil {
			msg += ": " + err.Error()
		}
		return &TensorError{Op: "decode", Err: ErrTensorCorrupt, Msg: msg}
	}
	r := bytes.NewReader(raw)
	dec := msgpack.NewDecoder(r)
	n, err := dec.DecodeMapLen()
	if err != nil || n < 0 {
		return NDArray{}, corrupt("not a msgpack map", err)
	}
	var a NDArray
	var nd, haveType, haveShape, haveData bool
	for i := 0; i < n; i++ {
		key, err := dec.DecodeString()
		if err != nil {
			return NDArray{}, corrupt("bad key", err)
		}
		switch key {
		case "nd":
			nd, err = dec.DecodeBool()
			if err != nil {
				return NDArray{}, corrupt("bad nd", err)
			}
		case "type":
			a.Descr, err = dec.DecodeString()
			if err != nil {
				return NDArray{}, corrupt("unsupported type (structured dtypes are not supported)", err)
			}
			if _, _, ok := parseDescr(a.Descr); !ok {
				return NDArray{}, &TensorError{Op: "decode", Err: ErrTensorDType, Msg: fmt.Sprintf("unsupported numpy dtype %q", a.Descr)}
			}
			haveType = true
		case "kind":
			k, err := dec.DecodeString()
			if err != nil {
				return NDArray{}, corrupt("bad kind", err)
			}
			if k != "" {
				return NDArray{}, &TensorError{Op: "decode", Err: ErrTensorDType, Msg: fmt.Sprintf("unsupported array kind %q", k)}
			}
		case "shape":
			m, err := dec.DecodeArrayLen()
			if err != nil || m < 0 || m > 64 {
				return NDArray{}, corrupt("bad shape", err)
			}
			a.Shape = make([]int, m)
			for j := range a.Shape {
				v, err := dec.DecodeInt64()
				if err != nil || v < 0 || v > math.MaxInt32 {
					return NDArray{}, corrupt("bad shape entry", err)
				}
				a.Shape[j] = int(v)
			}
			haveShape = true
		case "data":
			l, err := dec.DecodeBytesLen()
			if err != nil || l < 0 {
				return NDArray{}, corrupt("bad data", err)
			}
			if l > r.Len() {
				return NDArray{}, corrupt("data runs past the buffer", nil)
			}
			// The decoder reads r directly (bytes.Reader needs no
			// buffering), so the data starts at r's offset: slice it.
			off := len(raw) - r.Len()
			a.Data = raw[off : off+l : off+l]
			if _, err := r.Seek(int64(l), io.SeekCurrent); err != nil {
				return NDArray{}, corrupt("bad data", err)
			}
			haveData = true
		default:
			if err := dec.Skip(); err != nil {
				return NDArray{}, corrupt("bad value", err)
			}
		}
	}
	if !nd {
		return NDArray{}, corrupt("not an ndarray (nd is not true)", nil)
	}
	if !haveType || !haveShape || !haveData {
		return NDArray{}, corrupt("missing type, shape or data", nil)
	}
	if r.Len() != 0 {
		return NDArray{}, corrupt("trailing bytes", nil)
	}
	return a, nil
}

// Float16ToFloat32 widens an IEEE 754 half-precision value.
func Float16ToFloat32(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := uint32(h>>10) & 0x1f
	mant := uint32(h) & 0x3ff
	switch {
	case exp == 0 && mant == 0:
		return math.Float32frombits(sign)
	case exp == 0: // subnormal
		f := float32(mant) / (1 << 24)
		if sign != 0 {
			return -f
		}
		return f
	case exp == 0x1f:
		return math.Float32frombits(sign | 0xff<<23 | mant<<13)
	}
	return math.Float32frombits(sign | (exp+127-15)<<23 | mant<<13)
}
