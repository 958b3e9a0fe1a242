package middleware

import (
	"context"
	crand "crypto/rand"
	"encoding/binary"
	"math/rand/v2"
	"net/http"
	"sync"

	"github.com/google/uuid"
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
		id := NewRequestID()
		v := []string{id}
		h := w.Header()
		h[HeaderComputeRequestID] = v
		h[HeaderOpenstackRequestID] = v
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), requestIDKey{}, id)))
	})
}

// RequestIDFrom returns the request id RequestID stored in ctx, or "".
func RequestIDFrom(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// NewRequestID returns a new request id in oslo.context's form,
// "req-" followed by a dashed uuid4.
func NewRequestID() string {
	g := generators.Get().(*rand.ChaCha8)
	var u uuid.UUID
	binary.LittleEndian.PutUint64(u[:8], g.Uint64())
	binary.LittleEndian.PutUint64(u[8:], g.Uint64())
	generators.Put(g)
	u[6] = u[6]&0x0f | 0x40 // version 4
	u[8] = u[8]&0x3f | 0x80 // RFC 4122 variant
	const hex = "0123456789abcdef"
	var b [40]byte
	copy(b[:], "req-")
	j := 4
	for i, c := range u {
		switch i {
		case 4, 6, 8, 10:
			b[j] = '-'
			j++
		}
		b[j], b[j+1] = hex[c>>4], hex[c&0xf]
		j += 2
	}
	return string(b[:])
}

// generators are ChaCha8 generators seeded from crypto/rand: request ids
// as random as uuid4s from the system, without a system call each.
var generators = sync.Pool{New: func() any {
	var seed [32]byte
	if _, err := crand.Read(seed[:]); err != nil {
		panic("middleware: no randomness from crypto/rand: " + err.Error())
	}
	return rand.NewChaCha8(seed)
}}
