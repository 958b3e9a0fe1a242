package middleware_test

import (
	"context"
	"encoding/json"
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

var (
	alice = middleware.Identity{UserID: "u-alice", UserName: "alice", ProjectID: "1ab83fbf1b594600bfa618dc33694dd6", Roles: []string{"member", "reader"}}
	admin = middleware.Identity{UserID: "u-admin", UserName: "admin", ProjectID: "9c2f6ad9f1c74f43a6b2d3f1d1e0aa01", Roles: []string{"admin"}}
)

const (
	aliceToken = "gAAAAABalice-token-0123456789"
	adminToken = "gAAAAABadmin-token-0123456789"
)

func staticAuth() middleware.Authenticator {
	return middleware.StaticTokens(map[string]middleware.Identity{aliceToken: alice, adminToken: admin})
}

// assertUnauthorized checks keystonemiddleware's 401, with uri in its
// WWW-Authenticate header.
func assertUnauthorized(t *testing.T, w *httptest.ResponseRecorder, uri string) {
	t.Helper()
	assert.Equal(t, http.StatusUnauthorized, w.Code)
	assert.Equal(t, []string{`Keystone uri="` + uri + `"`}, w.Header().Values("WWW-Authenticate"))
	assert.Equal(t, []string{"application/json"}, w.Header().Values("Content-Type"))
	assert.Equal(t, unauthorizedBody, w.Body.String())
}

func TestAuthenticateRefusesMissingOrUnknownToken(t *testing.T) {
	tests := []struct {
		name   string
		header []string // X-Auth-Token values; nil: no header
	}{
		{"no header", nil},
		{"empty header", []string{""}},
		{"unknown token", []string{"not-a-token"}},
		{"token of another case", []string{strings.ToUpper(aliceToken)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			logs, logger := newLogBuffer()
			next := &recordingHandler{}
			h := middleware.Authenticate(staticAuth(), middleware.WithAuthLogger(logger))(next)
			r := httptest.NewRequest(http.MethodGet, "/v2.1/servers", nil)
			if tt.header != nil {
				r.Header["X-Auth-Token"] = tt.header
			}
			w := serve(h, r)
			assertUnauthorized(t, w, middleware.DefaultAuthURI)
			assert.Equal(t, defaultWWWAut, w.Header().Get("WWW-Authenticate"))
			assert.Zero(t, next.Calls(), "next must not run")
			assert.Empty(t, logs.String(), "a refused token is not a failure to log")
		})
	}
}

func TestAuthenticateBodyIsKeystoneJSON(t *testing.T) {
	w := serve(middleware.Authenticate(staticAuth())(&recordingHandler{}),
		httptest.NewRequest(http.MethodGet, "/", nil))
	var body struct {
		Error struct {
			Code    int    `json:"code"`
			Title   string `json:"title"`
			Message string `json:"message"`
		} `json:"error"`
	}
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &body))
	assert.Equal(t, 401, body.Error.Code)
	assert.Equal(t, "Unauthorized", body.Error.Title)
	assert.Equal(t, "The request you have made requires authentication.", body.Error.Message)
	// The answer is the same for every Accept: keystonemiddleware ignores it.
	for _, accept := range []string{"text/html", "text/plain", "application/json", "*/*"} {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Header.Set("Accept", accept)
		w := serve(middleware.Authenticate(staticAuth())(&recordingHandler{}), r)
		assertUnauthorized(t, w, middleware.DefaultAuthURI)
	}
}

func TestAuthenticateDefaultAuthURI(t *testing.T) {
	assert.Equal(t, "http://127.0.0.1:5000/v3", middleware.DefaultAuthURI)
}

