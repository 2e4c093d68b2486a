package synapse

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// DecodeHeaders skips sorting the keys when they are all canonical or all
// lower case; that is only sound if isCanonicalKey never accepts a name that
// http.CanonicalHeaderKey would change, nor two names that differ only in
// letter case.
func TestIsCanonicalKey(t *testing.T) {
	for k, want := range map[string]bool{
		"Bt_header_axon_nonce": true,
		"Content-Type":         true,
		"X-Abc-D":              true,
		"Timeout":              true,
		"1abc":                 true,
		"bt_header_axon_nonce": false,
		"BT_HEADER":            false,
		"Content-type":         false,
		"Bt header":            false, // not a token: net/http leaves it as is
		"Bt\xc3\xa9":           false,
		"":                     false,
	} {
		require.Equal(t, want, isCanonicalKey(k), "%q", k)
	}
	require.True(t, isLowerASCII("bt_header_axon_nonce"))
	require.False(t, isLowerASCII("bt_header_Axon"))
	require.False(t, isLowerASCII("bt_\xc3\x89")) // É: strings.ToLower would change it
}

func FuzzIsCanonicalKey(f *testing.F) {
	for _, s := range []string{"Bt_header_axon_nonce", "bt_header_axon_nonce", "Content-Type", "a b", "-a", "A--B", "\xff"} {
		f.Add(s, strings.ToLower(s))
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		if isCanonicalKey(a) {
			require.Equal(t, a, http.CanonicalHeaderKey(a))
			if isCanonicalKey(b) && a != b {
				require.NotEqual(t, strings.ToLower(a), strings.ToLower(b))
			}
		}
		if isLowerASCII(a) {
			require.Equal(t, a, strings.ToLower(a))
		}
	})
}

// lowerKey's table must agree with strings.ToLower, and spare the decoders an
// allocation for the headers every request and response carries.
func TestLowerKeyTable(t *testing.T) {
	for k, lk := range lowerKeys {
		require.Equal(t, strings.ToLower(k), lk, "%q", k)
	}
	for _, k := range []string{"Content-Type", "Content-Length", "Date", "User-Agent", "Accept-Encoding",
		"Bt_header_axon_nonce", "bt_header_dendrite_signature", "Computed_body_hash", "timeout"} {
		require.Zero(t, testing.AllocsPerRun(10, func() { _ = lowerKey(k) }), "%q", k)
	}
	require.Equal(t, "x-custom", lowerKey("X-Custom"))
}
