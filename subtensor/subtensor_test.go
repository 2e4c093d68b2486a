package subtensor

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"os"
	"testing"

	"github.com/stretchr/testify/require"
)

// golden.json is produced by testdata/gen_golden.py with CPython (see there).
type golden struct {
	FromTAO []struct {
		TAO float64 `json:"tao"`
		Rao uint64  `json:"rao"`
	} `json:"from_tao"`
	BalanceStr []struct {
		Rao uint64 `json:"rao"`
		Str string `json:"str"`
	} `json:"balance_str"`
	IntToIP []struct {
		Int string `json:"int"`
		Str string `json:"str"`
	} `json:"int_to_ip"`
	Emit []struct {
		UIDs    []int64   `json:"uids"`
		Weights []float32 `json:"weights"`
		OutUIDs []UID     `json:"out_uids"`
		OutVals []uint16  `json:"out_vals"`
	} `json:"emit"`
	CommitHash []struct {
		Hotkey      string   `json:"hotkey"`
		NetuidIndex uint16   `json:"netuid_index"`
		UIDs        []UID    `json:"uids"`
		Values      []uint16 `json:"values"`
		Salt        []uint16 `json:"salt"`
		VersionKey  uint64   `json:"version_key,string"`
		Hash        string   `json:"hash"`
	} `json:"commit_hash"`
}

func loadGolden(t *testing.T) golden {
	t.Helper()
	b, err := os.ReadFile("testdata/golden.json")
	require.NoError(t, err)
	var g golden
	require.NoError(t, json.Unmarshal(b, &g))
	return g
}

func TestFromTAOMatchesPython(t *testing.T) {
	g := loadGolden(t)
	require.NotEmpty(t, g.FromTAO)
	for _, c := range g.FromTAO {
		b, err := FromTAO(c.TAO)
		require.NoError(t, err)
		require.Equal(t, c.Rao, b.Rao(), "FromTAO(%v)", c.TAO)
	}
	b, err := FromTAO(1.001)
	require.NoError(t, err)
	require.Equal(t, uint64(1000999999), b.Rao())
	for _, bad := range []float64{-1, 1e30} {
		_, err := FromTAO(bad)
		require.Error(t, err)
	}
}

func TestBalanceStringMatchesPython(t *testing.T) {
	g := loadGolden(t)
	require.NotEmpty(t, g.BalanceStr)
	for _, c := range g.BalanceStr {
		require.Equal(t, c.Str, Balance(c.Rao).String(), "rao %d", c.Rao)
	}
	require.Equal(t, "τ1.000000000", TAO(1).String())
	require.Equal(t, "\u200e1.500000000α\u200e", Balance(1_500_000_000).Format(1))
}

func TestUnits(t *testing.T) {
	require.Len(t, units, 439)
	// Byte sequences copied from bittensor/utils/balance.py's UNITS table.
	for idx, want := range map[int]string{
		0: "\xcf\x84", 1: "\xce\xb1", 17: "\xcf\x81", 18: "\xcf\x83", 19: "t", 24: "\xcf\x89",
		25: "\xd7\x90", 51: "\xd7\xaa", 80: "\xd9\x89", 87: "\xd0\xab", 96: "\xe1\x9a\x9b",
		123: "\xf0\x91\x80\x80", 127: "\xf0\x91\x80\x85", 166: "\xe2\xb0\xa0", 201: "\xe0\xb8\xa3",
		202: "\xe0\xb8\xa5", 211: "\xe1\x84\x80", 245: "\xe1\x85\xb5", 274: "\xe1\x8a\x96",
		318: "\xe0\xa4\xb9", 335: "\xe3\x83\x81", 348: "\xe3\x83\x9b", 355: "\xe3\x83\xa6",
		364: "\xe3\x83\xb3", 400: "\xe2\xb5\x93", 408: "\xe0\xb6\x8c", 409: "\xe0\xb6\x8f",
		431: "\xe0\xb6\xa8", 438: "\xe0\xb6\xb0",
	} {
		require.Equal(t, want, units[idx], "index %d", idx)
	}
	// get_unit past the table: base-439 digits.
	require.Equal(t, units[1]+units[0], Unit(439))
	require.Equal(t, units[1]+units[1], Unit(440))
}

func TestCheckedArithmetic(t *testing.T) {
	_, err := Balance(1 << 63).CheckedAdd(1 << 63)
	require.ErrorIs(t, err, ErrBalanceOverflow)
	_, err = Balance(1).CheckedSub(2)
	require.ErrorIs(t, err, ErrBalanceUnderflow)
	s, err := Balance(5).CheckedAdd(7)
	require.NoError(t, err)
	require.Equal(t, Balance(12), s)
	require.Equal(t, Balance(0), Balance(3).SaturatingSub(4))
	require.Equal(t, Balance(1<<64-1), Balance(1<<64-1).SaturatingAdd(1))
}