func TestAuthenticateWithAuthURI(t *testing.T) {
	var seen []*http.Request
	uri := func(r *http.Request) string {
		seen = append(seen, r)
		return "http://" + r.Host + "/identity/v3"
	}
	h := middleware.Authenticate(staticAuth(), middleware.WithAuthURI(uri))(&recordingHandler{})

	r := httptest.NewRequest(http.MethodGet, "http://cloud.example.com/v2.1/servers", nil)
	w := serve(h, r)
	assertUnauthorized(t, w, "http://cloud.example.com/identity/v3")
	require.Len(t, seen, 1)
	assert.Same(t, r, seen[0], "the URI function gets the request being answered")

	r = httptest.NewRequest(http.MethodGet, "http://other.example.org:8774/v2.1/", nil)
	r.Header.Set("X-Auth-Token", "wrong")
	w = serve(h, r)
	assertUnauthorized(t, w, "http://other.example.org:8774/identity/v3")

	// An accepted request does not ask for the URI.
	seen = nil
	r = httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header.Set("X-Auth-Token", aliceToken)
	w = serve(h, r)
	assert.Equal(t, http.StatusOK, w.Code)
	assert.Empty(t, w.Header().Values("WWW-Authenticate"))
	assert.Empty(t, seen)
}

func TestAuthenticateGoodTokenReachesNext(t *testing.T) {
	var got *middleware.Identity
	var gotOK bool
	next := &recordingHandler{reply: func(w http.ResponseWriter, r *http.Request) {
		got, gotOK = middleware.IdentityFrom(r.Context())
		w.WriteHeader(http.StatusAccepted)
		_, _ = io.WriteString(w, "hello "+got.UserName)
	}}
	h := middleware.Authenticate(staticAuth())(next)

	for _, tc := range []struct {
		token string
		want  middleware.Identity
	}{{aliceToken, alice}, {adminToken, admin}} {
		r := httptest.NewRequest(http.MethodPost, "/v2.1/servers/x/action", strings.NewReader(`{}`))
		r.Header.Set("X-Auth-Token", tc.token)
		w := serve(h, r)
		assert.Equal(t, http.StatusAccepted, w.Code)
		assert.Equal(t, "hello "+tc.want.UserName, w.Body.String())
		assert.Empty(t, w.Header().Values("WWW-Authenticate"))
		require.True(t, gotOK)
		require.NotNil(t, got)
		assert.Equal(t, tc.want, *got)
	}
	assert.Equal(t, 2, next.Calls())
}

func TestAuthenticatePassesTokenAndContext(t *testing.T) {
	type ctxKey struct{}
	var gotToken string
	var gotValue any
	a := middleware.AuthenticatorFunc(func(ctx context.Context, token string) (*middleware.Identity, error) {
		gotToken, gotValue = token, ctx.Value(ctxKey{})
		return &alice, nil
	})
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r = r.WithContext(context.WithValue(r.Context(), ctxKey{}, "from-request"))
	r.Header.Set("X-Auth-Token", "tok 123")
	w := serve(middleware.Authenticate(a)(&recordingHandler{}), r)
	assert.Equal(t, http.StatusOK, w.Code)
	assert.Equal(t, "tok 123", gotToken)
	assert.Equal(t, "from-request", gotValue)
}

func TestAuthenticateNilIdentityIsRefused(t *testing.T) {
	logs, logger := newLogBuffer()
	a := middleware.AuthenticatorFunc(func(context.Context, string) (*middleware.Identity, error) { return nil, nil })
	next := &recordingHandler{}
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header.Set("X-Auth-Token", "anything")
	w := serve(middleware.Authenticate(a, middleware.WithAuthLogger(logger))(next), r)
	assertUnauthorized(t, w, middleware.DefaultAuthURI)
	assert.Zero(t, next.Calls())
	assert.Empty(t, logs.String())
}

