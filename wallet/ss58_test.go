package wallet

import (
	"encoding/hex"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSS58Vectors(t *testing.T) {
	alice := mustHex(t, "d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d")
	btwallet := mustHex(t, "e4359ad3e2716c539a1d663ebd0a51bdc5c98a12e663bb4c4402db47828c9446")
	tests := []struct {
		name   string
		pub    []byte
		prefix uint16
		addr   string
	}{
		{"alice substrate", alice, 42, "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY"},
		// btwallet tests: the same key under prefix 0 (Polkadot) and 42.
		{"btwallet polkadot", btwallet, 0, "16ADqpMa4yzfmWs3nuTSMhfZ2ckeGtvqhPWCNqECEGDcGgU2"},
		{"btwallet substrate", btwallet, 42, "5HDvhV6WDCjCKyrXqGQSDYqQAzkzabNhctmiDYEqgBC66BsX"},
		// subkey gist: the same key under Kusama (2).
		{"kusama", mustHex(t, "6ce96ae5c300096b09dbd4567b0574f6a1281ae0e5cfe4f6b0233d1821f6206b"), 2, "F382dFg2DpXsEeCn1FBf6nTz5LAJcEL5aWrG4mmob1ndPqd"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.addr, SS58Encode(tt.pub, tt.prefix))
			pub, prefix, err := SS58Decode(tt.addr)
			require.NoError(t, err)
			require.Equal(t, tt.pub, pub)
			require.Equal(t, tt.prefix, prefix)
		})
	}
}

func TestSS58RoundTripAllPrefixes(t *testing.T) {
	pub := mustHex(t, "d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d")
	for p := uint16(0); p < 16384; p += 13 {
		if p == 46 || p == 47 {
			continue
		}
		addr := SS58Encode(pub, p)
		got, prefix, err := SS58Decode(addr)
		require.NoError(t, err, "prefix %d", p)
		require.Equal(t, p, prefix)
		require.Equal(t, pub, got)
	}
	// Two-byte boundary cases.
	for _, p := range []uint16{63, 64, 255, 256, 1284, 16383} {
		_, prefix, err := SS58Decode(SS58Encode(pub, p))
		require.NoError(t, err)
		require.Equal(t, p, prefix)
	}
	// Short payloads use a one-byte checksum; 33-byte (ECDSA) payloads two.
	for _, n := range []int{1, 2, 4, 8, 33} {
		payload := make([]byte, n)
		payload[0] = byte(n)
		got, prefix, err := SS58Decode(SS58Encode(payload, 42))
		require.NoError(t, err)
		require.Equal(t, uint16(42), prefix)
		require.Equal(t, payload, got)
	}
}

func TestSS58DecodeErrors(t *testing.T) {
	good := "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY"
	raw, err := base58Decode(good)
	require.NoError(t, err)
	flip := func(i int) string {
		b := append([]byte(nil), raw...)
		b[i] ^= 1
		return base58Encode(b)
	}
	withFirst := func(first byte) string {
		b := append([]byte(nil), raw...)
		b[0] = first
		return base58Encode(b)
	}
	pub := mustHex(t, "d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d")
	tests := []struct {
		name string
		addr string
		want error
	}{
		{"empty", "", ErrSS58Base58},
		{"bad character 0", "0" + good[1:], ErrSS58Base58},
		{"bad character l", good[:5] + "l" + good[6:], ErrSS58Base58},
		{"too long input", string(make([]byte, 300)), ErrSS58Base58},
		{"too short", "1", ErrSS58Length},
		{"truncated", base58Encode(raw[:len(raw)-1]), ErrSS58Length},
		{"two extra bytes", base58Encode(append(append([]byte(nil), raw...), 0, 0)), ErrSS58Length},
		{"extra byte reads as 33-byte payload", base58Encode(append(append([]byte(nil), raw...), 0)), ErrSS58Checksum},
		{"checksum", flip(len(raw) - 1), ErrSS58Checksum},
		{"payload bit", flip(10), ErrSS58Checksum},
		{"prefix byte ≥ 128", withFirst(0x80), ErrSS58Prefix},
		{"reserved 46", SS58Encode(pub, 46), ErrSS58ReservedPrefix},
		{"reserved 47", SS58Encode(pub, 47), ErrSS58ReservedPrefix},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := SS58Decode(tt.addr)
			require.ErrorIs(t, err, tt.want)
		})
	}
	_, err = DecodeAccountID(SS58Encode([]byte{1, 2, 3, 4}, 42))
	require.ErrorIs(t, err, ErrSS58Length)
	require.True(t, IsValidSS58Address(good))
	require.False(t, IsValidSS58Address(good[:40]))
}

func TestBase58Vectors(t *testing.T) {
	// Bitcoin base58 reference cases.
	for _, tt := range []struct{ hex, b58 string }{
		{"", ""},
		{"61", "2g"},
		{"626262", "a3gV"},
		{"636363", "aPEr"},
		{"00000000000000000000", "1111111111"},
		{"00eb15231dfceb60925886b67d065299925915aeb172c06647", "1NS17iag9jJgTHD1VXjvLCEnZuQ3rJDE9L"},
		{"516b6fcd0f", "ABnLTmg"},
		{"572e4794", "3EFU7m"},
		{"10c8511e", "Rt5zm"},
	} {
		b := mustHex(t, tt.hex)
		require.Equal(t, tt.b58, base58Encode(b))
		if tt.b58 != "" {
			got, err := base58Decode(tt.b58)
			require.NoError(t, err)
			require.Equal(t, tt.hex, hex.EncodeToString(got))
		}
	}
}
