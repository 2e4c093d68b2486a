package subtensor

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/gotensor/gotensor/subtensor/internal/rpc"
)

// FuzzDecodeNeuronsLite feeds arbitrary bytes to the client's
// get_neurons_lite decode path: typed errors, never a panic.
func FuzzDecodeNeuronsLite(f *testing.F) {
	_, m := spec343V15(f)
	f.Add(neuronsLite256(f, m)[:4096])
	f.Add([]byte{0x04})
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0x0f})
	f.Fuzz(func(t *testing.T, b []byte) {
		ns, err := decodeNeuronsLite(m, b)
		if err == nil && ns == nil {
			t.Fatal("nil result without error")
		}
	})
}

// FuzzRuntimeAPIInto decodes arbitrary bytes as the dynamic runtime-API
// results the client maps onto Go structs (hyperparameters, dynamic info,
// metagraph): the generic converter must reject, never panic.
func FuzzRuntimeAPIInto(f *testing.F) {
	_, m := spec343V15(f)
	type target struct {
		method string
		out    func() any
	}
	targets := []target{
		{"get_subnet_hyperparams_v2", func() any { return new(SubnetHyperparams) }},
		{"get_dynamic_info", func() any { return new(DynamicInfo) }},
		{"get_metagraph", func() any { return new(Metagraph) }},
		{"get_subnet_info_v2", func() any { return new(SubnetInfo) }},
	}
	f.Add(uint8(0), []byte{1, 0})
	f.Add(uint8(1), []byte{1, 4, 0, 0})
	f.Add(uint8(2), []byte{0})
	f.Fuzz(func(t *testing.T, which uint8, b []byte) {
		tg := targets[int(which)%len(targets)]
		am, err := m.RuntimeAPIMethod(apiSubnetInfo, tg.method)
		if err != nil {
			t.Skip("method not in this metadata")
		}
		v, err := m.DecodeValue(am.Output, b)
		if err != nil || v == nil {
			return
		}
		out := tg.out()
		_ = assign(reflect.ValueOf(out).Elem(), v, tg.method)
	})
}

// FuzzParseStatus parses arbitrary author_extrinsicUpdate payloads and
// pool error objects.
func FuzzParseStatus(f *testing.F) {
	for _, s := range []string{`"ready"`, `{"inBlock":"0x00"}`, `{"finalized":"0x01"}`, `"dropped"`, `{}`, `[1]`, `{"a":1,"b":2}`} {
		f.Add([]byte(s), `{"invalid":{"custom":7}}`)
	}
	f.Fuzz(func(t *testing.T, status []byte, msg string) {
		_, _ = parseStatus(json.RawMessage(status))
		_ = poolError(&rpc.Error{Code: rpc.CodeInvalidTransaction, Message: msg, Data: json.RawMessage(status)})
	})
}
