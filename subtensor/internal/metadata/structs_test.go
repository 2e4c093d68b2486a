package metadata

import (
	"math/big"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gotensor/gotensor/subtensor/scale"
)

// Go shapes of the runtime structs, written the way the subtensor package
// would: Go names, matched to the metadata's snake_case by name.

type testAxonInfo struct {
	Block        uint64
	Version      uint32
	IP           scale.Uint128
	Port         uint16
	IPType       uint8
	Protocol     uint8
	Placeholder1 uint8
	Placeholder2 uint8
}

type testPrometheusInfo struct {
	Block   uint64
	Version uint32
	IP      *big.Int
	Port    uint16
	IPType  uint8
}

type testStake struct {
	Owner  [32]byte
	Amount uint64
}

type testNeuron struct {
	Hotkey          [32]byte
	Coldkey         [32]byte
	UID             uint16
	NetUID          uint16
	Active          bool
	Axon            testAxonInfo `scale:"axon_info"`
	PrometheusInfo  testPrometheusInfo
	Stake           []testStake
	Emission        uint64
	Incentive       uint16
	Consensus       uint16
	ValidatorTrust  uint16
	Dividends       uint16
	LastUpdate      uint64
	ValidatorPermit bool
	// Only in the full NeuronInfo: stays nil for get_neurons_lite.
	Weights [][2]uint16
	Bonds   [][2]uint16
	// Not in the runtime at all: stays zero.
	LocalNote string
	// rank, trust, pruning_score are deliberately absent: skipped.
}

func TestNeuronsIntoStruct(t *testing.T) {
	calls := loadStateCalls(t)
	m := loadMD(t, "spec343_v15")
	method, err := m.RuntimeAPIMethod("NeuronInfoRuntimeApi", "get_neurons_lite")
	require.NoError(t, err)
	raw := mustHex(t, calls[0].Result)

	var neurons []testNeuron
	require.NoError(t, m.DecodeRuntimeAPIResult(method, raw, &neurons))
	require.Len(t, neurons, 1024)

	dyn, err := m.DecodeValue(method.Output, raw)
	require.NoError(t, err)
	items := dyn.([]any)
	for i, n := range neurons {
		d := items[i].(map[string]any)
		require.Equal(t, d["hotkey"], n.Hotkey)
		require.Equal(t, d["uid"], n.UID)
		require.Equal(t, d["emission"], n.Emission)
		require.Equal(t, d["last_update"], n.LastUpdate)
		require.Equal(t, d["validator_permit"], n.ValidatorPermit)
		ax := d["axon_info"].(map[string]any)
		require.Equal(t, ax["ip"].(*big.Int).String(), n.Axon.IP.String())
		require.Equal(t, ax["port"], n.Axon.Port)
		require.Nil(t, n.Weights)
		require.Empty(t, n.LocalNote)
	}
	n0 := neurons[0]
	require.Equal(t, "5DkMmXtWf16RNdusZGCrJ7ca7ADPgRnZLVWCWbgA7s7sy1AQ", ss58(n0.Hotkey))
	require.Equal(t, testAxonInfo{Block: 6575906, Version: 9011001, IP: scale.NewUint128(3235789677), Port: 6028, IPType: 4, Protocol: 4}, n0.Axon)
	require.Equal(t, []testStake{{Owner: n0.Coldkey, Amount: 2557172316}}, n0.Stake)
	require.Equal(t, "5Hmr8zrn8w81rzRMznjwYgZ3VqhS2ufUpK8wEpVpexNrdMNX", ss58(neurons[1023].Hotkey))

	// The same struct takes the full NeuronInfo (spec 315 get_neuron):
	// weights and bonds are filled there.
	var full *testNeuron
	getNeuron, err := loadMD(t, "spec315_v15").RuntimeAPIMethod("NeuronInfoRuntimeApi", "get_neuron")
	require.NoError(t, err)
	require.NoError(t, loadMD(t, "spec315_v15").DecodeRuntimeAPIResult(getNeuron, mustHex(t, calls[3].Result), &full))
	require.NotNil(t, full)
	require.Equal(t, "5Cf4LPRv6tiyuFsfLRQaFYEEn3zJRGi4bAE9DwbbKmbCSHpV", ss58(full.Hotkey))
	require.Equal(t, uint16(29), full.UID)
	require.Equal(t, [][2]uint16{{2, 170}, {21, 16}, {29, 65535}, {38, 1}, {92, 7}}, full.Weights)
	require.Len(t, full.Bonds, 32)
	require.Equal(t, uint64(293397769457395), full.Stake[0].Amount)

	// And the spec-300 local runtime's result (one zeroed neuron).
	m300 := loadSpec300(t)
	var recorded struct {
		Calls []struct {
			Method, Params, Result string
		} `json:"calls"`
	}
	readJSON(t, "testdata/spec300_state_calls.json", &recorded)
	lite300, err := m300.RuntimeAPIMethod("NeuronInfoRuntimeApi", "get_neurons_lite")
	require.NoError(t, err)
	var n300 []testNeuron
	require.NoError(t, m300.DecodeRuntimeAPIResult(lite300, mustHex(t, recorded.Calls[1].Result), &n300))
	require.Len(t, n300, 1)
	require.Equal(t, uint16(1), n300[0].NetUID)
}

