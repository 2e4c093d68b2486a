package synapse

import (
	"encoding/binary"
	"reflect"
	"unsafe"
)

// nativeLittleEndian is true on little-endian hosts, where numpy's "<"
// layout is the in-memory layout and elements can be copied as bytes.
var nativeLittleEndian = func() bool {
	x := uint16(1)
	return *(*byte)(unsafe.Pointer(&x)) == 1
}()

// asBytes views the memory of s as bytes. E is an Element: its underlying
// type is a fixed-size number or bool with no pointers, so the view is sound.
func asBytes[E Element](s []E) []byte {
	if len(s) == 0 {
		return nil
	}
	var z E
	return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(s))), len(s)*int(unsafe.Sizeof(z)))
}

// putElements writes data to dst in little-endian C order.
func putElements[E Element](dst []byte, data []E) {
	kind := reflect.TypeFor[E]().Kind()
	if kind == reflect.Bool {
		for i, v := range asBytes(data) {
			dst[i] = boolByte(v != 0)
		}
		return
	}
	src := asBytes(data)
	if nativeLittleEndian {
		copy(dst, src)
		return
	}
	swapInto(dst, src, len(src)/max(len(data), 1))
}

// getElements fills out from little- (or big-) endian bytes.
func getElements[E Element](out []E, src []byte, bigEndian bool) {
	dst := asBytes(out)
	if reflect.TypeFor[E]().Kind() == reflect.Bool {
		for i, v := range src[:len(dst)] {
			dst[i] = boolByte(v != 0) // numpy reads any non-zero byte as True
		}
		return
	}
	if nativeLittleEndian != bigEndian {
		copy(dst, src)
		return
	}
	swapInto(dst, src, len(src)/max(len(out), 1))
}

// swapInto copies src to dst reversing the byte order of each size-byte item.
func swapInto(dst, src []byte, size int) {
	switch size {
	case 1:
		copy(dst, src)
	case 2:
		for i := 0; i+2 <= len(src); i += 2 {
			binary.LittleEndian.PutUint16(dst[i:], binary.BigEndian.Uint16(src[i:]))
		}
	case 4:
		for i := 0; i+4 <= len(src); i += 4 {
			binary.LittleEndian.PutUint32(dst[i:], binary.BigEndian.Uint32(src[i:]))
		}
	case 8:
		for i := 0; i+8 <= len(src); i += 8 {
			binary.LittleEndian.PutUint64(dst[i:], binary.BigEndian.Uint64(src[i:]))
		}
	}
}

func boolByte(b bool) byte {
	if b {
		return 1
	}
	return 0
}
