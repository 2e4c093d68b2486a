package neuron

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gotensor/gotensor/synapse"
	"github.com/gotensor/gotensor/synapse/synapsetest"
)

func TestReward(t *testing.T) {
	answered := func(status int, out *int) *Dummy {
		d := synapsetest.NewDummy(21)
		d.Dendrite.StatusCode = &status
		d.DummyOutput = out
		return d
	}
	for _, tc := range []struct {
		name string
		d    *Dummy
		want float64
	}{
		{"right", answered(200, synapse.Ptr(42)), 1},
		{"wrong", answered(200, synapse.Ptr(43)), 0},
		{"missing output", answered(200, nil), 0},
		{"timeout with a right-looking output", answered(408, synapse.Ptr(42)), 0},
		{"no answer", nil, 0},
	} {
		t.Run(tc.name, func(t *testing.T) { require.Equal(t, tc.want, Reward(21, tc.d)) })
	}
}

func TestDouble(t *testing.T) {
	got, err := Double(context.Background(), -7)
	require.NoError(t, err)
	require.Equal(t, -14, got)
}

func TestAnnounceAddr(t *testing.T) {
	for _, tc := range []struct {
		bound, ip string
		port      int
		want      string
		wantErr   bool
	}{
		{bound: "127.0.0.1:8091", want: "127.0.0.1:8091"},
		{bound: "0.0.0.0:8091", ip: "203.0.113.7", want: "203.0.113.7:8091"},
		{bound: "0.0.0.0:8091", ip: "203.0.113.7", port: 443, want: "203.0.113.7:443"},
		{bound: "[::]:8091", ip: "2001:db8::1", want: "[2001:db8::1]:8091"},
		{bound: "0.0.0.0:8091", wantErr: true},
		{bound: "0.0.0.0:8091", ip: "not-an-ip", wantErr: true},
		{bound: "garbage", wantErr: true},
	} {
		got, err := announceAddr(tc.bound, tc.ip, tc.port)
		if tc.wantErr {
			require.Error(t, err, "%+v", tc)
			continue
		}
		require.NoError(t, err)
		require.Equal(t, tc.want, got)
	}
}

func TestBlacklistWithoutMetagraph(t *testing.T) {
	refused, _ := blacklist(nil, "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY", false, false)
	require.True(t, refused)
	refused, _ = blacklist(nil, "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY", true, false)
	require.False(t, refused)
	require.Zero(t, callerStake(nil, "x"))
}

func TestNewValidatorNeedsKeyAndChain(t *testing.T) {
	_, err := NewValidator(ValidatorConfig{}, nil)
	require.Error(t, err)
}
