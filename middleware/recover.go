package middleware

import (
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"

	"github.com/novastub/novastub/internal/wire"
)

// msgInternalError is webob's default explanation of a 500, the message of
// nova's FaultWrapper answer to an exception nothing else caught
// (nova/api/openstack/__init__.py).
const msgInternalError = "The server has either erred or is incapable of performing the requested operation."

// Recover turns a panic in next into Nova's 500 computeFault, as nova's
// FaultWrapper does for an unexpected exception. The panic and its stack go
// to logger (slog.Default() when nil), never to the client.
// http.ErrAbortHandler is re-panicked, so that net/http aborts the
// response as the handler asked. A handler that panics after it began its
// answer gets the 500 written after what it wrote, as a WSGI server can
// only do the same.
func Recover(logger *slog.Logger) func(http.Handler) http.Handler {
	if logger == nil {
		logger = slog.Default()
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			defer func() {
				v := recover()
				if v == nil {
					return
				}
				if v == http.ErrAbortHandler {
					panic(v)
				}
				RecoverWrite(w, r, logger, RequestIDFrom(r.Context()), v)
			}()
			next.ServeHTTP(w, r)
		})
	}
}

// RecoverWrite is what Recover does with a recovered panic value v: it logs
// it with its stack and the request id to logger, and answers Nova's 500
// computeFault. A handler that recovers panics itself calls it.
func RecoverWrite(w http.ResponseWriter, r *http.Request, logger *slog.Logger, requestID string, v any) {
	logger.LogAttrs(r.Context(), slog.LevelError, "panic serving request",
		slog.String("request_id", requestID),
		slog.String("method", r.Method),
		slog.String("path", r.URL.Path),
		slog.String("panic", fmt.Sprint(v)),
		slog.String("stack", string(debug.Stack())))
	wire.WriteNovaFault(w, http.StatusInternalServerError, msgInternalError)
}
