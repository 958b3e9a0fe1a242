// Package identity is a fake of OpenStack Keystone's v3 identity API: the
// part OpenStack clients need to log in with a username and a password and
// find the fake Nova in the service catalog. It answers from a
// state.Store, the one the fake Nova serves, so that the tokens it issues
// are the ones Nova accepts.
//
// Serve it under /identity and the fake Nova at the root of one server:
//
//	store := state.New()
//	_, _ = store.AddProject(state.Project{Name: "demo"})
//	_, _ = store.AddUser(state.User{Name: "admin", Password: "secret",
//		Roles: map[string][]string{"demo": {"admin", "member"}}})
//
//	keystone := identity.New(store) // its links say /identity (WithPrefix)
//	mux := http.NewServeMux()
//	mux.Handle("/identity/", http.StripPrefix("/identity", keystone))
//	mux.Handle("/identity", http.StripPrefix("/identity", keystone))
//	mux.Handle("/", fakenova.New(fakenova.WithState(store)))
//
// A client then authenticates at http://HOST/identity/v3 (or discovers it
// from http://HOST/identity), for example with gophercloud:
//
//	provider, err := openstack.AuthenticatedClient(ctx, gophercloud.AuthOptions{
//		IdentityEndpoint: "http://HOST/identity/v3",
//		Username: "admin", Password: "secret", DomainName: "Default", TenantName: "demo",
//		AllowReauth: true,
//	})
//	compute, err := openstack.NewComputeV2(provider, gophercloud.EndpointOpts{Region: "RegionOne"})
//
// or with the Python clients: OS_AUTH_URL=http://HOST/identity/v3,
// OS_USERNAME, OS_PASSWORD, OS_PROJECT_NAME, OS_USER_DOMAIN_NAME and
// OS_PROJECT_DOMAIN_NAME=Default.
//
// # What it serves
//
//   - GET / (300, every version) and GET /v3 (200): Keystone's discovery
//     documents, v3.14, linking to <base>/v3/, where <base> is the
//     external URL (WithExternalURL) or the request's scheme and host
//     followed by the prefix (WithPrefix, "/identity" by default).
//   - POST /v3/auth/tokens with the password method (a user by id, or by
//     name in a domain given by name or id) and the token method (to
//     re-scope a token; the new token keeps its expiry and audit chain),
//     scoped to a project (by id, or by name in a domain) or unscoped: 201,
//     X-Subject-Token, and Keystone's token body, with the user's roles on
//     the project and a catalog whose compute service, "nova", has a public,
//     an internal and an admin endpoint in the region (WithRegion,
//     "RegionOne") at the fake Nova (WithComputeURL: by default the
//     request's host + /v2.1/<project_id>). Tokens live for the TTL
//     (WithTokenTTL, 3600 s) on the store's clock.
//   - GET /v3/auth/tokens (validate; HEAD to check) and DELETE (revoke),
//     with X-Auth-Token and X-Subject-Token, under Keystone's legacy
//     default policies: a token's own user, an admin, or (to validate) a
//     user with the service role.
//
// Errors are Keystone's, word for word: the 401 for any failed
// authentication (a wrong password, an unknown user or project, no role on
// the project) with WWW-Authenticate: Keystone uri="<base>/v3"; the 400s
// of a malformed request, including the JSON schema errors as jsonschema
// words them; the 404s of an unknown ("Could not recognize Fernet
// token"), expired or revoked ("Failed to validate token") token.
//
// # The model
//
// Users are state.User (name, password, domain name, roles by project
// name); projects are state.Project. A domain is known by its name, and its
// id is that name, except for the default domain: id "default", name
// "Default". Issued tokens are state.AuthToken values in the store, with
// their methods, audit ids and issue time; the store's static tokens are
// valid tokens too, shown with the password method and, when they never
// expire, an expiry one TTL away. Roles are those the user had when the
// token was issued.
//
// Not modelled: domain- and system-scoped tokens (the fake assigns roles on
// projects only, so Keystone's 401 answers them), trusts, application
// credentials, the other auth methods, ?allow_expired, JSON-Home
// documents, and the rest of the identity API (users, projects, catalog
// management).
package identity
