package middleware

import (
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
)

// internalErrorBody is nova's FaultWrapper answer to an exception nothing
// else caught (nova/api/openstack/__init__.py), with webob's default
// explanation for a 500, in novastub's fault key order.
const internalErrorBody = `{"computeFault": {"message": "The server has either erred or is incapable of performing the requested operation.", "code": 500}}`

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
				logger.LogAttrs(r.Context(), slog.LevelError, "panic serving request",
					slog.String("request_id", RequestIDFrom(r.Context())),
					slog.String("method", r.Method),
					slog.String("path", r.URL.Path),
					slog.String("panic", fmt.Sprint(v)),
					slog.String("stack", string(debug.Stack())))
				w.Header().Set("Content-Type", "application/json; charset=UTF-8")
				w.WriteHeader(http.StatusInternalServerError)
				_, _ = w.Write([]byte(internalErrorBody))
			}()
			next.ServeHTTP(w, r)
		})
	}
}