func TestAuthenticateErrUnauthenticatedIsNotLogged(t *testing.T) {
	for _, err := range []error{
		middleware.ErrUnauthenticated,
		fmt.Errorf("token expired at 2024-01-01: %w", middleware.ErrUnauthenticated),
		fmt.Errorf("outer: %w", fmt.Errorf("inner: %w", middleware.ErrUnauthenticated)),
		errors.Join(errors.New("revoked"), middleware.ErrUnauthenticated),
	} {
		t.Run(err.Error(), func(t *testing.T) {
			require.ErrorIs(t, err, middleware.ErrUnauthenticated)
			logs, logger := newLogBuffer()
			a := middleware.AuthenticatorFunc(func(context.Context, string) (*middleware.Identity, error) {
				return &alice, err // an identity with an error is still refused
			})
			next := &recordingHandler{}
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			r.Header.Set("X-Auth-Token", aliceToken)
			w := serve(middleware.Authenticate(a, middleware.WithAuthLogger(logger))(next), r)
			assertUnauthorized(t, w, middleware.DefaultAuthURI)
			assert.Zero(t, next.Calls())
			assert.Empty(t, logs.String())
		})
	}
}

func TestAuthenticateCheckFailureIsLoggedWithoutToken(t *testing.T) {
	const token = "gAAAAABsecret-token-do-not-log"
	tests := []struct {
		name    string
		err     error
		wantErr string // the error as it must appear in the log
	}{
		{
			name:    "plain error",
			err:     fmt.Errorf("keystone unreachable: %w", io.ErrUnexpectedEOF),
			wantErr: "keystone unreachable: unexpected EOF",
		},
		{
			// An Authenticator may well put the token in its error (a URL,
			// a header dump); the log must still not show it.
			name: "error that names the token",
			err:  fmt.Errorf("GET /v3/auth/tokens (X-Subject-Token: %s): 503 Service Unavailable", token),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			logs, logger := newLogBuffer()
			a := middleware.AuthenticatorFunc(func(context.Context, string) (*middleware.Identity, error) {
				return nil, tt.err
			})
			next := &recordingHandler{}
			h := middleware.RequestID(middleware.Authenticate(a, middleware.WithAuthLogger(logger))(next))
			r := httptest.NewRequest(http.MethodGet, "/v2.1/servers", nil)
			r.Header.Set("X-Auth-Token", token)
			w := serve(h, r)

			assertUnauthorized(t, w, middleware.DefaultAuthURI)
			assert.Zero(t, next.Calls())
			reqID := assertRequestIDs(t, w.Header())

			assert.NotContains(t, logs.String(), token)
			assert.NotContains(t, logs.String(), "secret-token")
			recs := logs.Records(t)
			require.Len(t, recs, 1)
			assert.Equal(t, "WARN", recs[0]["level"])
			assert.Equal(t, "token check failed", recs[0]["msg"])
			assert.Equal(t, reqID, recs[0]["request_id"])
			require.IsType(t, "", recs[0]["error"])
			if tt.wantErr != "" {
				assert.Equal(t, tt.wantErr, recs[0]["error"])
			} else {
				assert.Contains(t, recs[0]["error"], "503 Service Unavailable")
			}
		})
	}
}

// TestAuthenticateDefaultLogger is not parallel: it swaps slog's default.
func TestAuthenticateDefaultLogger(t *testing.T) {
	logs, logger := newLogBuffer()
	old := slog.Default()
	slog.SetDefault(logger)
	t.Cleanup(func() { slog.SetDefault(old) })

	a := middleware.AuthenticatorFunc(func(context.Context, string) (*middleware.Identity, error) {
		return nil, errors.New("backend down")
	})
	h := middleware.Authenticate(a)(&recordingHandler{})
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header.Set("X-Auth-Token", "some-token")
	w := serve(h, r)
	assertUnauthorized(t, w, middleware.DefaultAuthURI)
	recs := logs.Records(t)
	require.Len(t, recs, 1)
	assert.Equal(t, "backend down", recs[0]["error"])
	assert.Equal(t, "", recs[0]["request_id"], "no RequestID in front: empty id")
	assert.NotContains(t, logs.String(), "some-token")
}

