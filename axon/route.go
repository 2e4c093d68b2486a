package axon

import (
	"context"
	"fmt"
	"net/http"
	"reflect"
	"runtime/debug"
	"time"

	"github.com/gotensor/gotensor/synapse"
)

// routeHandler is the type-erased face of a route[T].
type routeHandler interface {
	routeName() string
	// serve answers the request and returns the status it wrote.
	serve(a *Axon, ex exchange, start time.Time) int
}

// route is one attached synapse type with its hooks.
type route[T synapse.Synapse] struct {
	name      string
	elem      reflect.Type // the struct type T points to
	forward   func(context.Context, T) (T, error)
	stream    func(context.Context, T, *StreamWriter) error
	blacklist func(context.Context, T) (bool, string)
	priority  func(context.Context, T) float64
	verify    func(context.Context, T) error
}

// RouteOption configures one route. The type parameter is inferred from the
// function passed to WithBlacklist, WithPriority or WithVerify.
type RouteOption[T synapse.Synapse] func(*route[T])

// WithBlacklist installs a blacklist function. It runs after verification,
// so the dendrite hotkey it sees is authenticated (Python ran it before).
// Returning (true, reason) answers 403 with
// "Forbidden. Key is blacklisted: {reason}.".
func WithBlacklist[T synapse.Synapse](fn func(context.Context, T) (blacklisted bool, reason string)) RouteOption[T] {
	return func(r *route[T]) { r.blacklist = fn }
}

// WithPriority installs a priority function: when all forward slots are
// busy, waiting requests are served highest priority first (FIFO among
// equals). NaN counts as the lowest priority.
func WithPriority[T synapse.Synapse](fn func(context.Context, T) float64) RouteOption[T] {
	return func(r *route[T]) { r.priority = fn }
}

// WithVerify installs an extra verification step. It runs after the
// built-in verification, which cannot be turned off: a request always needs
// a valid signature by its dendrite hotkey over
// "{nonce}.{dendrite_hotkey}.{axon_hotkey}.{uuid}.{body_hash}", a fresh nonce,
// this axon's hotkey and a body matching computed_body_hash. A non-nil error
// answers 401 with "Not Verified with error: {err}".
func WithVerify[T synapse.Synapse](fn func(context.Context, T) error) RouteOption[T] {
	return func(r *route[T]) { r.verify = fn }
}

// Attach adds the route "/{name}" for synapse type T, where name is
// synapse.Name of T (the Go type name unless T implements SynapseName).
// forward receives the request synapse and returns the response synapse
// (usually the same value, filled in). It runs under a context that ends at
// the synapse timeout or when the client disconnects. Returning a
// *StatusError answers with that status; any other error (or a panic)
// answers 500 "Internal Server Error #<id>" and is logged with the id.
//
// T must be a pointer to a struct that embeds synapse.Base. Attach panics if
// it is not, or if the name is already attached (like http.ServeMux.Handle).
// Routes may be attached while the axon serves.
func Attach[T synapse.Synapse](a *Axon, forward func(context.Context, T) (T, error), opts ...RouteOption[T]) {
	if forward == nil {
		panic("axon: Attach with a nil forward")
	}
	r := newRoute(opts)
	r.forward = forward
	a.addRoute(r)
}

// AttachStream adds a streaming route: forward writes the response body in
// chunks through the StreamWriter. The response is sent as Python's
// BTStreamingResponse sends it: status 200, content-type
// text/event-stream, the synapse headers (taken when the first chunk is
// written, so set the synapse fields before writing), then the raw chunks,
// each flushed, without any framing. The pipeline before forward is the
// same as Attach's.
//
// T is a synapse.StreamingSynapse, whose client half (ProcessChunk,
// FinishStream) the dendrite uses to read the stream.
func AttachStream[T synapse.StreamingSynapse](a *Axon, forward func(context.Context, T, *StreamWriter) error, opts ...RouteOption[T]) {
	if forward == nil {
		panic("axon: AttachStream with a nil forward")
	}
	r := newRoute(opts)
	r.stream = forward
	a.addRoute(r)
}

func newRoute[T synapse.Synapse](opts []RouteOption[T]) *route[T] {
	t := reflect.TypeFor[T]()
	if t.Kind() != reflect.Pointer || t.Elem().Kind() != reflect.Struct {
		panic(fmt.Sprintf("axon: synapse type %v must be a pointer to a struct embedding synapse.Base", t))
	}
	r := &route[T]{elem: t.Elem()}
	r.name = synapse.Name(r.newSynapse())
	if r.name == "" {
		panic(fmt.Sprintf("axon: synapse type %v has no name", t))
	}
	for _, o := range opts {
		o(r)
	}
	return r
}

func (r *route[T]) routeName() string { return r.name }

// newSynapse allocates a zero T with Python's defaults (name, timeout).
func (r *route[T]) newSynapse() T {
	s := reflect.New(r.elem).Interface().(T)
	synapse.ApplyDefaults(s)
	return s
}

// panicError is a panic in user code, turned into an error so that the
// request gets a 500 and the server lives on.
type panicError struct {
	value any
	stack []byte
}

func (p *panicError) Error() string { return fmt.Sprintf("panic: %v", p.value) }

// guard runs fn and converts a panic into a *panicError. http.ErrAbortHandler
// is re-raised: it is net/http's own way to abort a response.
func guard(fn func() error) (err error) {
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			err = &panicError{value: v, stack: debug.Stack()}
		}
	}()
	return fn()
}

// isNil reports whether a synapse value is a nil pointer (a forward that
// returned (nil, nil)).
func isNil[T synapse.Synapse](s T) bool {
	v := reflect.ValueOf(s)
	return !v.IsValid() || (v.Kind() == reflect.Pointer && v.IsNil())
}
