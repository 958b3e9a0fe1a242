package middleware

import (
	"context"
	"net/http"
	"unsafe"

	"github.com/novastub/novastub/internal/uuid4"
)

// The request id headers oslo.middleware's RequestId (and nova's
// compute_req_id) put on every response, in Go's canonical form.
const (
	HeaderComputeRequestID   = "X-Compute-Request-Id"
	HeaderOpenstackRequestID = "X-Openstack-Request-Id"
)

type requestIDKey struct{}

// RequestID gives every request a fresh id, req-<uuid4>, sets it on the
// response as X-Compute-Request-Id and X-Openstack-Request-Id before next
// runs (so every answer has it, a 401 or a panic's 500 too), and puts it in
// the request context for RequestIDFrom. An inbound X-Openstack-Request-Id
// is not echoed: Nova uses it only as the global request id.
func RequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := SetRequestID(w.Header())
		next.ServeHTTP(w, r.WithContext(ContextWithRequestID(r.Context(), id)))
	})
}

// SetRequestID makes a new request id and sets it in h as
// X-Compute-Request-Id and X-Openstack-Request-Id, as RequestID does; a
// handler that runs its own pipeline calls it.
func SetRequestID(h http.Header) string {
	v := newRequestIDValue()
	h[HeaderComputeRequestID] = v
	h[HeaderOpenstackRequestID] = v
	return v[0]
}

// newRequestIDValue returns a header value of one new request id, the
// slice and the id's bytes in one allocation (every response carries one).
func newRequestIDValue() []string {
	p := new(struct {
		v  [1]string
		id [len("req-") + 36]byte
	})
	uuid4.Append(append(p.id[:0], "req-"...), uuid4.New())
	p.v[0] = unsafe.String(&p.id[0], len(p.id)) // p.id is never written again
	return p.v[:]
}

// ContextWithRequestID returns a copy of ctx that carries the request id,
// for RequestIDFrom.
func ContextWithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// RequestIDFrom returns the request id RequestID stored in ctx, or "".
func RequestIDFrom(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// NewRequestID returns a new request id in oslo.context's form,
// "req-" followed by a dashed uuid4.
func NewRequestID() string {
	var b [40]byte
	return string(uuid4.Append(append(b[:0], "req-"...), uuid4.New()))
}
