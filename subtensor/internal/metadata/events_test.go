package metadata

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gotensor/gotensor/subtensor/scale"
)

// eventIdx finds (pallet index, event index) through lookups.
func eventIdx(t *testing.T, m *Metadata, pallet, name string) (uint8, uint8) {
	info, err := m.EventByName(pallet, name)
	require.NoError(t, err)
	return info.PalletIndex, info.Index
}

// TestDecodeEvents builds a System.Events value byte by byte from the
// runtime layouts (EventRecord{phase, event, topics}, DispatchError,
// DispatchInfo) and checks the decoder names everything.
func TestDecodeEvents(t *testing.T) {
	for _, name := range []string{"spec343_v15", "spec315_v15", "spec343_v14"} {
		t.Run(name, func(t *testing.T) {
			m := loadMD(t, name)
			hotkey := [32]byte{0xaa, 1, 2}
			e := scale.NewEncoder(nil)
			e.Length(4)

			// 1: ApplyExtrinsic(1) SubtensorModule.NeuronRegistered(netuid 3, uid 17, hotkey)
			p, i := eventIdx(t, m, "SubtensorModule", "NeuronRegistered")
			e.U8(0)
			e.U32(1)
			e.U8(p)
			e.U8(i)
			e.U16(3)
			e.U16(17)
			e.Write(hotkey[:])
			e.Length(0)

			// 2: ApplyExtrinsic(1) SubtensorModule.WeightsSet(netuid index 4097, uid 5), one topic
			p, i = eventIdx(t, m, "SubtensorModule", "WeightsSet")
			e.U8(0)
			e.U32(1)
			e.U8(p)
			e.U8(i)
			e.U16(4097)
			e.U16(5)
			e.Length(1)
			e.Write(make([]byte, 31))
			e.U8(9)

			// 3: ApplyExtrinsic(2) System.ExtrinsicFailed(Module{7, [NotEnoughStakeToSetWeights,0,0,0]}, info)
			p, i = eventIdx(t, m, "System", "ExtrinsicFailed")
			notEnough, err := m.ErrorByName("SubtensorModule", "NotEnoughStakeToSetWeights")
			require.NoError(t, err)
			dispatchErr, ok := m.Types.FindByPath("sp_runtime::DispatchError")
			require.True(t, ok)
			module, ok := dispatchErr.VariantByName("Module")
			require.True(t, ok)
			e.U8(0)
			e.U32(2)
			e.U8(p)
			e.U8(i)
			e.U8(module.Index)
			e.U8(7)
			e.Write([]byte{notEnough.Index, 0, 0, 0})
			e.Compact(1_000_000) // weight.ref_time
			e.Compact(2_000)     // weight.proof_size
			e.U8(0)              // class Normal
			e.U8(0)              // pays_fee Yes
			e.Length(0)

			// 4: Finalization System.ExtrinsicFailed(BadOrigin, info)
			badOrigin, ok := dispatchErr.VariantByName("BadOrigin")
			require.True(t, ok)
			e.U8(1)
			e.U8(p)
			e.U8(i)
			e.U8(badOrigin.Index)
			e.Compact(0)
			e.Compact(0)
			e.U8(2) // Mandatory
			e.U8(1) // pays No
			e.Length(0)

			events, err := m.DecodeEvents(e.Bytes())
			require.NoError(t, err)
			require.Len(t, events, 4)

			reg := events[0]
			require.Equal(t, Phase{Kind: "ApplyExtrinsic", ExtrinsicIndex: 1}, reg.Phase)
			require.Equal(t, "SubtensorModule", reg.Pallet)
			require.Equal(t, uint8(7), reg.PalletIndex)
			require.Equal(t, "NeuronRegistered", reg.Name)
			require.Equal(t, []any{uint16(3), uint16(17), hotkey}, reg.Fields)
			require.NotEmpty(t, reg.Docs)

			ws := events[1]
			require.Equal(t, "WeightsSet", ws.Name)
			require.Equal(t, []any{uint16(4097), uint16(5)}, ws.Fields)
			require.Len(t, ws.Topics, 1)
			require.Equal(t, uint8(9), ws.Topics[0][31])

			failed := events[2]
			require.Equal(t, "System", failed.Pallet)
			require.Equal(t, "ExtrinsicFailed", failed.Name)
			fields := failed.Fields.(map[string]any)
			derr := m.DispatchErrorFrom(fields["dispatch_error"])
			var me *ModuleError
			require.ErrorAs(t, derr, &me)
			require.Equal(t, "SubtensorModule", me.Pallet)
			require.Equal(t, "NotEnoughStakeToSetWeights", me.Name)
			require.Equal(t, [4]byte{notEnough.Index}, me.Raw)
			require.Contains(t, me.Error(), "less than minimum stake")
			info := fields["dispatch_info"].(map[string]any)
			require.Equal(t, uint64(1_000_000), info["weight"].(map[string]any)["ref_time"])
			require.Equal(t, EnumValue{Name: "Normal"}, info["class"])

			last := events[3]
			require.Equal(t, Phase{Kind: "Finalization"}, last.Phase)
			derr = m.DispatchErrorFrom(last.Fields.(map[string]any)["dispatch_error"])
			var plain *DispatchError
			require.ErrorAs(t, derr, &plain)
			require.Equal(t, "BadOrigin", plain.Kind)
			require.False(t, errors.As(derr, &me))

			// The events re-encode to the same bytes through the registry.
			ev, _ := m.Storage("System", "Events")
			v, err := m.DecodeValue(ev.ValueType, e.Bytes())
			require.NoError(t, err)
			again, err := m.EncodeValue(ev.ValueType, v)
			require.NoError(t, err)
			require.Equal(t, e.Bytes(), again)

			// Truncations fail with decode errors, never panics.
			for cut := 0; cut < len(e.Bytes()); cut += 7 {
				_, err := m.DecodeEvents(e.Bytes()[:cut])
				require.Error(t, err)
			}
		})
	}
}