type testCommitment struct {
	Hotkey [32]byte
	Data   []uint8
}

// testSelective has a subset of SelectiveMetagraph's fields, including
// commitments, which spec 343 has and spec 300 does not.
type testSelective struct {
	Netuid          uint16
	Name            *string
	Symbol          *[]uint8
	Block           *uint64
	Tempo           *uint16
	Hotkeys         *[][32]byte
	ValidatorPermit *[]bool
	Validators      *[]uint16
	MovingPrice     *big.Int
	AdjustmentAlpha *uint64
	Commitments     *[]testCommitment
}

func loadSpec300(t testing.TB) *Metadata {
	mdCacheMu.Lock()
	defer mdCacheMu.Unlock()
	if m, ok := mdCache["spec300_v15"]; ok {
		return m
	}
	m, err := Decode(readHexFile(t, "testdata/spec300_Metadata_metadata_at_version_15.hex"))
	require.NoError(t, err)
	mdCache["spec300_v15"] = m
	return m
}

func TestOneStructTwoRuntimeShapes(t *testing.T) {
	// Newer (finney spec 343): has commitments.
	m343 := loadMD(t, "spec343_v15")
	method, err := m343.RuntimeAPIMethod("SubnetInfoRuntimeApi", "get_selective_mechagraph")
	require.NoError(t, err)
	var sel *testSelective
	require.NoError(t, m343.DecodeRuntimeAPIResult(method, mustHex(t, loadStateCalls(t)[2].Result), &sel))
	require.NotNil(t, sel)
	require.Equal(t, uint16(1), sel.Netuid)
	require.Equal(t, "Apex", *sel.Name)
	require.Equal(t, []uint8{206, 177}, *sel.Symbol)
	require.Equal(t, uint64(6852690), *sel.Block)
	require.Equal(t, uint16(99), *sel.Tempo)
	require.Len(t, *sel.Hotkeys, 1024)
	require.Equal(t, []uint16{496, 395, 245, 966, 24, 993, 447, 697, 518, 276, 502, 630}, *sel.Validators)
	require.Equal(t, "40869489", sel.MovingPrice.String())
	require.Equal(t, uint64(17893341751498265066), *sel.AdjustmentAlpha)
	require.NotNil(t, sel.Commitments)
	require.NotEmpty(t, *sel.Commitments)
	require.Equal(t, "5HEo565WAy4Dbq3Sv271SAi7syBSofyfhhwRNjFNSM2gP9M2", ss58((*sel.Commitments)[0].Hotkey))

	// Older (local spec 300): no commitments field in the runtime type.
	m300 := loadSpec300(t)
	old, err := m300.RuntimeAPIMethod("SubnetInfoRuntimeApi", "get_selective_metagraph")
	require.NoError(t, err)
	var recorded struct {
		Calls []struct {
			Method, Params, Result string
		} `json:"calls"`
	}
	readJSON(t, "testdata/spec300_state_calls.json", &recorded)
	params, err := m300.EncodeRuntimeAPIArgs(old, uint16(1), seq(74))
	require.NoError(t, err)
	require.Equal(t, mustHex(t, recorded.Calls[0].Params), params)
	var sel300 *testSelective
	require.NoError(t, m300.DecodeRuntimeAPIResult(old, mustHex(t, recorded.Calls[0].Result), &sel300))
	require.NotNil(t, sel300)
	require.Equal(t, uint16(1), sel300.Netuid)
	require.NotNil(t, sel300.Tempo)
	require.Nil(t, sel300.Commitments)
	require.Len(t, *sel300.Hotkeys, 1)
}

