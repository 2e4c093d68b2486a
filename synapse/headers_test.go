package synapse_test

import (
	"encoding/base64"
	"errors"
	"math/big"
	"net/http"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gotensor/gotensor/synapse"
	"github.com/gotensor/gotensor/synapse/synapsetest"
)

func TestGoldenCasts(t *testing.T) {
	var g struct {
		Ints   [][2]*string `json:"int_casts"`
		Floats [][2]*string `json:"float_casts"`
	}
	loadJSON(t, "testdata/golden.json", &g)
	require.NotEmpty(t, g.Ints)
	for _, c := range g.Ints {
		n, err := synapse.ParsePythonInt(*c[0])
		if c[1] == nil {
			require.Error(t, err, "int(%q) raises in Python", *c[0])
			continue
		}
		require.NoError(t, err, "int(%q)", *c[0])
		require.Equal(t, *c[1], strconv.FormatInt(n, 10))
	}
	for _, c := range g.Floats {
		f, err := synapse.ParsePythonFloat(*c[0])
		if c[1] == nil {
			require.Error(t, err, "float(%q) raises in Python", *c[0])
			continue
		}
		require.NoError(t, err, "float(%q)", *c[0])
		require.Equal(t, *c[1], synapse.FormatFloat(f), "float(%q)", *c[0])
	}
	_, err := synapse.ParsePythonInt("9223372036854775808")
	require.Error(t, err, "beyond int64: Python accepts it, a Go int64 field cannot")
}

func TestEncodeHeadersLowercaseKeys(t *testing.T) {
	d := synapsetest.NewDummy(3)
	d.Dendrite.Hotkey = synapse.Ptr("5Hot")
	d.Dendrite.Signature = synapse.Ptr("0xabc")
	h, err := synapse.EncodeHeaders(d)
	require.NoError(t, err)
	for k := range h {
		require.Regexp(t, `^[a-z_]+$`, k)
	}
	require.Equal(t, []string{"5Hot"}, h["bt_header_dendrite_hotkey"])
	require.Equal(t, "", h.Get("bt_header_dendrite_hotkey"), "http.Header.Get only finds canonical keys")
	v, ok := synapse.GetHeader(h, "BT_HEADER_DENDRITE_HOTKEY")
	require.True(t, ok)
	require.Equal(t, "5Hot", v)

	// SetHeaders replaces earlier spellings.
	dst := http.Header{}
	dst.Set("Name", "Other")
	require.NoError(t, synapse.SetHeaders(dst, d))
	require.Equal(t, []string{"Dummy"}, dst["name"])
	_, stale := dst["Name"]
	require.False(t, stale)

	// EncodeHeaders applies Python's updates to the synapse.
	raw := &synapsetest.Dummy{}
	_, err = synapse.EncodeHeaders(raw)
	require.NoError(t, err)
	require.Equal(t, "Dummy", raw.Name)
	require.Equal(t, synapse.DefaultTimeout, raw.Timeout)
	require.Positive(t, raw.TotalSize)
}

