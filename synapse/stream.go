package synapse

import (
	"bytes"
	"net/http"
)

// StreamContentType is the Content-Type of a streaming response, as
// Python's BTStreamingResponse sends it.
const StreamContentType = "text/event-stream"

// ChunkWriter is what a streaming forward function writes its response to.
//
// Contract for the server side (the axon): the response status is 200 and
// its headers are EncodeHeaders of the synapse as it stands when the stream
// starts, plus Content-Type: StreamContentType, sent before the first chunk
// (Python's BTStreamingResponse does the same; headers cannot change once the
// body has started). Each WriteChunk sends p as is and flushes it: there is
// no framing (no SSE "data:" lines, no length prefix), the subnet's protocol
// decides how the receiver cuts the byte stream. WriteChunk returns an
// error once the client has gone or the context of the call is done; a
// forward function should then stop. The stream ends when the forward
// function returns.
type ChunkWriter interface {
	WriteChunk(p []byte) error
}

// ChunkWriterFunc adapts a function to ChunkWriter.
type ChunkWriterFunc func(p []byte) error

// WriteChunk calls f(p).
func (f ChunkWriterFunc) WriteChunk(p []byte) error { return f(p) }

// StreamingSynapse is a synapse whose response is a byte stream rather than
// a JSON body: Python's bittensor.StreamingSynapse.
//
// Contract for the client side (the dendrite), which replaces Python's
// process_streaming_response and extract_response_json:
//
//  1. Send the request as for any synapse (headers and JSON body).
//  2. For each piece of the response body, in order, call ProcessChunk and
//     hand the returned items to the caller. Pieces are whatever the
//     transport reads: TCP may split or merge the server's chunks, so an
//     implementation that needs boundaries must frame the stream itself
//     (LineSplitter does so for newline-separated tokens).
//  3. At the end of the body call FinishStream with the response headers and
//     hand its items to the caller; then merge the response's TerminalInfo
//     headers into the synapse (DecodeTerminalHeaders) and set the dendrite
//     status from the axon's, as for a unary call.
//  4. A non-200 response is not a stream: its JSON body carries "message",
//     handled as for a unary call; neither method is called.
//
// ProcessChunk must not retain chunk after it returns (the transport reuses
// the buffer); returned items must not alias it either. Both methods may
// update the synapse, e.g. accumulate a completion, so that the final synapse
// reflects the whole stream.
type StreamingSynapse interface {
	Synapse
	ProcessChunk(chunk []byte) (items [][]byte, err error)
	FinishStream(h http.Header) (items [][]byte, err error)
}

// RawChunks can be embedded in a streaming synapse to deliver each piece of
// the body as one item, unchanged.
type RawChunks struct{}

// ProcessChunk returns a copy of chunk.
func (RawChunks) ProcessChunk(chunk []byte) ([][]byte, error) {
	if len(chunk) == 0 {
		return nil, nil
	}
	return [][]byte{bytes.Clone(chunk)}, nil
}

// FinishStream returns no items.
func (RawChunks) FinishStream(http.Header) ([][]byte, error) { return nil, nil }

// LineSplitter cuts a byte stream into lines at '\n', across chunk
// boundaries. The subnet template's StreamPrompting splits each received
// chunk on "\n" on its own, so its tokens depend on where the transport cut
// the stream; LineSplitter gives the same tokens whenever the server writes
// whole lines, and the right ones otherwise. Embedding it in a streaming
// synapse provides ProcessChunk (complete lines) and FinishStream (the
// unterminated rest). Lines are returned without their '\n'; empty lines
// are returned as empty items.
type LineSplitter struct {
	partial []byte
}

// Split returns the lines completed by chunk and keeps the unterminated rest.
func (l *LineSplitter) Split(chunk []byte) [][]byte {
	var lines [][]byte
	for {
		i := bytes.IndexByte(chunk, '\n')
		if i < 0 {
			break
		}
		line := make([]byte, 0, len(l.partial)+i)
		line = append(append(line, l.partial...), chunk[:i]...)
		l.partial = l.partial[:0]
		lines = append(lines, line)
		chunk = chunk[i+1:]
	}
	l.partial = append(l.partial, chunk...)
	return lines
}

// Flush returns the unterminated rest (nil when there is none) and resets.
func (l *LineSplitter) Flush() []byte {
	if len(l.partial) == 0 {
		return nil
	}
	rest := bytes.Clone(l.partial)
	l.partial = l.partial[:0]
	return rest
}

// ProcessChunk returns the lines completed by chunk.
func (l *LineSplitter) ProcessChunk(chunk []byte) ([][]byte, error) { return l.Split(chunk), nil }

// FinishStream returns the unterminated last line, if any.
func (l *LineSplitter) FinishStream(http.Header) ([][]byte, error) {
	if rest := l.Flush(); rest != nil {
		return [][]byte{rest}, nil
	}
	return nil, nil
}