func TestIPStringMatchesPython(t *testing.T) {
	g := loadGolden(t)
	require.NotEmpty(t, g.IntToIP)
	for _, c := range g.IntToIP {
		v, ok := new(big.Int).SetString(c.Int, 10)
		require.True(t, ok)
		var ip IPAddr
		ip.Lo = new(big.Int).And(v, new(big.Int).SetUint64(^uint64(0))).Uint64()
		ip.Hi = new(big.Int).Rsh(v, 64).Uint64()
		require.Equal(t, c.Str, ip.String(), "int %s", c.Int)
	}
}

func TestAxonAddress(t *testing.T) {
	p, err := ServeAxonParamsFor(3, "10.0.0.2:8091", 7)
	require.NoError(t, err)
	a := AxonInfo{IP: p.IP, Port: p.Port, IPType: p.IPType}
	require.Equal(t, uint8(4), p.IPType)
	require.Equal(t, "10.0.0.2:8091", a.Address())
	require.Equal(t, "/ipv4/10.0.0.2:8091", a.IPString())
	require.True(t, a.IsServing())

	p6, err := ServeAxonParamsFor(3, "[2001:db8::1]:9000", 7)
	require.NoError(t, err)
	a6 := AxonInfo{IP: p6.IP, Port: p6.Port, IPType: p6.IPType}
	require.Equal(t, "[2001:db8::1]:9000", a6.Address())
	require.False(t, AxonInfo{}.IsServing())

	_, err = ServeAxonParamsFor(1, "nonsense", 0)
	require.Error(t, err)
}

func TestValidIPAddress(t *testing.T) {
	cases := []struct {
		typ  uint8
		ip   IPAddr
		want bool
	}{
		{4, IPv4Addr(127, 0, 0, 1), false},
		{4, IPAddr{Lo: 1<<32 - 1}, false},
		{4, IPAddr{Lo: 1<<32 - 2}, true},
		{4, IPAddr{Hi: 1}, false},
		{4, IPv4Addr(1, 2, 3, 4), true},
		{4, IPAddr{}, true},
		{6, IPAddr{Lo: 1}, false},
		{6, IPAddr{Hi: ^uint64(0), Lo: ^uint64(0)}, false},
		{6, IPAddr{Hi: 0x20010db800000000, Lo: 1}, true},
	}
	for _, c := range cases {
		require.Equal(t, c.want, ValidIPAddress(c.typ, c.ip, true), "%d %s", c.typ, c.ip)
	}
	require.False(t, ValidIPAddress(4, IPAddr{}, false))
}

func TestConvertWeightsMatchesPython(t *testing.T) {
	g := loadGolden(t)
	require.NotEmpty(t, g.Emit)
	for i, c := range g.Emit {
		u, v, err := ConvertWeightsAndUIDsForEmit(c.UIDs, c.Weights)
		require.NoError(t, err, "case %d", i)
		require.Equal(t, len(c.OutUIDs), len(u), "case %d", i)
		if len(c.OutUIDs) > 0 {
			require.Equal(t, c.OutUIDs, u, "case %d", i)
			require.Equal(t, c.OutVals, v, "case %d", i)
		}
	}
	for _, bad := range []struct {
		u []int64
		w []float32
	}{{nil, nil}, {[]int64{1}, []float32{-1}}, {[]int64{-1}, []float32{1}}, {[]int64{1, 2}, []float32{1}}, {[]int64{70000}, []float32{1}}} {
		_, _, err := ConvertWeightsAndUIDsForEmit(bad.u, bad.w)
		require.ErrorIs(t, err, ErrInvalidWeights)
	}
}

// Vectors from subtensor's tests/math.rs::test_vec_u16_max_upscale_to_u16.
func TestMaxUpscaleToU16(t *testing.T) {
	for _, c := range []struct{ in, want []uint16 }{
		{[]uint16{}, []uint16{}},
		{[]uint16{0}, []uint16{0}},
		{[]uint16{0, 0}, []uint16{0, 0}},
		{[]uint16{1}, []uint16{65535}},
		{[]uint16{0, 1}, []uint16{0, 65535}},
		{[]uint16{65534}, []uint16{65535}},
		{[]uint16{65535}, []uint16{65535}},
		{[]uint16{65535, 65535}, []uint16{65535, 65535}},
		{[]uint16{0, 1, 65534}, []uint16{0, 1, 65535}},
		{[]uint16{0, 1, 2, 3, 4, 65533, 65535}, []uint16{0, 1, 2, 3, 4, 65533, 65535}},
		{[]uint16{16384}, []uint16{65535}},
		{[]uint16{32768}, []uint16{65535}},
		{[]uint16{32769}, []uint16{65535}},
	} {
		require.Equal(t, c.want, MaxUpscaleToU16(c.in), "%v", c.in)
	}
}

