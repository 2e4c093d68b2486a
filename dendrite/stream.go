package dendrite

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"net/http"
	"strconv"
	"time"

	"github.com/gotensor/gotensor/synapse"
)

// StatusError is the failure of a stream, as Stream yields it. The same code
// and message are in the synapse's dendrite TerminalInfo.
type StatusError struct {
	Code    int
	Message string
}

func (e *StatusError) Error() string {
	return "dendrite: status " + strconv.Itoa(e.Code) + ": " + e.Message
}

// streamReadSize is the read buffer of a stream: one read is one
// ProcessChunk call.
const streamReadSize = 32 << 10

// Stream calls a streaming synapse and returns an iterator over the items
// its ProcessChunk and FinishStream methods cut from the response body, as
// they arrive (Python's call_stream). The request is sent when the loop
// starts. When the loop ends, syn is the final synapse: its TerminalInfo
// merged from the response headers and the dendrite status set as for Call.
//
// A failure (timeout, refused connection, non-200 answer, truncated body, an
// error from ProcessChunk) ends the sequence with one (nil, *StatusError)
// pair, whose code and message are also in syn's dendrite TerminalInfo; a
// programming error (see Call) ends it with that error. Breaking out of the
// loop cancels the request. The whole stream is bounded by the synapse
// timeout (or WithTimeout). Streams are not retried.
func Stream[T synapse.StreamingSynapse](ctx context.Context, d *Dendrite, target Target, syn T) iter.Seq2[[]byte, error] {
	return func(yield func([]byte, error) bool) {
		if isNilSynapse(syn) {
			yield(nil, ErrNilSynapse)
			return
		}
		if err := d.stream(ctx, target, syn, yield); err != nil {
			yield(nil, err)
		}
	}
}

// stream runs one streaming call; it returns the error to yield last, if
// any.
func (d *Dendrite) stream(parent context.Context, target Target, syn synapse.StreamingSynapse, yield func([]byte, error) bool) error {
	if target == nil || isNilInterface(target) {
		return d.programmerError(syn, ErrNilTarget)
	}
	if !d.enter() {
		return d.programmerError(syn, ErrClosed)
	}
	defer d.inflight.Done()

	start := time.Now()
	b := syn.SynapseBase()
	r, err := d.prepare(target, syn, false)
	if err != nil {
		return err
	}
	name, host, port, headers, body, timeout := r.name, r.host, r.port, r.header(), r.body, r.timeout
	r.release() // the map holds the strings; the body is not pooled

	ctx, cancel := context.WithTimeout(parent, time.Duration(timeout*float64(time.Second)))
	defer cancel()
	stop := context.AfterFunc(d.closeCtx, cancel)
	defer stop()

	finish := func(code int, msg string) error {
		b.Dendrite.StatusCode = synapse.Ptr(code)
		b.Dendrite.StatusMessage = synapse.Ptr(msg)
		return &StatusError{Code: code, Message: msg}
	}
	defer func() {
		elapsed := time.Since(start)
		b.Dendrite.ProcessTime = synapse.Ptr(elapsed.Seconds())
		d.metrics.observe(name, b.Dendrite.GetStatusCode(), elapsed)
	}()

	if host == "" || port <= 0 {
		return finish(http.StatusServiceUnavailable, serviceUnavailable(b, name))
	}
	select {
	case d.sem <- struct{}{}:
	case <-ctx.Done():
		return finish(timeoutStatus(ctx, timeout))
	}
	defer func() { <-d.sem }()
	d.metrics.started()
	defer d.metrics.done()

	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.url(host, port, name), bytes.NewReader(body))
	if err != nil {
		return finish(http.StatusServiceUnavailable, serviceUnavailable(b, name))
	}
	req.Header = headers
	resp, err := d.roundTrip(req)
	if err != nil {
		return finish(transportError(ctx, err, b, name, timeout))
	}
	defer resp.Body.Close()

	if resp.StatusCode != http.StatusOK {
		data, rbuf, err := readLimited(resp.Body, resp.ContentLength, d.cfg.maxResponseBytes)
		if err != nil {
			if ctx.Err() != nil {
				return finish(timeoutStatus(ctx, timeout))
			}
			return finish(http.StatusBadRequest, "Payload error: "+err.Error())
		}
		if err := mergeResponse(syn, resp.StatusCode, resp.Header, data); err != nil {
			return finish(http.StatusUnprocessableEntity, "Failed to parse response: "+err.Error())
		}
		putResponseBuf(rbuf)
		return &StatusError{Code: b.Dendrite.GetStatusCode(), Message: b.Dendrite.GetStatusMessage()}
	}

	buf := make([]byte, streamReadSize)
	var total int64
	for {
		n, rerr := resp.Body.Read(buf)
		if n > 0 {
			if total += int64(n); total > d.cfg.maxResponseBytes {
				return finish(http.StatusBadRequest, fmt.Sprintf("Payload error: stream larger than %d bytes", d.cfg.maxResponseBytes))
			}
			items, err := syn.ProcessChunk(buf[:n])
			if err != nil {
				return finish(http.StatusUnprocessableEntity, "Failed to parse response: "+err.Error())
			}
			for _, it := range items {
				if !yield(it, nil) {
					return nil
				}
			}
		}
		if errors.Is(rerr, io.EOF) {
			break
		}
		if rerr != nil {
			if ctx.Err() != nil {
				return finish(timeoutStatus(ctx, timeout))
			}
			return finish(http.StatusBadRequest, "Payload error: "+rerr.Error())
		}
	}
	items, err := syn.FinishStream(resp.Header)
	if err != nil {
		return finish(http.StatusUnprocessableEntity, "Failed to parse response: "+err.Error())
	}
	for _, it := range items {
		if !yield(it, nil) {
			return nil
		}
	}
	if err := synapse.DecodeTerminalHeaders(resp.Header, syn); err != nil {
		return finish(http.StatusUnprocessableEntity, "Failed to parse response: "+err.Error())
	}
	b.Dendrite.StatusCode = clonePtr(b.Axon.StatusCode)
	b.Dendrite.StatusMessage = clonePtr(b.Axon.StatusMessage)
	if code := b.Dendrite.GetStatusCode(); code != http.StatusOK {
		return &StatusError{Code: code, Message: b.Dendrite.GetStatusMessage()}
	}
	return nil
}
