package middleware_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/novastub/novastub/middleware"
)

// chain builds Nova's order: RequestID -> Recover -> BodyLimit ->
// Authenticate -> next.
func chain(logger *slog.Logger, a middleware.Authenticator, next http.Handler) http.Handler {
	return middleware.RequestID(
		middleware.Recover(logger)(
			middleware.BodyLimit(0)(
				middleware.Authenticate(a, middleware.WithAuthLogger(logger))(next))))
}

// chainApp is the handler behind the chain: it reads the body, answers a
// body too large, panics on /panic and otherwise echoes who is calling.
func chainApp() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/panic" {
			panic("handler bug")
		}
		if _, err := io.ReadAll(r.Body); err != nil {
			var tooLarge *middleware.BodyTooLargeError
			if errors.As(err, &tooLarge) {
				tooLarge.ServeHTTP(w, r)
				return
			}
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		id, _ := middleware.IdentityFrom(r.Context())
		w.Header().Set("Content-Type", "text/plain")
		_, _ = fmt.Fprintf(w, "%s %s %s", id.UserID, id.ProjectID, middleware.RequestIDFrom(r.Context()))
	})
}

func TestChain(t *testing.T) {
	logs, logger := newLogBuffer()
	h := chain(logger, staticAuth(), chainApp())

	t.Run("success", func(t *testing.T) {
		r := httptest.NewRequest(http.MethodPost, "/v2.1/servers", strings.NewReader(`{"a": 1}`))
		r.Header.Set("X-Auth-Token", aliceToken)
		w := serve(h, r)
		assert.Equal(t, http.StatusOK, w.Code)
		id := assertRequestIDs(t, w.Header())
		assert.Equal(t, alice.UserID+" "+alice.ProjectID+" "+id, w.Body.String())
	})

	t.Run("401 carries request ids", func(t *testing.T) {
		for _, tok := range []string{"", "bogus"} {
			r := httptest.NewRequest(http.MethodGet, "/v2.1/servers", nil)
			if tok != "" {
				r.Header.Set("X-Auth-Token", tok)
			}
			w := serve(h, r)
			assertUnauthorized(t, w, middleware.DefaultAuthURI)
			assertRequestIDs(t, w.Header())
		}
	})

	t.Run("413 by Content-Length carries request ids, before authentication", func(t *testing.T) {
		for _, tok := range []string{aliceToken, ""} {
			r := httptest.NewRequest(http.MethodPost, "/v2.1/servers", bytes.NewReader(make([]byte, middleware.DefaultMaxBodyBytes+1)))
			r.Header.Set("Accept", "application/json")
			if tok != "" {
				r.Header.Set("X-Auth-Token", tok)
			}
			w := serve(h, r)
			assertWebOb(t, w, http.StatusRequestEntityTooLarge, ctJSON, tooLargeJSON)
			assertRequestIDs(t, w.Header())
			assert.Empty(t, w.Header().Values("WWW-Authenticate"))
		}
	})

	t.Run("chunked 413 carries request ids", func(t *testing.T) {
		r := chunkedRequest(http.MethodPost, "/v2.1/servers", make([]byte, middleware.DefaultMaxBodyBytes+1))
		r.Header.Set("X-Auth-Token", aliceToken)
		w := serve(h, r)
		assertWebOb(t, w, http.StatusRequestEntityTooLarge, ctPlain, chunkedTooLargePlain)
		assertRequestIDs(t, w.Header())
	})

	t.Run("chunked without token is a 401", func(t *testing.T) {
		w := serve(h, chunkedRequest(http.MethodPost, "/v2.1/servers", make([]byte, middleware.DefaultMaxBodyBytes+1)))
		assertUnauthorized(t, w, middleware.DefaultAuthURI)
		assertRequestIDs(t, w.Header())
	})

	t.Run("panic gives 500 with request ids, logged with the id", func(t *testing.T) {
		before := len(logs.Records(t))
		r := httptest.NewRequest(http.MethodGet, "/panic", nil)
		r.Header.Set("X-Auth-Token", adminToken)
		w := serve(h, r)
		assertComputeFault(t, w)
		id := assertRequestIDs(t, w.Header())
		recs := logs.Records(t)
		require.Len(t, recs, before+1)
		assert.Equal(t, "handler bug", recs[before]["panic"])
		assert.Equal(t, id, recs[before]["request_id"])
	})

	t.Run("unauthenticated panic path never runs", func(t *testing.T) {
		w := serve(h, httptest.NewRequest(http.MethodGet, "/panic", nil))
		assertUnauthorized(t, w, middleware.DefaultAuthURI)
	})
}

