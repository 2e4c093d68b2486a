package metadata

import (
	"errors"
	"testing"

	"github.com/gotensor/gotensor/subtensor/scale"
)

// fuzzTypes are registry types with varied shapes: the neuron vector
// (composites, compacts, tuples), System.Events (nested enums, arrays),
// the Header (digest enums) and SelectiveMetagraph (options everywhere).
func fuzzTypes(t testing.TB, m *Metadata) []TypeID {
	var ids []TypeID
	for _, am := range [][2]string{
		{"NeuronInfoRuntimeApi", "get_neurons_lite"},
		{"SubnetInfoRuntimeApi", "get_selective_mechagraph"},
		{"SubnetInfoRuntimeApi", "get_subnet_hyperparams_v2"},
	} {
		me, err := m.RuntimeAPIMethod(am[0], am[1])
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, me.Output)
	}
	ev, err := m.Storage("System", "Events")
	if err != nil {
		t.Fatal(err)
	}
	core, err := m.RuntimeAPIMethod("Core", "initialize_block")
	if err != nil {
		t.Fatal(err)
	}
	return append(ids, ev.ValueType, core.Inputs[0].Type, m.Extrinsic.CallType)
}

func FuzzDecodeDynamic(f *testing.F) {
	m := loadMD(f, "spec343_v15")
	ids := fuzzTypes(f, m)
	calls := loadStateCalls(f)
	f.Add(uint8(0), mustHex(f, calls[0].Result)[:2000])
	f.Add(uint8(1), mustHex(f, calls[2].Result)[:3000])
	f.Add(uint8(3), []byte{4, 0, 1, 0, 0, 0, 7, 5, 1, 0, 2, 0, 0})
	f.Add(uint8(5), []byte{7, 0, 1, 0, 8, 0, 0, 1, 0, 8, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, which uint8, data []byte) {
		id := ids[int(which)%len(ids)]
		v, err := m.DecodeValue(id, data)
		if err != nil {
			var de *scale.DecodeError
			if !errors.As(err, &de) && !errors.Is(err, ErrTypeMismatch) {
				t.Fatalf("untyped error: %v", err)
			}
			return
		}
		// Whatever decodes re-encodes to the same bytes.
		out, err := m.EncodeValue(id, v)
		if err != nil {
			t.Fatalf("re-encode: %v", err)
		}
		if string(out) != string(data) {
			t.Fatalf("re-encoding differs:\n in %x\nout %x", data, out)
		}
		var anyTarget any
		_ = m.DecodeInto(id, data, &anyTarget)
		var neurons []testNeuron
		_ = m.DecodeInto(ids[0], data, &neurons)
		_, _ = m.DecodeEvents(data)
	})
}

func FuzzDecodeMetadata(f *testing.F) {
	full := readHexFile(f, "testdata/spec343_state_getMetadata_v14.hex")
	f.Add(full[:600])
	f.Add([]byte("meta\x0f"))
	f.Add([]byte{1, 0x10, 'm', 'e', 't', 'a', 14, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Decode(data)
		if err != nil {
			return
		}
		_, _ = m.Pallet("System")
		_, _ = m.DecodeEvents(nil)
	})
}

func FuzzDecodeStorageKey(f *testing.F) {
	m := loadMD(f, "spec343_v15")
	key, err := m.StorageKey("SubtensorModule", "Uids", uint16(14), [32]byte{1})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(key)
	f.Add(key[:40])
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, item := range []string{"Uids", "IsNetworkMember", "Weights", "Alpha"} {
			_, _ = m.DecodeStorageKey("SubtensorModule", item, data)
		}
	})
}
