package metadata

import (
	"encoding/hex"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
)

type stateCall struct {
	ID            string         `json:"id"`
	Params        []any          `json:"params"`
	RuntimeAPI    string         `json:"runtime_api"`
	RuntimeMethod string         `json:"runtime_method"`
	DecodedInputs map[string]any `json:"decoded_inputs"`
	InputTypes    []struct {
		Name   string `json:"name"`
		TypeID uint32 `json:"type_id"`
	} `json:"input_types"`
	OutputTypeID *uint32        `json:"output_type_id_in_metadata"`
	Metadata     string         `json:"metadata"`
	Result       string         `json:"result"`
	DecodedFile  string         `json:"decoded_file"`
	SpotChecks   map[string]any `json:"spot_checks"`
	Decoded      any            `json:"decoded"`
}

func loadStateCalls(t testing.TB) []stateCall {
	var f struct {
		Calls []stateCall `json:"calls"`
	}
	readJSON(t, "testdata/state_calls.json", &f)
	require.NotEmpty(t, f.Calls)
	return f.Calls
}

// TestStateCallsThroughRegistry decodes every recorded runtime-API result
// with the output type the V15 metadata declares, and compares the whole
// decode with the @polkadot/types decode recorded in decoded/*.json. It
// also re-encodes the decoded inputs through the registry and checks them
// against the recorded state_call parameters.
func TestStateCallsThroughRegistry(t *testing.T) {
	calls := loadStateCalls(t)
	checked := 0
	for _, c := range calls {
		if c.OutputTypeID == nil {
			continue
		}
		t.Run(c.ID, func(t *testing.T) {
			m := loadMD(t, c.Metadata+"_v15")
			method, err := m.RuntimeAPIMethod(c.RuntimeAPI, c.RuntimeMethod)
			require.NoError(t, err)
			require.Equal(t, *c.OutputTypeID, method.Output)
			require.Equal(t, c.Params[0], method.StateCallName())

			// Inputs: encode the decoded inputs through the declared types.
			require.Len(t, method.Inputs, len(c.InputTypes))
			args := make([]any, len(method.Inputs))
			for i, in := range method.Inputs {
				require.Equal(t, c.InputTypes[i].Name, in.Name)
				require.Equal(t, c.InputTypes[i].TypeID, in.Type)
				args[i] = jsonArg(c.DecodedInputs[in.Name])
			}
			params, err := m.EncodeRuntimeAPIArgs(method, args...)
			require.NoError(t, err)
			require.Equal(t, hex.EncodeToString(mustHex(t, c.Params[1].(string))), hex.EncodeToString(params))

			raw := mustHex(t, c.Result)
			v, err := m.DecodeValue(method.Output, raw)
			require.NoError(t, err)
			got := jsonNormal(t, fixtureJSON(t, m, method.Output, v))

			var want struct {
				Decoded any `json:"decoded"`
			}
			readJSON(t, "testdata/"+c.DecodedFile, &want)
			require.Equal(t, want.Decoded, got)

			// Re-encoding the generic value reproduces the bytes.
			again, err := m.EncodeValue(method.Output, v)
			require.NoError(t, err)
			require.Equal(t, raw, again)
		})
		checked++
	}
	require.Equal(t, 5, checked)
}

// jsonArg turns a JSON-decoded input (float64 numbers, []any) into Go
// values the encoder accepts.
func jsonArg(v any) any {
	switch x := v.(type) {
	case float64:
		return uint64(x)
	case []any:
		out := make([]any, len(x))
		for i := range x {
			out[i] = jsonArg(x[i])
		}
		return out
	}
	return v
}

func TestStateCallsScalars(t *testing.T) {
	m := loadMD(t, "spec343_v15")
	for _, c := range loadStateCalls(t) {
		if c.ID != "get_subnet_burn_cost:SubnetRegistrationRuntimeApi_get_network_registration_cost" {
			continue
		}
		method, err := m.RuntimeAPIMethod("SubnetRegistrationRuntimeApi", "get_network_registration_cost")
		require.NoError(t, err)
		var cost uint64
		require.NoError(t, m.DecodeInto(method.Output, mustHex(t, c.Result), &cost))
		require.Equal(t, fmt.Sprint(c.Decoded.(map[string]any)["u64_le"]), fmt.Sprint(cost))
		return
	}
	t.Fatal("registration cost call not in fixture")
}
