package middleware_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/novastub/novastub/internal/race"
	"github.com/novastub/novastub/middleware"
)

func TestRequestIDHeaderNames(t *testing.T) {
	assert.Equal(t, "X-Compute-Request-Id", middleware.HeaderComputeRequestID)
	assert.Equal(t, "X-Openstack-Request-Id", middleware.HeaderOpenstackRequestID)
	assert.Equal(t, http.CanonicalHeaderKey("x-compute-request-id"), middleware.HeaderComputeRequestID)
	assert.Equal(t, http.CanonicalHeaderKey("x-openstack-request-id"), middleware.HeaderOpenstackRequestID)
}

func TestRequestIDSetsBothHeaders(t *testing.T) {
	var inside string
	next := &recordingHandler{reply: func(w http.ResponseWriter, r *http.Request) {
		inside = middleware.RequestIDFrom(r.Context())
		w.WriteHeader(http.StatusOK)
	}}
	w := serve(middleware.RequestID(next), httptest.NewRequest(http.MethodGet, "/v2.1/", nil))
	assert.Equal(t, http.StatusOK, w.Code)
	id := assertRequestIDs(t, w.Header())
	assert.Equal(t, id, inside, "RequestIDFrom inside next is the header's id")
	assert.Equal(t, 1, next.Calls())

	u, err := uuid.Parse(strings.TrimPrefix(id, "req-"))
	require.NoError(t, err)
	assert.Equal(t, uuid.Version(4), u.Version())
	assert.Equal(t, uuid.RFC4122, u.Variant())
}

func TestRequestIDIsSetBeforeNextRuns(t *testing.T) {
	var before http.Header
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		before = w.Header().Clone()
		assert.Equal(t, middleware.RequestIDFrom(r.Context()), w.Header().Get(middleware.HeaderComputeRequestID))
		w.WriteHeader(http.StatusTeapot)
	})
	w := serve(middleware.RequestID(next), httptest.NewRequest(http.MethodGet, "/", nil))
	assert.Equal(t, http.StatusTeapot, w.Code)
	id := assertRequestIDs(t, w.Header())
	assertRequestIDs(t, before)
	assert.Equal(t, id, before.Get(middleware.HeaderOpenstackRequestID))
}

func TestRequestIDDifferentPerRequest(t *testing.T) {
	h := middleware.RequestID(&recordingHandler{})
	seen := map[string]bool{}
	for i := 0; i < 200; i++ {
		id := assertRequestIDs(t, serve(h, httptest.NewRequest(http.MethodGet, "/", nil)).Header())
		require.False(t, seen[id], "id %s repeated", id)
		seen[id] = true
	}
}

func TestRequestIDOn401(t *testing.T) {
	next := &recordingHandler{}
	h := middleware.RequestID(middleware.Authenticate(staticAuth())(next))
	for _, tok := range []string{"", "wrong"} {
		r := httptest.NewRequest(http.MethodGet, "/v2.1/servers", nil)
		if tok != "" {
			r.Header.Set("X-Auth-Token", tok)
		}
		w := serve(h, r)
		assertUnauthorized(t, w, middleware.DefaultAuthURI)
		assertRequestIDs(t, w.Header())
	}
	assert.Zero(t, next.Calls())
}

func TestRequestIDInboundNotEchoed(t *testing.T) {
	const inbound = "req-2f2b7a3e-51a4-4b8e-9d5c-0c1e0d3c4a5b"
	require.Regexp(t, requestIDRe, inbound)
	var inside string
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		inside = middleware.RequestIDFrom(r.Context())
		// The inbound header stays on the request, untouched.
		assert.Equal(t, inbound, r.Header.Get(middleware.HeaderOpenstackRequestID))
	})
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header.Set(middleware.HeaderOpenstackRequestID, inbound)
	r.Header.Set(middleware.HeaderComputeRequestID, inbound)
	w := serve(middleware.RequestID(next), r)
	id := assertRequestIDs(t, w.Header())
	assert.NotEqual(t, inbound, id)
	assert.Equal(t, id, inside)
	assert.NotContains(t, w.Header().Values(middleware.HeaderOpenstackRequestID), inbound)
	assert.NotContains(t, w.Header().Values(middleware.HeaderComputeRequestID), inbound)
}

func TestRequestIDOverHTTP(t *testing.T) {
	srv := httptest.NewServer(middleware.RequestID(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, middleware.RequestIDFrom(r.Context()))
	})))
	defer srv.Close()

	req, err := http.NewRequest(http.MethodGet, srv.URL+"/v2.1/", nil)
	require.NoError(t, err)
	req.Header.Set("x-openstack-request-id", "req-00000000-0000-4000-8000-000000000000")
	resp, err := srv.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)

	id := assertRequestIDs(t, resp.Header)
	assert.Equal(t, id, string(body))
	assert.NotEqual(t, "req-00000000-0000-4000-8000-000000000000", id)
}

func TestRequestIDFromWithoutMiddleware(t *testing.T) {
	assert.Equal(t, "", middleware.RequestIDFrom(context.Background()))
	assert.Equal(t, "", middleware.RequestIDFrom(httptest.NewRequest(http.MethodGet, "/", nil).Context()))
}

func TestNewRequestID(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 1000; i++ {
		id := middleware.NewRequestID()
		require.Regexp(t, requestIDRe, id)
		require.Len(t, id, len("req-")+36)
		require.False(t, seen[id])
		seen[id] = true
		u, err := uuid.Parse(id[4:])
		require.NoError(t, err)
		require.Equal(t, id[4:], u.String(), "same text as uuid's own formatting")
	}
}

// SetRequestID puts one fresh id under both headers, the same value, and
// takes one allocation for it; ids set one after another differ.
func TestSetRequestID(t *testing.T) {
	h := http.Header{}
	id := middleware.SetRequestID(h)
	require.Regexp(t, requestIDRe, id)
	assert.Equal(t, []string{id}, h[middleware.HeaderComputeRequestID])
	assert.Equal(t, []string{id}, h[middleware.HeaderOpenstackRequestID])
	again := middleware.SetRequestID(h)
	assert.NotEqual(t, id, again)
	assert.Equal(t, []string{again}, h.Values(middleware.HeaderOpenstackRequestID))
	require.Regexp(t, requestIDRe, id, "an id handed out stays as it was")
	if race.Enabled {
		t.Skip("allocations differ under the race detector")
	}
	assert.Equal(t, 1.0, testing.AllocsPerRun(100, func() { middleware.SetRequestID(h) }))
}