func seq(n int) []uint16 {
	out := make([]uint16, n)
	for i := range out {
		out[i] = uint16(i)
	}
	return out
}

func TestDecodeIntoMismatches(t *testing.T) {
	m := loadMD(t, "spec343_v15")
	method, _ := m.RuntimeAPIMethod("NeuronInfoRuntimeApi", "get_neurons_lite")
	raw := mustHex(t, loadStateCalls(t)[0].Result)
	var wrong []struct{ Hotkey string }
	require.ErrorIs(t, m.DecodeInto(method.Output, raw, &wrong), ErrTypeMismatch)
	var small []struct{ LastUpdate uint8 }
	err := m.DecodeInto(method.Output, raw, &small)
	require.ErrorIs(t, err, scale.ErrOverflow)
	var de *scale.DecodeError
	require.ErrorAs(t, err, &de)
	require.Contains(t, de.Path, "last_update")
	require.ErrorIs(t, m.DecodeInto(method.Output, raw[:1000], &neuronsAny), scale.ErrLengthTooLarge)
	require.ErrorIs(t, m.DecodeInto(method.Output, raw, neuronsAny), ErrTypeMismatch)
	require.ErrorIs(t, m.DecodeInto(method.Output, append(raw, 0), &neuronsAny), scale.ErrTrailingBytes)
}

var neuronsAny []any

// A full-neuron type can embed the lite one, as the subtensor package may
// define them.
type testLite struct {
	Hotkey     [32]byte
	UID        uint16
	LastUpdate uint64
}

type testFull struct {
	testLite
	Weights [][2]uint16
	Bonds   []struct{ UID, Value uint16 }
}

func TestEmbeddedStructs(t *testing.T) {
	calls := loadStateCalls(t)
	m := loadMD(t, "spec315_v15")
	method, err := m.RuntimeAPIMethod("NeuronInfoRuntimeApi", "get_neuron")
	require.NoError(t, err)
	var full *testFull
	require.NoError(t, m.DecodeRuntimeAPIResult(method, mustHex(t, calls[3].Result), &full))
	require.Equal(t, uint16(29), full.UID)
	require.Equal(t, uint64(6522124), full.LastUpdate)
	require.Equal(t, "5Cf4LPRv6tiyuFsfLRQaFYEEn3zJRGi4bAE9DwbbKmbCSHpV", ss58(full.Hotkey))
	require.Len(t, full.Weights, 5)
	require.Equal(t, struct{ UID, Value uint16 }{1, 65535}, full.Bonds[0])
}

// Plans and generic decoders are built lazily; concurrent first use must
// be safe (run under -race).
func TestConcurrentFirstUse(t *testing.T) {
	m, err := Decode(readHexFile(t, "testdata/spec343_Metadata_metadata_at_version_15.hex"))
	require.NoError(t, err)
	method, err := m.RuntimeAPIMethod("NeuronInfoRuntimeApi", "get_neurons_lite")
	require.NoError(t, err)
	raw := mustHex(t, loadStateCalls(t)[0].Result)[:20000]
	raw[0], raw[1] = 0x91, 0x01 // Vec length 100 (two-byte compact): ~18 KB of whole neurons
	errs := make(chan error, 8)
	for i := 0; i < 8; i++ {
		go func() {
			if i%2 == 0 {
				var out []testNeuron
				errs <- m.DecodeInto(method.Output, raw, &out)
			} else {
				_, err := m.DecodeValue(method.Output, raw)
				errs <- err
			}
		}()
	}
	for i := 0; i < 8; i++ {
		err := <-errs
		// 100 whole neurons decode, then bytes remain: every goroutine sees the same typed error.
		require.ErrorIs(t, err, scale.ErrTrailingBytes)
	}
}

// testMultiAddress maps sp_runtime::MultiAddress onto a scale.Enum struct
// (variants matched by name).
type testMultiAddress struct {
	ID        *[32]byte `scale:"Id"`
	Index     *uint32
	Raw       *[]byte
	Address32 *[32]byte
	Address20 *[20]byte
}