func TestDecodeHeaders(t *testing.T) {
	h := http.Header{
		"name":                            {"Spoofed"},
		"Timeout":                         {" 3.5 "},
		"header_size":                     {"640"},
		"TOTAL_SIZE":                      {"1_000"},
		"computed_body_hash":              {"abc"},
		"bt_header_axon_status_code":      {"200"},
		"Bt_header_axon_status_message":   {"Success"},
		"bt_header_axon_process_time":     {"0.25"},
		"bt_header_axon_unknown_field":    {"ignored"},
		"bt_header_dendrite_ip":           {"1.2.3.4"},
		"bt_header_dendrite_port":         {"8091"},
		"bt_header_dendrite_version":      {"10002000"},
		"bt_header_dendrite_nonce":        {"1700000000000000000"},
		"bt_header_dendrite_uuid":         {"u-1"},
		"bt_header_dendrite_hotkey":       {"5Hot"},
		"bt_header_dendrite_signature":    {"0xsig"},
		"bt_header_input_obj_dummy_input": {base64.StdEncoding.EncodeToString([]byte("41"))},
		"bt_header_input_obj_axon":        {base64.StdEncoding.EncodeToString([]byte(`{"ip":"6.6.6.6"}`))},
		"bt_header_input_obj_timeout":     {base64.StdEncoding.EncodeToString([]byte(`99`))},
		"bt_header_input_obj_nope":        {"!!!"},
		"X-Unrelated":                     {"x"},
		"Empty":                           {},
	}
	d := &synapsetest.Dummy{}
	require.NoError(t, synapse.DecodeHeaders(h, d))
	require.Equal(t, "Dummy", d.Name, "name always becomes the route name")
	require.Equal(t, 3.5, d.Timeout)
	require.Equal(t, int64(640), d.HeaderSize)
	require.Equal(t, int64(1000), d.TotalSize)
	require.Equal(t, "abc", d.ComputedBodyHash)
	require.Equal(t, 200, d.Axon.GetStatusCode())
	require.Equal(t, "Success", d.Axon.GetStatusMessage())
	require.Equal(t, 0.25, d.Axon.GetProcessTime())
	require.Nil(t, d.Axon.IP, "input objects cannot override axon")
	require.Equal(t, "1.2.3.4", d.Dendrite.GetIP())
	require.Equal(t, 8091, d.Dendrite.GetPort())
	require.Equal(t, int64(10002000), d.Dendrite.GetVersion())
	require.Equal(t, int64(1700000000000000000), d.Dendrite.GetNonce())
	require.Equal(t, "u-1", d.Dendrite.GetUUID())
	require.Equal(t, "5Hot", d.Dendrite.GetHotkey())
	require.Equal(t, "0xsig", d.Dendrite.GetSignature())
	require.Equal(t, 41, d.DummyInput)
	require.Nil(t, d.DummyOutput)
}

func TestDecodeHeadersErrors(t *testing.T) {
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	cases := []struct{ key, value string }{
		{"timeout", "soon"},
		{"timeout", "0x1p3"},
		{"header_size", "1.5"},
		{"total_size", ""},
		{"bt_header_axon_port", "80a"},
		{"bt_header_axon_port", "99999999999"},
		{"bt_header_dendrite_status_code", "OK"},
		{"bt_header_dendrite_nonce", "99999999999999999999"},
		{"bt_header_dendrite_version", "--1"},
		{"bt_header_axon_process_time", "fast"},
		{"bt_header_input_obj_dummy_input", "not base64!"},
		{"bt_header_input_obj_dummy_input", b64("{")},
		{"bt_header_input_obj_dummy_input", b64(`"str"`)},
	}
	for _, c := range cases {
		t.Run(c.key+"="+c.value, func(t *testing.T) {
			err := synapse.DecodeHeaders(http.Header{c.key: {c.value}}, &synapsetest.Dummy{})
			require.ErrorIs(t, err, synapse.ErrHeaderParse)
			var he *synapse.HeaderError
			require.True(t, errors.As(err, &he))
			require.Equal(t, c.key, he.Header)
			require.Contains(t, err.Error(), c.key)
		})
	}
	long := make([]byte, 500)
	for i := range long {
		long[i] = 'x'
	}
	err := synapse.DecodeHeaders(http.Header{"timeout": {string(long)}}, &synapsetest.Dummy{})
	var he *synapse.HeaderError
	require.True(t, errors.As(err, &he))
	require.Less(t, len(he.Value), 100, "long values are truncated in errors")

	require.ErrorIs(t, synapse.DecodeHeaders(http.Header{}, nil), synapse.ErrNotSynapse)
	var nilDummy *synapsetest.Dummy
	require.ErrorIs(t, synapse.DecodeHeaders(http.Header{}, nilDummy), synapse.ErrNotSynapse)
}

