package middleware_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/novastub/novastub/middleware"
)

// ContextIdentity lets through exactly the requests an earlier middleware
// authenticated.
func TestContextIdentity(t *testing.T) {
	var seen *middleware.Identity
	h := middleware.Authenticate(middleware.ContextIdentity())(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen, _ = middleware.IdentityFrom(r.Context())
	}))

	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	assert.Equal(t, http.StatusUnauthorized, rec.Code, "no identity in the context")
	assert.Nil(t, seen)

	who := &middleware.Identity{UserID: "u", ProjectID: "p", Roles: []string{"member"}}
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req = req.WithContext(middleware.ContextWithIdentity(req.Context(), who))
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	require.Equal(t, http.StatusOK, rec.Code)
	assert.Same(t, who, seen)
}
