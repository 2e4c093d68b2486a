package metadata

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gotensor/gotensor/subtensor/scale"
)

func TestDecodeRecordedMetadata(t *testing.T) {
	cases := []struct {
		name    string
		version uint8
		pallets int
		apis    int
	}{
		{"spec343_v14", 14, 26, 0},
		{"spec343_v15", 15, 26, 22},
		{"spec315_v14", 14, 28, 0},
		{"spec315_v15", 15, 28, 21},
	}
	wantExt := []string{"CheckNonZeroSender", "CheckSpecVersion", "CheckTxVersion", "CheckGenesis", "CheckMortality",
		"CheckNonce", "CheckWeight", "ChargeTransactionPayment", "SubtensorTransactionExtension", "DrandPriority", "CheckMetadataHash"}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := loadMD(t, tc.name)
			require.Equal(t, tc.version, m.Version)
			require.Len(t, m.Pallets, tc.pallets)
			require.Len(t, m.APIs, tc.apis)
			var ext []string
			for _, s := range m.Extrinsic.SignedExtensions {
				ext = append(ext, s.Identifier)
			}
			require.Equal(t, wantExt, ext)
			require.Equal(t, uint8(4), m.Extrinsic.Version)
			addr, ok := m.Types.Type(m.Extrinsic.AddressType)
			require.True(t, ok)
			require.Equal(t, "sp_runtime::multiaddress::MultiAddress", addr.PathString())
			for name, idx := range map[string]uint8{"System": 0, "Timestamp": 2, "Balances": 5, "TransactionPayment": 6,
				"SubtensorModule": 7, "Utility": 11, "Sudo": 12, "Proxy": 16, "Commitments": 18, "AdminUtils": 19, "Drand": 26, "Swap": 28} {
				p, err := m.Pallet(name)
				require.NoError(t, err, name)
				require.Equal(t, idx, p.Index, name)
				back, err := m.PalletByIndex(idx)
				require.NoError(t, err)
				require.Equal(t, name, back.Name)
			}
			// CheckNonce carries Compact<u32>; CheckMortality an Era.
			for _, s := range m.Extrinsic.SignedExtensions {
				ty, _ := m.Types.Type(s.Type)
				switch s.Identifier {
				case "CheckMortality":
					require.Len(t, ty.Fields, 1)
					inner, _ := m.Types.Type(ty.Fields[0].Type)
					require.Equal(t, "sp_runtime::generic::era::Era", inner.PathString())
				case "CheckNonce":
					require.Len(t, ty.Fields, 1)
					inner, _ := m.Types.Type(ty.Fields[0].Type)
					require.Equal(t, KindCompact, inner.Kind)
				}
			}
		})
	}
}

// Call indices from chain.md §5 / wire.md §6 (subtensor dispatches.rs),
// checked against what the recorded runtimes say.
func TestCallIndices(t *testing.T) {
	common := map[string]uint8{
		"set_weights": 0, "add_stake": 2, "remove_stake": 3, "serve_axon": 4, "serve_prometheus": 5, "register": 6,
		"burned_register": 7, "serve_axon_tls": 40, "register_network": 59, "root_register": 62, "set_children": 67,
		"swap_hotkey": 70, "unstake_all": 83, "move_stake": 85, "transfer_stake": 86, "swap_stake": 87,
		"add_stake_limit": 88, "remove_stake_limit": 89, "start_call": 92, "commit_weights": 96, "reveal_weights": 97,
	}
	mechanism := map[string]uint8{"commit_mechanism_weights": 115, "reveal_mechanism_weights": 116,
		"commit_timelocked_mechanism_weights": 118, "set_mechanism_weights": 119}
	for _, name := range []string{"spec343_v14", "spec343_v15", "spec315_v15"} {
		m := loadMD(t, name)
		for call, idx := range common {
			ci, err := m.Call("SubtensorModule", call)
			require.NoError(t, err, "%s %s", name, call)
			require.Equal(t, uint8(7), ci.PalletIndex)
			require.Equal(t, idx, ci.CallIndex, "%s %s", name, call)
		}
		for call, idx := range mechanism {
			ci, err := m.Call("SubtensorModule", call)
			if name == "spec315_v15" {
				// Mechanisms (sub-subnets) arrived after spec 315.
				require.ErrorIs(t, err, ErrNotFound)
				continue
			}
			require.NoError(t, err)
			require.Equal(t, idx, ci.CallIndex, call)
		}
	}
	m := loadMD(t, "spec343_v15")
	ci, err := m.Call("SubtensorModule", "set_weights")
	require.NoError(t, err)
	var names []string
	for _, a := range ci.Args {
		names = append(names, a.Name)
	}
	require.Equal(t, []string{"netuid", "dests", "weights", "version_key"}, names)
	_, err = m.Call("SubtensorModule", "no_such_call")
	require.ErrorIs(t, err, ErrNotFound)
	_, err = m.Call("NoSuchPallet", "x")
	require.ErrorIs(t, err, ErrNotFound)
}