func TestCommitHashMatchesPython(t *testing.T) {
	g := loadGolden(t)
	require.NotEmpty(t, g.CommitHash)
	for _, c := range g.CommitHash {
		raw, err := hex.DecodeString(c.Hotkey)
		require.NoError(t, err)
		var hk AccountID
		copy(hk[:], raw)
		h := CommitHash(hk, NetUID(c.NetuidIndex%4096), MechID(c.NetuidIndex/4096), c.UIDs, c.Values, c.Salt, c.VersionKey)
		require.Equal(t, c.Hash, h.String())
	}
}

func TestModuleErrorIs(t *testing.T) {
	err := fmt.Errorf("set weights: %w", &ModuleError{Pallet: PalletSubtensor, Name: "SettingWeightsTooFast"})
	require.ErrorIs(t, err, ErrSettingWeightsTooFast)
	require.NotErrorIs(t, err, ErrIncorrectWeightVersionKey)
	var me *ModuleError
	require.True(t, errors.As(err, &me))
	require.Equal(t, "SettingWeightsTooFast", me.Name)

	require.ErrorIs(t, &InvalidTransactionError{Kind: "BadProof", Detail: "x"}, ErrBadSignature)
	require.NotErrorIs(t, &InvalidTransactionError{Kind: "Stale"}, ErrBadSignature)

	// The index table matches chain.md §5's spot values.
	for idx, name := range map[int]string{10: "NotEnoughStakeToSetWeights", 15: "NeuronNoValidatorPermit", 29: "SettingWeightsTooFast", 30: "IncorrectWeightVersionKey", 53: "CommitRevealEnabled", 79: "RevealTooEarly"} {
		got, ok := SubtensorErrorName(idx)
		require.True(t, ok)
		require.Equal(t, name, got)
	}
	require.Len(t, subtensorErrorNames, 147)
	_, ok := SubtensorErrorName(147)
	require.False(t, ok)
	require.Same(t, ErrSettingWeightsTooFast, SubtensorError("SettingWeightsTooFast"))
	require.ErrorIs(t, SubtensorError("Overflow"), &ModuleError{Pallet: PalletSubtensor, Name: "Overflow"})
}

func TestAccountIDRoundTrip(t *testing.T) {
	// //Alice's well-known public key and address.
	alice := MustParseAccountID("0xd43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d")
	require.Equal(t, "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY", alice.String())
	back, err := ParseAccountID(alice.String())
	require.NoError(t, err)
	require.Equal(t, alice, back)
	_, err = ParseAccountID("not-an-address")
	require.Error(t, err)
	_, err = ParseAccountID("0x1234")
	require.Error(t, err)
	txt, err := alice.MarshalText()
	require.NoError(t, err)
	var a2 AccountID
	require.NoError(t, a2.UnmarshalText(txt))
	require.Equal(t, alice, a2)
}

func FuzzParseAccountID(f *testing.F) {
	f.Add("5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY")
	f.Add("0xd43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		a, err := ParseAccountID(s)
		if err == nil {
			b, err := ParseAccountID(a.String())
			if err != nil || a != b {
				t.Fatalf("round trip of %q failed", s)
			}
		}
	})
}

func FuzzParseIP(f *testing.F) {
	for _, s := range []string{"1.2.3.4", "::1", "2001:db8::1", "::ffff:1.2.3.4", "", "fe80::1%eth0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ip, typ, err := ParseIP(s)
		if err != nil {
			return
		}
		if typ != 4 && typ != 6 {
			t.Fatalf("ip type %d", typ)
		}
		_ = ip.String()
	})
}

func FuzzConvertWeights(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7})
	f.Fuzz(func(t *testing.T, b []byte) {
		n := len(b) / 4
		uids := make([]int64, n)
		ws := make([]float32, n)
		for i := 0; i < n; i++ {
			uids[i] = int64(b[4*i])
			ws[i] = float32(uint32(b[4*i+1])|uint32(b[4*i+2])<<8) / float32(1+int(b[4*i+3]))
		}
		u, v, err := ConvertWeightsAndUIDsForEmit(uids, ws)
		if err != nil {
			return
		}
		if len(u) != len(v) {
			t.Fatal("length mismatch")
		}
		for _, x := range v {
			if x == 0 {
				t.Fatal("zero weight emitted")
			}
		}
	})
}

func FuzzServeAxonParamsFor(f *testing.F) {
	for _, s := range []string{"1.2.3.4:8091", "[::1]:1", "[2001:db8::1]:65535", "host:80", ":", "[fe80::1%eth0]:9"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ServeAxonParamsFor(1, s, 0)
		if err != nil {
			return
		}
		a := AxonInfo{IP: p.IP, Port: p.Port, IPType: p.IPType}
		back, err := ServeAxonParamsFor(1, a.Address(), 0)
		if err != nil || back.IP != p.IP || back.Port != p.Port {
			t.Fatalf("%q: address %q does not round-trip: %v", s, a.Address(), err)
		}
	})
}
