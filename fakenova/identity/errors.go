package identity

import (
	"log/slog"
	"net/http"
	"strconv"

	"github.com/novastub/novastub/internal/pyjson"
	"github.com/novastub/novastub/internal/wire"
	"github.com/novastub/novastub/middleware"
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
	// invalidToken marks validate_token's TokenNotFound (an empty,
	// unknown, expired or revoked token), which the auth middleware takes
	// for no token at all.
	invalidToken bool
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

// forbidden is exception.Forbidden, a SecurityError: its own text,
// whatever reason Keystone gave it.
func forbidden() *apiError {
	return &apiError{code: http.StatusForbidden, title: titleForbidden, message: msgForbidden}
}

// unexpected is exception.UnexpectedError, which hides what went wrong.
func unexpected() *apiError {
	return &apiError{code: http.StatusInternalServerError, title: titleInternalServerError, message: msgUnexpectedError}
}

// WriteError writes an error as Keystone writes its own (for a fault
// injected into an identity operation, so that it cannot be told from a
// real one): the status code, `{"error": {"code": N, "message": "...",
// "title": "..."}}` as flask.jsonify writes it (keys sorted, compact, a
// newline at the end), the title Python's http.client.responses gives the
// code, Content-Type: application/json, Vary: X-Auth-Token, a request id
// when the answer has none, and for a 401 `WWW-Authenticate: Keystone
// uri="<base>/v3"`. An empty message is Keystone's own for 401, 403 and
// 500 (the texts of Unauthorized, Forbidden and UnexpectedError), and the
// title for any other code.
func (s *Service) WriteError(w http.ResponseWriter, r *http.Request, code int, message string) {
	title := statusTitle(code)
	if message == "" {
		switch code {
		case http.StatusUnauthorized:
			message = msgUnauthorized
		case http.StatusForbidden:
			message = msgForbidden
		case http.StatusInternalServerError:
			message = msgUnexpectedError
		default:
			message = title
		}
	}
	h := w.Header()
	h["Vary"] = []string{"X-Auth-Token"}
	if h.Get(middleware.HeaderOpenstackRequestID) == "" {
		h[middleware.HeaderOpenstackRequestID] = []string{middleware.NewRequestID()}
	}
	s.writeError(w, r, &apiError{code: code, title: title, message: message, reason: "injected fault"})
}

// statusTitle is Python's http.client.responses[code], the titles of
// Keystone's errors (Python 3.11's): Go's status texts but for the two that
// Python words otherwise; "" for a code neither knows.
func statusTitle(code int) string {
	switch code {
	case http.StatusRequestURITooLong:
		return "Request-URI Too Long"
	case http.StatusTeapot:
		return "I'm a Teapot"
	}
	return http.StatusText(code)
}

// writeMiddlewareError answers as the auth middleware's render_exception
// (keystone/server/flask/request_processing/middleware/auth_context.py)
// does, beside Flask: the body through jsonutils (members in the order
// code, title, message; ", " and ": "; no newline), Vary: X-Auth-Token,
// and for a 401 `WWW-Authenticate: Keystone uri="<base>"` (its own
// base_url, without /v3).
func (s *Service) writeMiddlewareError(w http.ResponseWriter, r *http.Request, e *apiError) {
	b := make([]byte, 0, 96+len(e.message))
	b = append(b, `{"error": {"code": `...)
	b = strconv.AppendInt(b, int64(e.code), 10)
	b = append(b, `, "title": `...)
	b = pyjson.AppendString(b, e.title)
	b = append(b, `, "message": `...)
	b = pyjson.AppendString(b, e.message)
	b = append(b, "}}"...)
	if e.code == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Keystone uri="`+s.base(r)+`"`)
	}
	wire.WriteJSON(w, e.code, b)
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
	wire.WriteJSON(w, e.code, b)
}

// contentTypeHTML is the Content-Type of Flask's (werkzeug's) HTML pages.
var contentTypeHTML = []string{"text/html; charset=utf-8"}