// Error indices move between runtimes (new errors are inserted in
// declaration order), which is why the client resolves them from metadata:
// chain.md's numbers are for spec 425 (10, 15, 29, 30, 53, 79).
func TestErrorAndEventIndices(t *testing.T) {
	cases := []struct {
		md     string
		errors map[string]uint8
	}{
		{"spec343_v15", map[string]uint8{"NotEnoughStakeToSetWeights": 10, "NeuronNoValidatorPermit": 15, "SettingWeightsTooFast": 28,
			"IncorrectWeightVersionKey": 29, "CommitRevealEnabled": 52, "RevealTooEarly": 76}},
		{"spec315_v15", map[string]uint8{"NotEnoughStakeToSetWeights": 11, "NeuronNoValidatorPermit": 16, "SettingWeightsTooFast": 29,
			"IncorrectWeightVersionKey": 30, "CommitRevealEnabled": 54, "RevealTooEarly": 79}},
	}
	for _, tc := range cases {
		m := loadMD(t, tc.md)
		for name, idx := range tc.errors {
			info, err := m.ErrorByName("SubtensorModule", name)
			require.NoError(t, err)
			require.Equal(t, idx, info.Index, "%s %s", tc.md, name)
			back, err := m.Error(7, idx)
			require.NoError(t, err)
			require.Equal(t, name, back.Name)
			require.NotEmpty(t, back.Docs)
		}
		for name, want := range map[string]struct{ idx, fields int }{"StakeAdded": {2, 6}, "WeightsSet": {5, 2}, "NeuronRegistered": {6, 3}} {
			info, err := m.EventByName("SubtensorModule", name)
			require.NoError(t, err)
			require.Equal(t, uint8(want.idx), info.Index, name)
			require.Len(t, info.Fields, want.fields, name)
			back, err := m.Event(7, info.Index)
			require.NoError(t, err)
			require.Equal(t, name, back.Name)
		}
	}
	m := loadMD(t, "spec343_v15")
	_, err := m.Error(7, 255)
	require.ErrorIs(t, err, ErrNotFound)
	_, err = m.Event(99, 0)
	require.ErrorIs(t, err, ErrNotFound)
	me, err := m.ModuleError(7, [4]byte{10})
	require.NoError(t, err)
	require.Equal(t, "SubtensorModule", me.Pallet)
	require.Equal(t, "NotEnoughStakeToSetWeights", me.Name)
	require.Contains(t, me.Error(), "SubtensorModule.NotEnoughStakeToSetWeights: The caller is requesting")
}

// V14 and V15 of the same runtime describe the same pallets and types.
func TestV14AndV15Agree(t *testing.T) {
	v14, v15 := loadMD(t, "spec343_v14"), loadMD(t, "spec343_v15")
	require.Equal(t, len(v14.Pallets), len(v15.Pallets))
	for i := range v14.Pallets {
		a, b := v14.Pallets[i], v15.Pallets[i]
		require.Equal(t, a.Name, b.Name)
		require.Equal(t, a.Index, b.Index)
		require.Equal(t, len(a.Storage), len(b.Storage), a.Name)
		require.Equal(t, len(a.Constants), len(b.Constants), a.Name)
		for j := range a.Storage {
			require.Equal(t, a.Storage[j].Name, b.Storage[j].Name)
			require.Equal(t, a.Storage[j].Hashers, b.Storage[j].Hashers)
			require.Equal(t, a.Storage[j].Default, b.Storage[j].Default)
		}
	}
	// The V15 extrinsic call type equals the V14 UncheckedExtrinsic's Call
	// param by shape: both are the RuntimeCall enum.
	c14, _ := v14.Types.Type(v14.Extrinsic.CallType)
	c15, _ := v15.Types.Type(v15.Extrinsic.CallType)
	require.Equal(t, c14.PathString(), c15.PathString())
	require.Equal(t, len(c14.Variants), len(c15.Variants))
	// V14 has no runtime API types.
	_, err := v14.RuntimeAPIMethod("NeuronInfoRuntimeApi", "get_neurons_lite")
	require.ErrorIs(t, err, ErrNotFound)
}

