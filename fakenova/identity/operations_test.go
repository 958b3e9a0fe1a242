package identity_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/novastub/novastub/fakenova/identity"
)

func TestOperation(t *testing.T) {
	for _, row := range []struct{ method, path, want string }{
		{http.MethodGet, "/", "identityDiscovery"},
		{http.MethodGet, "/identity", "identityDiscovery"},
		{http.MethodGet, "/identity/", "identityDiscovery"},
		{http.MethodGet, "/v3", "identityDiscovery"},
		{http.MethodGet, "/identity/v3/", "identityDiscovery"},
		{http.MethodPost, "/identity/v3/auth/tokens", "createToken"},
		{http.MethodPost, "/v3/auth/tokens", "createToken"},
		{http.MethodGet, "/v3/auth/tokens", "validateToken"},
		{http.MethodHead, "/identity/v3/auth/tokens/", "validateToken"},
		{http.MethodDelete, "/v3/auth/tokens", "revokeToken"},
		{http.MethodPut, "/v3/auth/tokens", ""},
		{http.MethodGet, "/v3/users", ""},
	} {
		assert.Equal(t, row.want, identity.Operation(httptest.NewRequest(row.method, row.path, nil)), row.method+" "+row.path)
	}
}
