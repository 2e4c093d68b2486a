package synapse_test

import (
	"bytes"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gotensor/gotensor/synapse"
)

// StreamPrompting mirrors the subnet template's streaming tutorial synapse.
type StreamPrompting struct {
	synapse.Base
	synapse.LineSplitter
	Roles      []string `json:"roles"`
	Messages   []string `json:"messages"`
	Completion string   `json:"completion" synapse:"optional"`
}

func (*StreamPrompting) RequiredHashFields() []string { return []string{"messages"} }

// ProcessChunk accumulates the completion as the template does.
func (s *StreamPrompting) ProcessChunk(chunk []byte) ([][]byte, error) {
	lines := s.Split(chunk)
	for _, l := range lines {
		s.Completion += string(l)
	}
	return lines, nil
}

func (s *StreamPrompting) FinishStream(h http.Header) ([][]byte, error) {
	rest, err := s.LineSplitter.FinishStream(h)
	for _, l := range rest {
		s.Completion += string(l)
	}
	return rest, err
}

var _ synapse.StreamingSynapse = (*StreamPrompting)(nil)

func TestStreamingContract(t *testing.T) {
	s := synapse.New[StreamPrompting]()
	s.Roles, s.Messages = []string{"user"}, []string{"hi"}
	fields, err := synapse.HeaderFields(s)
	require.NoError(t, err)
	var keys []string
	for _, f := range fields {
		keys = append(keys, f.Key)
	}
	require.Contains(t, keys, "bt_header_input_obj_roles")
	require.NotContains(t, keys, "bt_header_input_obj_completion")

	// The server writes whole tokens; the transport re-cuts the stream.
	var wire bytes.Buffer
	w := synapse.ChunkWriterFunc(func(p []byte) error { _, err := wire.Write(p); return err })
	for _, tok := range []string{"Hel", "lo\n", "wor", "ld\n\n", "tail"} {
		require.NoError(t, w.WriteChunk([]byte(tok)))
	}
	var items []string
	data := wire.Bytes()
	for i := 0; i < len(data); i += 3 {
		got, err := s.ProcessChunk(data[i:min(i+3, len(data))])
		require.NoError(t, err)
		for _, it := range got {
			items = append(items, string(it))
		}
	}
	rest, err := s.FinishStream(http.Header{})
	require.NoError(t, err)
	for _, it := range rest {
		items = append(items, string(it))
	}
	require.Equal(t, []string{"Hello", "world", "", "tail"}, items)
	require.Equal(t, "Helloworldtail", s.Completion)
	rest, err = s.FinishStream(http.Header{})
	require.NoError(t, err)
	require.Empty(t, rest)
}

func TestRawChunksAndWriterErrors(t *testing.T) {
	var r synapse.RawChunks
	buf := []byte("abc")
	items, err := r.ProcessChunk(buf)
	require.NoError(t, err)
	buf[0] = 'X'
	require.Equal(t, "abc", string(items[0]), "items must not alias the transport buffer")
	items, err = r.ProcessChunk(nil)
	require.NoError(t, err)
	require.Empty(t, items)
	items, err = r.FinishStream(nil)
	require.NoError(t, err)
	require.Empty(t, items)

	gone := errors.New("client gone")
	w := synapse.ChunkWriterFunc(func([]byte) error { return gone })
	require.ErrorIs(t, w.WriteChunk([]byte("x")), gone)
	require.Equal(t, "text/event-stream", synapse.StreamContentType)

	var l synapse.LineSplitter
	require.Empty(t, l.Split([]byte(strings.Repeat("x", 10))))
	require.Equal(t, [][]byte{[]byte(strings.Repeat("x", 10))}, l.Split([]byte("\n")))
	require.Nil(t, l.Flush())
}
