package axon_test

import (
	"context"
	"encoding/json"
	"math"
	"net/http"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gotensor/gotensor/axon"
	"github.com/gotensor/gotensor/synapse"
)

// Scored has one hashed float field; testdata/gen_negzero.py mirrors it.
type Scored struct {
	synapse.Base
	Score float64 `json:"score"`
}

func (*Scored) RequiredHashFields() []string { return []string{"score"} }

// TestResponseNegativeZero: a forward answering -0.0 in a hashed float
// field. encoding/json would write -0, which Python reads as the int 0 and
// hashes as "0.0"; the body must carry -0.0, and the computed_body_hash
// header must be what CPython computes from that body
// (testdata/negzero.json, made by testdata/gen_negzero.py).
func TestResponseNegativeZero(t *testing.T) {
	var golden struct {
		Bodies map[string]struct {
			Str      string `json:"str"`
			BodyHash string `json:"body_hash"`
		} `json:"bodies"`
	}
	raw, err := os.ReadFile("testdata/negzero.json")
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(raw, &golden))
	want, wrong := golden.Bodies[`{"score": -0.0}`], golden.Bodies[`{"score": -0}`]
	require.Equal(t, "-0.0", want.Str)
	require.NotEqual(t, want.BodyHash, wrong.BodyHash, "the golden must tell the two encodings apart")

	k := testKeys(t)
	a := startAxon(t, k)
	axon.Attach(a, func(_ context.Context, s *Scored) (*Scored, error) {
		s.Score = math.Copysign(0, -1)
		return s, nil
	})
	req := synapse.New[Scored]()
	req.Score = 1.5
	resp := send(t, http.DefaultClient, a.Addr(), newSigner(k.bob, k.alice.SS58Address()).build(t, req, nil))
	require.Equal(t, http.StatusOK, resp.status, "%s", resp.body)
	require.Contains(t, string(resp.body), `"score":-0.0`)
	require.NotContains(t, string(resp.body), `"score":-0,`)
	require.Equal(t, want.BodyHash, resp.header("computed_body_hash"))

	var back Scored
	require.NoError(t, json.Unmarshal(resp.body, &back))
	require.True(t, math.Signbit(back.Score), "the body decodes to negative zero")
}
