package middleware

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"log/slog"
	"net/http"
	"strings"
)

// ErrUnauthenticated is what an Authenticator returns (or wraps) for a token
// it does not accept.
var ErrUnauthenticated = errors.New("middleware: token not accepted")

// Authenticator checks an API token ("" when the request has none). It
// returns the token's identity, or an error: ErrUnauthenticated (possibly wrapped) for an unknown or expired
// token, anything else for a failure to check, which is logged and
// answered as Keystone does for a token it cannot validate (401).
type Authenticator interface {
	Authenticate(ctx context.Context, token string) (*Identity, error)
}

// AuthenticatorFunc adapts a function to an Authenticator.
type AuthenticatorFunc func(ctx context.Context, token string) (*Identity, error)

// Authenticate calls f.
func (f AuthenticatorFunc) Authenticate(ctx context.Context, token string) (*Identity, error) {
	return f(ctx, token)
}

// StaticTokens returns an Authenticator that accepts exactly the given
// tokens. A token is found by its SHA-256 digest and then compared with the
// one presented in constant time, so response times say nothing about how
// much of a guess was right.
func StaticTokens(tokens map[string]Identity) Authenticator {
	m := make(staticTokens, len(tokens))
	for tok, id := range tokens {
		id := id
		m[sha256.Sum256([]byte(tok))] = staticToken{token: []byte(tok), id: &id}
	}
	return m
}

type staticToken struct {
	token []byte
	id    *Identity
}

type staticTokens map[[sha256.Size]byte]staticToken

func (s staticTokens) Authenticate(_ context.Context, token string) (*Identity, error) {
	if token == "" {
		return nil, ErrUnauthenticated
	}
	st, ok := s[sha256.Sum256([]byte(token))]
	if !ok || subtle.ConstantTimeCompare(st.token, []byte(token)) != 1 {
		return nil, ErrUnauthenticated
	}
	return st.id, nil
}

// NoAuth returns an Authenticator under which every request, with or without
// a token, is id: the "noauth2" mode of a development cloud.
func NoAuth(id Identity) Authenticator { return noAuth{&id} }

type noAuth struct{ id *Identity }

func (n noAuth) Authenticate(context.Context, string) (*Identity, error) { return n.id, nil }

// ContextIdentity returns an Authenticator for a handler behind a project's
// own authentication: it accepts a request whose context already carries
// an Identity (ContextWithIdentity), whatever its token, and refuses the others.
func ContextIdentity() Authenticator { return contextIdentity{} }

type contextIdentity struct{}

func (contextIdentity) Authenticate(ctx context.Context, _ string) (*Identity, error) {
	if id, ok := IdentityFrom(ctx); ok {
		return id, nil
	}
	return nil, ErrUnauthenticated
}

// AuthOption configures Authenticate.
type AuthOption func(*authConfig)

type authConfig struct {
	uri    func(*http.Request) string
	logger *slog.Logger
}

// WithAuthURI sets the identity service URI that a 401 names in its
// WWW-Authenticate header (keystonemiddleware's www_authenticate_uri).
// Default: http://127.0.0.1:5000/v3 for every request.
func WithAuthURI(uri func(*http.Request) string) AuthOption {
	return func(c *authConfig) { c.uri = uri }
}

// WithAuthLogger sets where failures to check a token are logged; tokens
// themselves are never logged. Default: slog.Default().
func WithAuthLogger(l *slog.Logger) AuthOption { return func(c *authConfig) { c.logger = l } }

// DefaultAuthURI is the WWW-Authenticate URI a 401 names by default.
const DefaultAuthURI = "http://127.0.0.1:5000/v3"

// Authenticate checks the X-Auth-Token of every request with a. An accepted
// request reaches next with the Identity in its context (IdentityFrom); a
// refused token gets keystonemiddleware's answer: 401,
// `WWW-Authenticate: Keystone uri="..."` and its JSON error body. A request
// without X-Auth-Token is checked as the token "", which every Authenticator
// of this package but NoAuth refuses. An Authenticator's error is logged with the token replaced by
// "<token>".
func Authenticate(a Authenticator, opts ...AuthOption) func(http.Handler) http.Handler {
	cfg := authConfig{
		uri:    func(*http.Request) string { return DefaultAuthURI },
		logger: slog.Default(),
	}
	for _, o := range opts {
		o(&cfg)
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			id := CheckToken(r.Context(), a, r.Header, cfg.logger, RequestIDFrom(r.Context()))
			if id == nil {
				WriteUnauthorized(w, cfg.uri(r))
				return
			}
			next.ServeHTTP(w, r.WithContext(ContextWithIdentity(r.Context(), id)))
		})
	}
}

// CheckToken checks the X-Auth-Token of a request's header with a, as
// Authenticate does, and returns its identity, or nil when the token is
// refused. A failure to check (an error other than ErrUnauthenticated) is
// logged to logger with the request id and the token replaced by
// "<token>". A handler that runs its own pipeline calls it, then
// WriteUnauthorized when it returns nil.
func CheckToken(ctx context.Context, a Authenticator, h http.Header, logger *slog.Logger, requestID string) *Identity {
	var token string
	if v := h["X-Auth-Token"]; len(v) > 0 { // canonical already: no Get
		token = v[0]
	}
	id, err := a.Authenticate(ctx, token)
	if err == nil && id != nil {
		return id
	}
	if err != nil && !errors.Is(err, ErrUnauthenticated) {
		msg := err.Error()
		if token != "" {
			msg = strings.ReplaceAll(msg, token, "<token>")
		}
		logger.LogAttrs(ctx, slog.LevelWarn, "token check failed",
			slog.String("error", msg), slog.String("request_id", requestID))
	}
	return nil
}

// unauthorizedBody is keystonemiddleware's _deny_request body
// (keystonemiddleware/auth_token/__init__.py), serialised by jsonutils.
const unauthorizedBody = `{"error": {"code": 401, "title": "Unauthorized", "message": "The request you have made requires authentication."}}`

// WriteUnauthorized answers as keystonemiddleware does for a missing or
// invalid token: 401, `WWW-Authenticate: Keystone uri="<uri>"` and its JSON
// body (webob drops the charset from its Content-Type).
func WriteUnauthorized(w http.ResponseWriter, uri string) {
	h := w.Header()
	h.Set("WWW-Authenticate", `Keystone uri="`+uri+`"`)
	h.Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusUnauthorized)
	_, _ = w.Write([]byte(unauthorizedBody))
}