func TestModuleErrorUnknown(t *testing.T) {
	m := loadMD(t, "spec343_v15")
	me, err := m.ModuleError(7, [4]byte{250})
	require.ErrorIs(t, err, ErrNotFound)
	require.Equal(t, "module error 7/250 (unknown to metadata)", me.Error())
	require.ErrorIs(t, m.DispatchErrorFrom("x"), ErrMalformed)
}

// TestEncodeCall checks call bytes built by name against hand-assembled
// encodings of the argument layouts in chain.md §5.
func TestEncodeCall(t *testing.T) {
	m := loadMD(t, "spec343_v15")
	got, err := m.EncodeCall("SubtensorModule", "set_weights", uint16(1), []uint16{0, 5}, []uint16{65535, 100}, uint64(21706))
	require.NoError(t, err)
	want := scale.NewEncoder([]byte{7, 0})
	want.U16(1)
	want.Length(2)
	want.U16(0)
	want.U16(5)
	want.Length(2)
	want.U16(65535)
	want.U16(100)
	want.U64(21706)
	require.Equal(t, want.Bytes(), got)

	named, err := m.EncodeCallNamed("SubtensorModule", "set_weights", map[string]any{
		"netuid": 1, "dests": []int{0, 5}, "weights": []int{65535, 100}, "version_key": 21706})
	require.NoError(t, err)
	require.Equal(t, got, named)

	hotkey := [32]byte{1, 2, 3}
	got, err = m.EncodeCall("SubtensorModule", "burned_register", uint16(3), hotkey)
	require.NoError(t, err)
	require.Equal(t, append([]byte{7, 7, 3, 0}, hotkey[:]...), got)

	// serve_axon(netuid, version u32, ip u128, port u16, ip_type, protocol, p1, p2)
	got, err = m.EncodeCall("SubtensorModule", "serve_axon", uint16(1), uint32(9011001), scale.NewUint128(3235789677), uint16(6028), uint8(4), uint8(4), uint8(0), uint8(0))
	require.NoError(t, err)
	want = scale.NewEncoder([]byte{7, 4})
	want.U16(1)
	want.U32(9011001)
	want.U128(scale.NewUint128(3235789677))
	want.U16(6028)
	want.Write([]byte{4, 4, 0, 0})
	require.Equal(t, want.Bytes(), got)

	// Balances.transfer_keep_alive(MultiAddress::Id(dest), Compact value)
	got, err = m.EncodeCall("Balances", "transfer_keep_alive", EnumValue{Name: "Id", Value: hotkey}, uint64(1_000_000_000))
	require.NoError(t, err)
	want = scale.NewEncoder([]byte{5, 3, 0})
	want.Write(hotkey[:])
	want.Compact(1_000_000_000)
	require.Equal(t, want.Bytes(), got)

	// Errors: wrong arity, out-of-range value, unknown names.
	_, err = m.EncodeCall("SubtensorModule", "set_weights", uint16(1))
	require.ErrorIs(t, err, ErrTypeMismatch)
	_, err = m.EncodeCall("SubtensorModule", "burned_register", 70000, hotkey)
	require.ErrorIs(t, err, ErrTypeMismatch)
	_, err = m.EncodeCall("SubtensorModule", "burned_register", uint16(1), []byte{1})
	require.ErrorIs(t, err, ErrTypeMismatch)
	_, err = m.EncodeCall("SubtensorModule", "nope")
	require.ErrorIs(t, err, ErrNotFound)
	_, err = m.EncodeCallNamed("SubtensorModule", "burned_register", map[string]any{"netuid": 1})
	require.ErrorIs(t, err, ErrTypeMismatch)
}