func TestDecodeTerminalHeaders(t *testing.T) {
	d := synapsetest.NewDummy(5)
	d.Dendrite.IP = synapse.Ptr("local")
	d.Dendrite.Hotkey = synapse.Ptr("5Me")
	h := http.Header{
		"Bt_header_axon_status_code":      {"403"},
		"bt_header_dendrite_ip":           {"seen-by-axon"},
		"bt_header_input_obj_dummy_input": {"MA=="},
		"timeout":                         {"1.0"},
	}
	require.NoError(t, synapse.DecodeTerminalHeaders(h, d))
	require.Equal(t, 403, d.Axon.GetStatusCode())
	require.Equal(t, "seen-by-axon", d.Dendrite.GetIP())
	require.Equal(t, "5Me", d.Dendrite.GetHotkey(), "absent fields stay")
	require.Equal(t, 5, d.DummyInput, "input objects are not applied")
	require.Equal(t, synapse.DefaultTimeout, d.Timeout)
	require.ErrorIs(t, synapse.DecodeTerminalHeaders(http.Header{"bt_header_axon_port": {"x"}}, d), synapse.ErrHeaderParse)
}

func TestHeaderRoundTrip(t *testing.T) {
	m := synapse.New[Mixed]()
	m.FInt = 9
	m.FOptStr = synapse.Ptr("x")
	m.FBig = big.NewInt(5)
	m.Axon = synapse.TerminalInfo{
		StatusCode: synapse.Ptr(408), StatusMessage: synapse.Ptr("Request timeout after 12.0 seconds"),
		ProcessTime: synapse.Ptr(12.000123), IP: synapse.Ptr("::1"), Port: synapse.Ptr(1), Version: synapse.Ptr(int64(7002000)),
		Nonce: synapse.Ptr(int64(-1)), UUID: synapse.Ptr("u"), Hotkey: synapse.Ptr("h"), Signature: synapse.Ptr("0x00"),
	}
	m.Dendrite = m.Axon.Clone()
	h, err := synapse.EncodeHeaders(m)
	require.NoError(t, err)
	back := synapse.New[Mixed]()
	require.NoError(t, synapse.DecodeHeaders(h, back))
	require.Equal(t, m.Axon, back.Axon)
	require.Equal(t, m.Dendrite, back.Dendrite)
	require.Equal(t, m.TotalSize, back.TotalSize)
	hash, err := synapse.BodyHash(m)
	require.NoError(t, err)
	require.Equal(t, hash, back.ComputedBodyHash)
	// Placeholders, not data, travel in headers.
	require.Equal(t, 0, back.FInt)
	require.Equal(t, "", *back.FOptStr)
	require.Equal(t, "0", back.FBig.String())
}

func TestStatusHelpers(t *testing.T) {
	cases := []struct {
		code                                         *int
		success, failure, timeout, blacklist, verify bool
	}{
		{nil, false, true, false, false, false},
		{synapse.Ptr(200), true, false, false, false, false},
		{synapse.Ptr(408), false, true, true, false, false},
		{synapse.Ptr(403), false, true, false, true, false},
		{synapse.Ptr(401), false, true, false, false, true},
		{synapse.Ptr(500), false, true, false, false, false},
	}
	for _, c := range cases {
		b := synapse.Base{Dendrite: synapse.TerminalInfo{StatusCode: c.code}}
		require.Equal(t, c.success, b.IsSuccess())
		require.Equal(t, c.failure, b.IsFailure())
		require.Equal(t, c.timeout, b.IsTimeout())
		require.Equal(t, c.blacklist, b.IsBlacklist())
		require.Equal(t, c.verify, b.FailedVerification())
	}
}

func TestVersionAsInt(t *testing.T) {
	require.Equal(t, int64(10002000), synapse.VersionAsInt)
	require.Equal(t, int64(7002000), synapse.VersionToInt(7, 2, 0))
}

