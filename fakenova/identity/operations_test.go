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
		{http.MethodHead, "/identity/", "identityDiscovery"},
		{http.MethodGet, "/v3", "identityDiscovery"},
		{http.MethodGet, "/identity/v3/", "identityDiscovery"},
		{http.MethodPost, "/identity/v3", ""},
		{http.MethodPost, "/identity/v3/auth/tokens", "createToken"},
		{http.MethodPost, "/v3/auth/tokens", "createToken"},
		{http.MethodGet, "/v3/auth/tokens", "validateToken"},
		{http.MethodHead, "/identity/v3/auth/tokens/", "validateToken"},
		{http.MethodDelete, "/v3/auth/tokens", "revokeToken"},
		{http.MethodPut, "/v3/auth/tokens", ""},
		{http.MethodGet, "/identity/v3/projects", "listProjects"},
		{http.MethodHead, "/v3/projects/", "listProjects"},
		{http.MethodPost, "/v3/projects", ""},
		{http.MethodGet, "/identity/v3/projects/1ab83fbf1b594600bfa618dc33694dd6", "showProject"},
		{http.MethodDelete, "/identity/v3/projects/1ab83fbf1b594600bfa618dc33694dd6", ""},
		{http.MethodGet, "/identity/v3/projects/x/tags", ""},
		{http.MethodGet, "/identity/v3/auth/projects", "listAuthProjects"},
		{http.MethodGet, "/identity/v3/auth/catalog", "showAuthCatalog"},
		{http.MethodGet, "/identity/v3/users/abc", "showUser"},
		{http.MethodGet, "/identity/v3/users/abc/projects", "listUserProjects"},
		{http.MethodGet, "/identity/v3/users/v3/projects", "listUserProjects"},
		{http.MethodGet, "/v3/users/v3", "showUser"},
		{http.MethodGet, "/v3/users", ""},
		{http.MethodGet, "/v3/users/abc/groups", ""},
		{http.MethodGet, "/v3x/projects", ""},
	} {
		assert.Equal(t, row.want, identity.Operation(httptest.NewRequest(row.method, row.path, nil)), row.method+" "+row.path)
	}
}

func TestOperationsListsEveryOperation(t *testing.T) {
	seen := map[string]bool{}
	for _, row := range []struct{ method, path string }{
		{http.MethodGet, "/"}, {http.MethodPost, "/v3/auth/tokens"}, {http.MethodGet, "/v3/auth/tokens"},
		{http.MethodDelete, "/v3/auth/tokens"}, {http.MethodGet, "/v3/projects"}, {http.MethodGet, "/v3/projects/x"},
		{http.MethodGet, "/v3/auth/projects"}, {http.MethodGet, "/v3/auth/catalog"}, {http.MethodGet, "/v3/users/x"},
		{http.MethodGet, "/v3/users/x/projects"},
	} {
		op := identity.Operation(httptest.NewRequest(row.method, row.path, nil))
		assert.Contains(t, identity.Operations, op)
		seen[op] = true
	}
	assert.Len(t, seen, len(identity.Operations), "every operation is named by some request")
}