func TestChainAuthenticatorPanicIsRecovered(t *testing.T) {
	logs, logger := newLogBuffer()
	a := middleware.AuthenticatorFunc(func(_ context.Context, _ string) (*middleware.Identity, error) {
		panic("authenticator bug")
	})
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header.Set("X-Auth-Token", "gAAAAABsome-token")
	w := serve(chain(logger, a, chainApp()), r)
	assertComputeFault(t, w)
	id := assertRequestIDs(t, w.Header())
	recs := logs.Records(t)
	require.Len(t, recs, 1)
	assert.Equal(t, id, recs[0]["request_id"])
	assert.NotContains(t, logs.String(), "gAAAAABsome-token")
}

func TestChainAuthFailureLoggedWithRequestID(t *testing.T) {
	logs, logger := newLogBuffer()
	a := middleware.AuthenticatorFunc(func(_ context.Context, _ string) (*middleware.Identity, error) {
		return nil, errors.New("identity service timed out")
	})
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header.Set("X-Auth-Token", "gAAAAABsome-token")
	w := serve(chain(logger, a, chainApp()), r)
	assertUnauthorized(t, w, middleware.DefaultAuthURI)
	id := assertRequestIDs(t, w.Header())
	recs := logs.Records(t)
	require.Len(t, recs, 1)
	assert.Equal(t, "token check failed", recs[0]["msg"])
	assert.Equal(t, "identity service timed out", recs[0]["error"])
	assert.Equal(t, id, recs[0]["request_id"])
}

func TestChainOverHTTP(t *testing.T) {
	_, logger := newLogBuffer()
	srv := httptest.NewServer(chain(logger, staticAuth(), chainApp()))
	defer srv.Close()

	do := func(token, accept string, body io.Reader) (*http.Response, string) {
		t.Helper()
		req, err := http.NewRequest(http.MethodPost, srv.URL+"/v2.1/servers", body)
		require.NoError(t, err)
		if token != "" {
			req.Header.Set("X-Auth-Token", token)
		}
		if accept != "" {
			req.Header.Set("Accept", accept)
		}
		resp, err := srv.Client().Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return resp, string(b)
	}

	resp, body := do("", "", nil)
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	assert.Equal(t, unauthorizedBody, body)
	assert.Equal(t, defaultWWWAut, resp.Header.Get("Www-Authenticate"))
	assert.Equal(t, "application/json", resp.Header.Get("Content-Type"))
	assertRequestIDs(t, resp.Header)

	resp, body = do(aliceToken, "application/json", bytes.NewReader(make([]byte, middleware.DefaultMaxBodyBytes+1)))
	assert.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode)
	assert.Equal(t, tooLargeJSON, body)
	assertRequestIDs(t, resp.Header)

	resp, body = do(aliceToken, "application/json", opaqueReader{bytes.NewReader(make([]byte, middleware.DefaultMaxBodyBytes+1))})
	assert.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode)
	assert.Equal(t, chunkedTooLargeJSON, body)
	assertRequestIDs(t, resp.Header)

	resp, body = do(adminToken, "", strings.NewReader("{}"))
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	id := assertRequestIDs(t, resp.Header)
	assert.Equal(t, admin.UserID+" "+admin.ProjectID+" "+id, body)
}
