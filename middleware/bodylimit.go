package middleware

import (
	"errors"
	"io"
	"net/http"
	"strconv"
)

// DefaultMaxBodyBytes is oslo.middleware's default max_request_body_size,
// the limit Nova applies to every request body.
const DefaultMaxBodyBytes = 114688

// ErrBodyTooLarge matches (errors.Is) the error a limited body returns once
// a read goes past the limit.
var ErrBodyTooLarge = errors.New("middleware: request body too large")

// BodyTooLargeError is the error a body of unknown length returns once a
// read goes past the limit. It answers for itself: its ServeHTTP writes
// the 413 Nova's pipeline gives in that case.
type BodyTooLargeError struct {
	Limit int64 // the limit, in bytes
}

// Error describes the failure.
func (e *BodyTooLargeError) Error() string {
	return "request body larger than " + strconv.FormatInt(e.Limit, 10) + " bytes"
}

// Is reports whether target is ErrBodyTooLarge.
func (e *BodyTooLargeError) Is(target error) bool { return target == ErrBodyTooLarge }

// ServeHTTP writes the 413 of oslo's LimitingReader: webob's error page
// with "Request is too large. Larger than N.".
func (e *BodyTooLargeError) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	WriteWebObError(w, r, http.StatusRequestEntityTooLarge,
		"Request is too large. Larger than "+strconv.FormatInt(e.Limit, 10)+".")
}

// BodyLimit bounds request bodies to max bytes (DefaultMaxBodyBytes when
// max <= 0), as oslo.middleware's sizelimit does for Nova: a request whose
// Content-Length is larger gets 413 at once, with webob's error page
// ("Request is too large. Larger than max_request_body_size (N)."); a body
// of unknown length (chunked) is read through a limit, and a read past it
// fails with a *BodyTooLargeError, which the handler answers by calling its
// ServeHTTP. A request within its Content-Length costs nothing extra.
func BodyLimit(max int64) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if LimitBody(w, r, max) {
				next.ServeHTTP(w, r)
			}
		})
	}
}

// LimitBody applies BodyLimit's limit of max bytes (DefaultMaxBodyBytes
// when max <= 0) to r: it answers the 413 and returns false for a
// Content-Length over max, and puts a limited reader in r.Body for a body
// of unknown length. A handler that runs its own pipeline calls it.
func LimitBody(w http.ResponseWriter, r *http.Request, max int64) bool {
	if max <= 0 {
		max = DefaultMaxBodyBytes
	}
	switch {
	case r.ContentLength > max:
		WriteWebObError(w, r, http.StatusRequestEntityTooLarge,
			"Request is too large. Larger than max_request_body_size ("+strconv.FormatInt(max, 10)+").")
		return false
	case r.ContentLength < 0 && r.Body != nil && r.Body != http.NoBody:
		r.Body = &limitedBody{ReadCloser: r.Body, left: max, limit: max}
	}
	return true
}

type limitedBody struct {
	io.ReadCloser
	left  int64
	limit int64
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.left < 0 {
		return 0, &BodyTooLargeError{Limit: b.limit}
	}
	if b.left < int64(len(p)) { // not len(p) > left+1: left+1 overflows at MaxInt64
		p = p[:b.left+1]
	}
	n, err := b.ReadCloser.Read(p)
	b.left -= int64(n)
	if b.left < 0 {
		return 0, &BodyTooLargeError{Limit: b.limit}
	}
	return n, err
}