func (testMultiAddress) IsSCALEEnum() {}

func TestEnumTargets(t *testing.T) {
	m := loadMD(t, "spec343_v15")
	ci, err := m.Call("Balances", "transfer_keep_alive")
	require.NoError(t, err)
	addrType := ci.Args[0].Type

	key := [32]byte{9, 8, 7}
	enc, err := m.EncodeValue(addrType, testMultiAddress{ID: &key})
	require.NoError(t, err)
	require.Equal(t, append([]byte{0}, key[:]...), enc)
	var back testMultiAddress
	require.NoError(t, m.DecodeInto(addrType, enc, &back))
	require.Equal(t, key, *back.ID)
	require.Nil(t, back.Raw)

	raw := []byte{1, 2, 3}
	enc, err = m.EncodeValue(addrType, testMultiAddress{Raw: &raw})
	require.NoError(t, err)
	require.Equal(t, []byte{2, 12, 1, 2, 3}, enc)
	require.NoError(t, m.DecodeInto(addrType, enc, &back))
	require.Nil(t, back.ID)
	require.Equal(t, raw, *back.Raw)

	_, err = m.EncodeValue(addrType, testMultiAddress{})
	require.ErrorIs(t, err, ErrTypeMismatch)
	_, err = m.EncodeValue(addrType, testMultiAddress{ID: &key, Raw: &raw})
	require.ErrorIs(t, err, ErrTypeMismatch)
	_, err = m.EncodeValue(addrType, EnumValue{Name: "Nope"})
	require.ErrorIs(t, err, ErrTypeMismatch)

	// Field-less enums go to and from names and indices.
	class, ok := m.Types.FindByPath("frame_support::dispatch::DispatchClass")
	require.True(t, ok)
	enc, err = m.EncodeValue(class.ID, "Mandatory")
	require.NoError(t, err)
	require.Equal(t, []byte{2}, enc)
	var name string
	require.NoError(t, m.DecodeInto(class.ID, enc, &name))
	require.Equal(t, "Mandatory", name)
	var idx uint8
	require.NoError(t, m.DecodeInto(class.ID, enc, &idx))
	require.Equal(t, uint8(2), idx)
	require.ErrorIs(t, m.DecodeInto(class.ID, []byte{9}, &idx), scale.ErrInvalidVariant)
	// An enum with data cannot go into a string.
	require.ErrorIs(t, m.DecodeInto(addrType, append([]byte{0}, key[:]...), &name), ErrTypeMismatch)
	var ev EnumValue
	require.NoError(t, m.DecodeInto(addrType, append([]byte{0}, key[:]...), &ev))
	require.Equal(t, EnumValue{Name: "Id", Index: 0, Value: key}, ev)
}

func TestEncodeValueShapes(t *testing.T) {
	m := loadMD(t, "spec343_v15")
	method, err := m.RuntimeAPIMethod("NeuronInfoRuntimeApi", "get_neurons_lite")
	require.NoError(t, err)
	raw := mustHex(t, loadStateCalls(t)[0].Result)
	var neurons []testNeuron
	require.NoError(t, m.DecodeInto(method.Output, raw, &neurons))
	// A Go struct lacking runtime fields (rank, trust, pruning_score)
	// cannot be encoded as the runtime type: that would invent values.
	_, err = m.EncodeValue(method.Output, neurons[:1])
	require.ErrorIs(t, err, ErrTypeMismatch)
	// Generic values round-trip exactly, including map-shaped composites.
	v, err := m.DecodeValue(method.Output, raw)
	require.NoError(t, err)
	first, err := m.EncodeValue(method.Output, v.([]any)[:1])
	require.NoError(t, err)
	var one []testNeuron
	require.NoError(t, m.DecodeInto(method.Output, first, &one))
	require.Equal(t, neurons[:1], one)
	// Out-of-range and wrong-kind values are typed errors, not panics.
	for _, bad := range []any{nil, "x", -1, 1.5, []int{1}, map[int]int{}} {
		_, err := m.EncodeValue(method.Inputs[0].Type, bad)
		require.ErrorIs(t, err, ErrTypeMismatch, "%#v", bad)
	}
}
