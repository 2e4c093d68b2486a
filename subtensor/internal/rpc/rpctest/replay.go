package rpctest

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"
)

// recordedResponses is opentensor/bittensor's WEBSOCKET_RESPONSES
// (tests/helpers/integration_websocket_data.py at bb526e6d, release 10.2.0):
// mainnet traffic recorded from a live node, as JSON
// (seed → method → json.dumps(params) → response; {"__cycle__":[...]} marks
// answers given in turn). Copied from /work/shared/fixtures/finney-rpc.
//
//go:embed testdata/recorded_responses.json
var recordedResponses []byte

// metadataV14 is the result of state_getMetadata at node-subtensor spec
// 343 (same source), which the upstream fake socket serves for every seed.
//
//go:embed testdata/spec343_state_getMetadata_v14.hex
var metadataV14 string

// MetadataV14Hex returns the recorded state_getMetadata result (0x-hex,
// about 520 KB), a realistic large response.
func MetadataV14Hex() string { return strings.TrimSpace(metadataV14) }

// Replay answers requests from recorded mainnet traffic.
type Replay struct {
	seeds map[string]map[string]map[string]*recorded // seed → method → canonical params → answer
}

type recorded struct {
	mu      sync.Mutex
	answers []json.RawMessage // one, or several given in turn
	next    int
}

func (r *recorded) take() json.RawMessage {
	r.mu.Lock()
	defer r.mu.Unlock()
	a := r.answers[r.next%len(r.answers)]
	r.next++
	return a
}

// LoadRecorded parses the embedded bittensor recording.
func LoadRecorded() (*Replay, error) { return ParseRecording(recordedResponses) }

// ParseRecording parses a recording in the fixture's format: either
// {"responses": {...}} or the bare seed map.
func ParseRecording(data []byte) (*Replay, error) {
	var wrapped struct {
		Responses map[string]map[string]map[string]json.RawMessage `json:"responses"`
	}
	if err := json.Unmarshal(data, &wrapped); err != nil {
		return nil, fmt.Errorf("rpctest: parse recording: %w", err)
	}
	raw := wrapped.Responses
	if raw == nil {
		if err := json.Unmarshal(data, &raw); err != nil {
			return nil, fmt.Errorf("rpctest: parse recording: %w", err)
		}
	}
	rp := &Replay{seeds: make(map[string]map[string]map[string]*recorded, len(raw))}
	for seed, methods := range raw {
		ms := make(map[string]map[string]*recorded, len(methods))
		for method, byParams := range methods {
			ps := make(map[string]*recorded, len(byParams))
			for params, answer := range byParams {
				key, err := canonicalJSON([]byte(params))
				if err != nil {
					return nil, fmt.Errorf("rpctest: seed %s method %s: params %.60q: %w", seed, method, params, err)
				}
				rec := &recorded{}
				var cyc struct {
					Cycle []json.RawMessage `json:"__cycle__"`
				}
				if json.Unmarshal(answer, &cyc) == nil && len(cyc.Cycle) > 0 {
					rec.answers = cyc.Cycle
				} else {
					rec.answers = []json.RawMessage{answer}
				}
				ps[key] = rec
			}
			ms[method] = ps
		}
		rp.seeds[seed] = ms
	}
	return rp, nil
}

// Seeds lists the recorded seeds (upstream test names), sorted.
func (r *Replay) Seeds() []string {
	out := make([]string, 0, len(r.seeds))
	for s := range r.seeds {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

// Lookup returns the recorded answer object ({"result": ...} or
// {"error": ...}) of seed for method and params (any JSON spelling of the
// same value matches), advancing a cycle.
func (r *Replay) Lookup(seed, method string, params json.RawMessage) (json.RawMessage, error) {
	ms, ok := r.seeds[seed]
	if !ok {
		return nil, fmt.Errorf("%w: unknown seed %q", ErrNoRecording, seed)
	}
	ps, ok := ms[method]
	if !ok {
		return nil, fmt.Errorf("%w: seed %q has no %s", ErrNoRecording, seed, method)
	}
	if len(bytes.TrimSpace(params)) == 0 {
		params = json.RawMessage("[]")
	}
	key, err := canonicalJSON(params)
	if err != nil {
		return nil, fmt.Errorf("rpctest: params: %w", err)
	}
	rec, ok := ps[key]
	if !ok {
		return nil, fmt.Errorf("%w: seed %q %s %.80s", ErrNoRecording, seed, method, key)
	}
	return rec.take(), nil
}

// Handler serves seed's recording. state_getMetadata is answered with the
// recorded spec-343 metadata, as upstream's fake socket does. Requests
// without a recording get a JSON-RPC error (-32601) naming what is missing.
func (r *Replay) Handler(seed string) Handler {
	return func(_ context.Context, req *Request) Reply {
		if req.Method == "state_getMetadata" {
			return Reply{Result: MetadataV14Hex()}
		}
		answer, err := r.Lookup(seed, req.Method, req.Params)
		if err != nil {
			return Reply{Error: &ErrorObject{Code: -32601, Message: err.Error()}}
		}
		var obj struct {
			Result json.RawMessage `json:"result"`
			Error  *ErrorObject    `json:"error"`
		}
		if err := json.Unmarshal(answer, &obj); err != nil {
			return Reply{Error: &ErrorObject{Code: -32603, Message: "rpctest: bad recording: " + err.Error()}}
		}
		if obj.Error != nil {
			return Reply{Error: obj.Error}
		}
		if obj.Result == nil {
			obj.Result = json.RawMessage("null")
		}
		return Reply{Result: obj.Result}
	}
}

// canonicalJSON re-encodes a JSON value so that equal values compare equal
// as strings (Python's json.dumps spacing vs Go's; numbers kept exact).
func canonicalJSON(b []byte) (string, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return "", err
	}
	out, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	return string(out), nil
}
