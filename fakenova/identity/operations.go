package identity

import (
	"net/http"
	"strings"
)

// Operation names the operation of a request to the service, as the fake
// Nova's journal and fault rules name them (fakenova.Operations):
// identityDiscovery, createToken, validateToken (GET and HEAD) and
// revokeToken; "" for a request that is none of them. It reads the end of
// the path, so it names requests before and after http.StripPrefix alike,
// for use with fakenova's Nova.Wrap:
//
//	mux.Handle("/identity/", nova.Wrap(identity.Operation, http.StripPrefix("/identity", svc)))
func Operation(r *http.Request) string {
	p := strings.TrimRight(r.URL.Path, "/")
	switch {
	case strings.HasSuffix(p, "/v3/auth/tokens"):
		switch r.Method {
		case http.MethodPost:
			return "createToken"
		case http.MethodGet, http.MethodHead:
			return "validateToken"
		case http.MethodDelete:
			return "revokeToken"
		}
	case r.Method == http.MethodGet && (p == "" || strings.HasSuffix(p, "/v3") || !strings.Contains(strings.TrimPrefix(p, "/"), "/")):
		return "identityDiscovery"
	}
	return ""
}
