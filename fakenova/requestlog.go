package fakenova

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"time"
)

// WithRequestLog logs one line per request to l, at Info (Warn for a 5xx):
// the request id, method, path, operation, caller's project, status and
// duration. Never a secret: no headers (so no tokens), no bodies, no query
// strings (console pages take their token there), and the console token of
// os-console-auth-tokens paths is replaced by "***". Default: none, at no
// cost to a request.
func WithRequestLog(l *slog.Logger) Option { return func(c *config) { c.requestLog = l } }

// requestLogMessage is every request line's message.
const requestLogMessage = "request"

// logLine logs one request.
func (n *Nova) logLine(ctx context.Context, requestID, method, path, op, project string, status int, took time.Duration) {
	level := slog.LevelInfo
	if status >= 500 {
		level = slog.LevelWarn
	}
	if op == "showConsoleConnectionInfo" {
		if i := strings.LastIndexByte(path, '/'); i >= 0 {
			path = path[:i+1] + "***" // the path's console token
		}
	}
	n.cfg.requestLog.LogAttrs(ctx, level, requestLogMessage,
		slog.String("request_id", requestID),
		slog.String("method", method),
		slog.String("path", path),
		slog.String("operation", op),
		slog.String("project", project),
		slog.Int("status", status),
		slog.Duration("duration", took))
}

// logCall logs a call of the compute API, once answered.
func (n *Nova) logCall(c *call) {
	project := ""
	if c.identity != nil {
		project = c.identity.ProjectID
	}
	status := c.status.code
	if status == 0 {
		status = unanswered(c.r)
	}
	n.logLine(c.r.Context(), c.requestID, c.r.Method, c.r.URL.Path, c.op, project, status, time.Since(c.start))
}

// logEntry logs a request of a service beside the compute API, as the
// journal recorded it.
func (n *Nova) logEntry(r *http.Request, e *Entry) {
	n.logLine(r.Context(), e.RequestID, e.Method, e.Path, e.Operation, e.ProjectID, e.Status, e.Duration)
}

// logged is h with its requests logged under operation op, for handlers
// outside the pipelines (the console pages, the control plane); h itself
// when there is no request log.
func (n *Nova) logged(op string, h http.Handler) http.Handler {
	if n.cfg.requestLog == nil {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		h.ServeHTTP(sw, r)
		status := sw.code
		if status == 0 {
			status = unanswered(r)
		}
		n.logLine(r.Context(), "", r.Method, r.URL.Path, op, "", status, time.Since(start))
	})
}