func TestStaticTokensAcceptsExactlyItsTokens(t *testing.T) {
	a := staticAuth()
	ctx := context.Background()

	id, err := a.Authenticate(ctx, aliceToken)
	require.NoError(t, err)
	require.NotNil(t, id)
	assert.Equal(t, alice, *id)

	id, err = a.Authenticate(ctx, adminToken)
	require.NoError(t, err)
	assert.Equal(t, admin, *id)

	sameLength := aliceToken[:len(aliceToken)-1] + "X"
	require.Len(t, sameLength, len(aliceToken))
	for _, bad := range []string{
		"",
		sameLength,
		"X" + aliceToken[1:],
		aliceToken[:len(aliceToken)-1], // a prefix
		aliceToken[:8],                 // a shorter prefix
		aliceToken + "0",               // an extension
		aliceToken + "\x00",
		" " + aliceToken,
		strings.ToUpper(aliceToken),
		"u-alice",
	} {
		id, err := a.Authenticate(ctx, bad)
		assert.Nil(t, id, "token %q", bad)
		assert.ErrorIs(t, err, middleware.ErrUnauthenticated, "token %q", bad)
		assert.Equal(t, middleware.ErrUnauthenticated, err, "token %q", bad)

		// And through the middleware.
		next := &recordingHandler{}
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Header["X-Auth-Token"] = []string{bad}
		w := serve(middleware.Authenticate(a)(next), r)
		assertUnauthorized(t, w, middleware.DefaultAuthURI)
		assert.Zero(t, next.Calls(), "token %q", bad)
	}
}

func TestStaticTokensCopiesItsMap(t *testing.T) {
	tokens := map[string]middleware.Identity{"t1": alice}
	a := middleware.StaticTokens(tokens)
	delete(tokens, "t1")
	tokens["t2"] = admin

	id, err := a.Authenticate(context.Background(), "t1")
	require.NoError(t, err)
	assert.Equal(t, alice, *id)
	_, err = a.Authenticate(context.Background(), "t2")
	assert.ErrorIs(t, err, middleware.ErrUnauthenticated)
}

func TestStaticTokensEmpty(t *testing.T) {
	for _, a := range []middleware.Authenticator{middleware.StaticTokens(nil), middleware.StaticTokens(map[string]middleware.Identity{})} {
		for _, tok := range []string{"", "x", aliceToken} {
			id, err := a.Authenticate(context.Background(), tok)
			assert.Nil(t, id)
			assert.ErrorIs(t, err, middleware.ErrUnauthenticated)
		}
	}
}

func TestStaticTokensConcurrent(t *testing.T) {
	srv := httptest.NewServer(middleware.Authenticate(staticAuth())(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, _ := middleware.IdentityFrom(r.Context())
		_, _ = io.WriteString(w, id.UserID)
	})))
	defer srv.Close()

	errs := make(chan error, 20)
	for i := 0; i < cap(errs); i++ {
		go func(i int) {
			tok, want := aliceToken, alice.UserID
			if i%2 == 1 {
				tok, want = adminToken, admin.UserID
			}
			req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
			req.Header.Set("X-Auth-Token", tok)
			resp, err := srv.Client().Do(req)
			if err != nil {
				errs <- err
				return
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != http.StatusOK || string(b) != want {
				errs <- fmt.Errorf("token %d: %d %q", i, resp.StatusCode, b)
				return
			}
			errs <- nil
		}(i)
	}
	for i := 0; i < cap(errs); i++ {
		assert.NoError(t, <-errs)
	}
}

func TestNoAuth(t *testing.T) {
	dev := middleware.Identity{UserID: "admin", ProjectID: "admin", Roles: []string{"admin", "member"}}
	a := middleware.NoAuth(dev)

	for _, tok := range []string{"", "anything", aliceToken, "admin:admin"} {
		id, err := a.Authenticate(context.Background(), tok)
		require.NoError(t, err)
		require.NotNil(t, id)
		assert.Equal(t, dev, *id)
	}

	// Through the middleware: every request is dev, with or without a token.
	var got []middleware.Identity
	next := &recordingHandler{reply: func(w http.ResponseWriter, r *http.Request) {
		id, ok := middleware.IdentityFrom(r.Context())
		require.True(t, ok)
		got = append(got, *id)
		w.WriteHeader(http.StatusNoContent)
	}}
	h := middleware.Authenticate(a)(next)
	for _, tok := range []string{"anything", aliceToken, ""} {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		if tok != "" {
			r.Header.Set("X-Auth-Token", tok)
		}
		w := serve(h, r)
		assert.Equal(t, http.StatusNoContent, w.Code, "token %q", tok)
		assert.Empty(t, w.Header().Values("WWW-Authenticate"), "token %q", tok)
	}
	assert.Equal(t, []middleware.Identity{dev, dev, dev}, got)
}

