package identity

import (
	"log/slog"
	"net/http"
	"strconv"

	"github.com/novastub/novastub/internal/pyjson"
)

// apiError is a Keystone error answer.
type apiError struct {
	code    int
	title   string
	message string
	// methods, when set, are AuthMethodNotSupported's
	// "identity": {"methods": [...]}.
	methods []string
	// reason is what the log says of a 401 (the body never says it).
	reason string
}

func (e *apiError) Error() string { return e.message }

func badRequest(message string) *apiError {
	return &apiError{code: http.StatusBadRequest, title: titleBadRequest, message: message}
}

// unauthorized is Keystone's 401 for any failed authentication; reason is
// logged, not shown.
func unauthorized(reason string) *apiError {
	return &apiError{code: http.StatusUnauthorized, title: titleUnauthorized, message: msgUnauthorized, reason: reason}
}

func unsupportedMethod() *apiError {
	return &apiError{code: http.StatusUnauthorized, title: titleUnauthorized, message: msgUnsupportedMethod,
		methods: keystoneAuthMethods, reason: "unsupported authentication method"}
}

func notFound(message string) *apiError {
	return &apiError{code: http.StatusNotFound, title: titleNotFound, message: message}
}

func forbiddenAction(action string) *apiError {
	return &apiError{code: http.StatusForbidden, title: titleForbidden, message: msgForbiddenAction(action)}
}

// writeError answers as Keystone's _handle_keystone_exception does:
// flask.jsonify of the error (compact, keys sorted, a newline at the end),
// and for a 401 `WWW-Authenticate: Keystone uri="<base>/v3"` (the base_url
// of keystone/server/flask/common.py, which ends in /v3).
func (s *Service) writeError(w http.ResponseWriter, r *http.Request, e *apiError) {
	if e.code == http.StatusUnauthorized {
		s.cfg.logger.LogAttrs(r.Context(), slog.LevelWarn, "authorization failed",
			slog.String("reason", e.reason), slog.String("remote_addr", r.RemoteAddr))
	}
	b := make([]byte, 0, 160+len(e.message))
	b = append(b, `{"error":{"code":`...)
	b = strconv.AppendInt(b, int64(e.code), 10)
	if e.methods != nil {
		b = append(b, `,"identity":{"methods":[`...)
		for i, m := range e.methods {
			if i > 0 {
				b = append(b, ',')
			}
			b = pyjson.AppendString(b, m)
		}
		b = append(b, "]}"...)
	}
	b = append(b, `,"message":`...)
	b = pyjson.AppendString(b, e.message)
	b = append(b, `,"title":`...)
	b = pyjson.AppendString(b, e.title)
	b = append(b, "}}\n"...)
	h := w.Header()
	if e.code == http.StatusUnauthorized {
		h.Set("WWW-Authenticate", `Keystone uri="`+s.base(r)+`/v3"`)
	}
	writeBody(w, e.code, "application/json", b)
}

// writeBody writes a complete answer with its Content-Length.
func writeBody(w http.ResponseWriter, code int, contentType string, body []byte) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(code)
	_, _ = w.Write(body)
}
