package dendrite

import (
	"net/http"
	"strings"
	"testing"

	"github.com/gotensor/gotensor/synapse"
	"github.com/gotensor/gotensor/synapse/synapsetest"
)

// FuzzMergeResponse feeds arbitrary statuses, headers and bodies to the
// response merge (Python's process_server_response): it must never panic,
// and an error must leave a synapse the caller can still read. The merge of
// the default path (headers as the list read off the wire) must agree with
// the net/http path's (headers in net/http's map).
func FuzzMergeResponse(f *testing.F) {
	f.Add(200, "bt_header_axon_status_code: 200\nbt_header_axon_process_time: 0.1\n",
		[]byte(`{"name":"Dummy","dummy_input":1,"dummy_output":2,"axon":{"status_code":null}}`))
	f.Add(403, "bt_header_axon_hotkey: 5Grw\n", []byte(`{"message":"Forbidden. Key is blacklisted: x."}`))
	f.Add(503, "bt_header_axon_status_code: abc\n", []byte(`{"message":null}`))
	f.Add(200, "", []byte(`[1,2]`))
	f.Add(200, "bt_header_dendrite_port: 99999999999999999999\n", []byte(`{"dummy_input":"x"}`))
	f.Add(500, "", []byte("<html>"))
	f.Fuzz(func(t *testing.T, status int, headers string, body []byte) {
		h := http.Header{}
		var fields []synapse.HeaderField
		for _, line := range strings.Split(headers, "\n") {
			if k, v, ok := strings.Cut(line, ": "); ok {
				h.Add(k, v)
				fields = append(fields, synapse.HeaderField{Key: k, Value: v})
			}
		}
		syn := synapsetest.NewDummy(1)
		err := mergeResponse(syn, status, h, body)
		if err == nil && status != http.StatusOK && syn.Axon.StatusCode == nil {
			t.Fatalf("status %d not recorded", status)
		}
		_ = syn.Dendrite.String()

		list := synapsetest.NewDummy(1)
		listErr := mergeResponseFields(list, status, fields, body)
		if (err == nil) != (listErr == nil) {
			t.Fatalf("map merge error %v, list merge error %v", err, listErr)
		}
		if err == nil && (syn.Axon.String() != list.Axon.String() || syn.Dendrite.String() != list.Dendrite.String()) {
			t.Fatalf("map merge %s / %s, list merge %s / %s", syn.Axon, syn.Dendrite, list.Axon, list.Dendrite)
		}
	})
}