func TestNoAuthKeepsItsOwnCopy(t *testing.T) {
	dev := middleware.Identity{UserID: "u", ProjectID: "p"}
	a := middleware.NoAuth(dev)
	dev.ProjectID = "changed"
	id, err := a.Authenticate(context.Background(), "x")
	require.NoError(t, err)
	assert.Equal(t, "p", id.ProjectID)
}

func TestAuthenticatorFunc(t *testing.T) {
	var calls int
	f := middleware.AuthenticatorFunc(func(ctx context.Context, token string) (*middleware.Identity, error) {
		calls++
		switch token {
		case "good":
			return &admin, nil
		case "broken":
			return nil, errors.New("boom")
		}
		return nil, fmt.Errorf("lookup %q: %w", "redacted", middleware.ErrUnauthenticated)
	})
	var a middleware.Authenticator = f // it satisfies the interface

	id, err := a.Authenticate(context.Background(), "good")
	require.NoError(t, err)
	assert.Same(t, &admin, id)

	_, err = a.Authenticate(context.Background(), "bad")
	require.Error(t, err)
	assert.ErrorIs(t, err, middleware.ErrUnauthenticated)
	assert.EqualError(t, err, `lookup "redacted": middleware: token not accepted`)

	_, err = a.Authenticate(context.Background(), "broken")
	assert.EqualError(t, err, "boom")
	assert.NotErrorIs(t, err, middleware.ErrUnauthenticated)
	assert.Equal(t, 3, calls)
}

func TestErrUnauthenticated(t *testing.T) {
	wrapped := fmt.Errorf("keystone said 404 for the token: %w", middleware.ErrUnauthenticated)
	assert.ErrorIs(t, wrapped, middleware.ErrUnauthenticated)
	assert.ErrorIs(t, fmt.Errorf("again: %w", wrapped), middleware.ErrUnauthenticated)
	assert.NotErrorIs(t, errors.New(middleware.ErrUnauthenticated.Error()), middleware.ErrUnauthenticated,
		"only the sentinel itself matches, not an equal message")
	assert.EqualError(t, middleware.ErrUnauthenticated, "middleware: token not accepted")
}

func TestIdentityContext(t *testing.T) {
	id, ok := middleware.IdentityFrom(context.Background())
	assert.False(t, ok)
	assert.Nil(t, id)

	id, ok = middleware.IdentityFrom(middleware.ContextWithIdentity(context.Background(), nil))
	assert.False(t, ok, "a nil identity is no identity")
	assert.Nil(t, id)

	want := &middleware.Identity{UserID: "u", ProjectID: "p"}
	ctx := middleware.ContextWithIdentity(context.Background(), want)
	id, ok = middleware.IdentityFrom(ctx)
	assert.True(t, ok)
	assert.Same(t, want, id)

	// A later ContextWithIdentity shadows an earlier one.
	other := &middleware.Identity{UserID: "v"}
	id, ok = middleware.IdentityFrom(middleware.ContextWithIdentity(ctx, other))
	assert.True(t, ok)
	assert.Same(t, other, id)
}

func TestIdentityHasRole(t *testing.T) {
	assert.True(t, alice.HasRole("member"))
	assert.True(t, alice.HasRole("reader"))
	assert.False(t, alice.HasRole("admin"))
	assert.False(t, alice.HasRole("Member"), "roles are case-sensitive")
	assert.False(t, alice.HasRole(""))
	assert.True(t, admin.HasRole("admin"))
	assert.False(t, middleware.Identity{}.HasRole("admin"))
}