func TestConstants(t *testing.T) {
	m := loadMD(t, "spec343_v15")
	c, err := m.Constant("System", "SS58Prefix")
	require.NoError(t, err)
	var prefix uint16
	require.NoError(t, m.DecodeInto(c.Type, c.Value, &prefix))
	require.Equal(t, uint16(42), prefix)
	_, err = m.Constant("System", "Nope")
	require.ErrorIs(t, err, ErrNotFound)
}

func TestDecodeBadMetadata(t *testing.T) {
	v14 := readHexFile(t, "testdata/spec343_state_getMetadata_v14.hex")
	bad := append([]byte(nil), v14...)
	bad[4] = 13
	_, err := Decode(bad)
	require.ErrorIs(t, err, ErrUnsupportedVersion)
	var uv *UnsupportedVersionError
	require.ErrorAs(t, err, &uv)
	require.Equal(t, uint8(13), uv.Version)

	_, err = Decode([]byte{0})
	require.ErrorIs(t, err, ErrNoMetadata)
	_, err = Decode([]byte("nope"))
	require.ErrorIs(t, err, ErrBadMagic)
	_, err = Decode(nil)
	require.Error(t, err)
	_, err = Decode(append(append([]byte(nil), v14...), 0))
	require.ErrorIs(t, err, ErrMalformed)
	for _, cut := range []int{5, 6, 100, 1000, len(v14) / 3, len(v14) - 1} {
		_, err := Decode(v14[:cut])
		require.ErrorIs(t, err, ErrMalformed, "cut %d", cut)
		require.True(t, errors.Is(err, scale.ErrUnexpectedEOF) || errors.Is(err, scale.ErrLengthTooLarge), "cut %d: %v", cut, err)
	}
}

func TestSignedExtensionShapes(t *testing.T) {
	m := loadMD(t, "spec343_v15")
	empty := map[string][2]bool{} // identifier -> (extra empty, additional empty)
	for _, s := range m.Extrinsic.SignedExtensions {
		empty[s.Identifier] = [2]bool{m.IsEmpty(s.Type), m.IsEmpty(s.AdditionalSigned)}
	}
	// Custom subtensor extensions and CheckNonZeroSender/CheckWeight carry
	// nothing; the spec/tx versions and genesis/era block hash are
	// additional-signed only; nonce, mortality, tip and metadata-hash mode
	// are in the extrinsic.
	require.Equal(t, [2]bool{true, true}, empty["CheckNonZeroSender"])
	require.Equal(t, [2]bool{true, true}, empty["CheckWeight"])
	require.Equal(t, [2]bool{true, true}, empty["SubtensorTransactionExtension"])
	require.Equal(t, [2]bool{true, true}, empty["DrandPriority"])
	require.Equal(t, [2]bool{true, false}, empty["CheckSpecVersion"])
	require.Equal(t, [2]bool{true, false}, empty["CheckGenesis"])
	require.Equal(t, [2]bool{false, false}, empty["CheckMortality"])
	require.Equal(t, [2]bool{false, true}, empty["CheckNonce"])
	require.Equal(t, [2]bool{false, true}, empty["ChargeTransactionPayment"])
	require.Equal(t, [2]bool{false, false}, empty["CheckMetadataHash"])
}

func TestDecodeIntoPointerTargets(t *testing.T) {
	m := loadMD(t, "spec343_v15")
	method, err := m.RuntimeAPIMethod("SubnetRegistrationRuntimeApi", "get_network_registration_cost")
	require.NoError(t, err)
	var cost *uint64
	require.NoError(t, m.DecodeInto(method.Output, []byte{1, 0, 0, 0, 0, 0, 0, 0}, &cost))
	require.NotNil(t, cost)
	require.Equal(t, uint64(1), *cost)
}