func TestTerminalInfoStringHidesSignature(t *testing.T) {
	ti := synapse.TerminalInfo{Hotkey: synapse.Ptr("5H"), Signature: synapse.Ptr("0xdeadbeef"), ProcessTime: synapse.Ptr(1e-05)}
	s := ti.String()
	require.NotContains(t, s, "deadbeef")
	require.Contains(t, s, "process_time=1e-05")
	require.True(t, (&synapse.TerminalInfo{}).IsZero())
}

func TestNilSynapses(t *testing.T) {
	var d *synapsetest.Dummy
	require.ErrorIs(t, synapse.DecodeTerminalHeaders(http.Header{}, d), synapse.ErrNotSynapse)
	require.ErrorIs(t, synapse.DecodeHeaders(http.Header{}, d), synapse.ErrNotSynapse)
	_, err := synapse.EncodeHeaders(d)
	require.ErrorIs(t, err, synapse.ErrNotSynapse)
	_, err = synapse.EncodeBody(d)
	require.ErrorIs(t, err, synapse.ErrNotSynapse)
	require.ErrorIs(t, synapse.DecodeBody([]byte(`{}`), d), synapse.ErrNotSynapse)
	require.NotPanics(t, func() { synapse.ApplyDefaults(d) })
	require.Nil(t, synapse.Copy(d))
	_, err = synapse.EncodeHeaders(nil)
	require.ErrorIs(t, err, synapse.ErrNotSynapse)
}

// TestDecodeHeadersSpellings: whatever the map order, two spellings of one
// header resolve the same way (the greatest spelling wins: lower case over
// net/http's canonical form), and with several bad headers the error names
// the same one, the first in sorted order.
func TestDecodeHeadersSpellings(t *testing.T) {
	for _, tc := range []struct {
		name string
		h    http.Header
		want int64
	}{
		{"canonical and lower", http.Header{"Bt_header_dendrite_nonce": {"1"}, "bt_header_dendrite_nonce": {"2"}}, 2},
		{"upper and lower", http.Header{"BT_HEADER_DENDRITE_NONCE": {"3"}, "bt_header_dendrite_nonce": {"2"}}, 2},
		{"upper and canonical", http.Header{"BT_HEADER_DENDRITE_NONCE": {"3"}, "Bt_header_dendrite_nonce": {"1"}}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for range 50 { // map iteration order is random
				var d synapsetest.Dummy
				require.NoError(t, synapse.DecodeHeaders(tc.h, &d))
				require.Equal(t, tc.want, d.Dendrite.GetNonce())
				var term synapsetest.Dummy
				require.NoError(t, synapse.DecodeTerminalHeaders(tc.h, &term))
				require.Equal(t, tc.want, term.Dendrite.GetNonce())
			}
		})
	}
	for _, h := range []http.Header{
		{"Bt_header_axon_port": {"x"}, "Bt_header_dendrite_nonce": {"y"}, "Bt_header_axon_nonce": {"z"}},
		{"bt_header_axon_port": {"x"}, "bt_header_dendrite_nonce": {"y"}, "bt_header_axon_nonce": {"z"}},
	} {
		for range 50 {
			var d synapsetest.Dummy
			var he *synapse.HeaderError
			require.ErrorAs(t, synapse.DecodeHeaders(h, &d), &he)
			require.Equal(t, "bt_header_axon_nonce", he.Header)
			require.ErrorAs(t, synapse.DecodeTerminalHeaders(h, &d), &he)
			require.Equal(t, "bt_header_axon_nonce", he.Header)
		}
	}
}

func TestAppendHeaderFields(t *testing.T) {
	d := synapsetest.NewDummy(3)
	want, err := synapse.HeaderFields(d)
	require.NoError(t, err)
	prefix := []synapse.HeaderField{{Key: "x", Value: "kept"}}
	got, err := synapse.AppendHeaderFields(prefix, d)
	require.NoError(t, err)
	require.Equal(t, prefix, got[:1])
	require.Equal(t, want, got[1:], "header_size counts only the appended fields")

	got, err = synapse.AppendHeaderFields(prefix, nil)
	require.ErrorIs(t, err, synapse.ErrNotSynapse)
	require.Equal(t, prefix, got)
}
