// Package identity is a fake of OpenStack Keystone's v3 identity API: the
// part OpenStack clients need to log in (with a password, or with a token
// such as the store's static ones), find every service of the fake cloud
// in the catalog, and list the projects and users they may see. It answers
// from a state.Store, the one the fake Nova serves, so that the tokens it
// issues are the ones Nova accepts.
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
// or with a static token of the store, which the token method re-scopes:
//
//	provider, err := openstack.AuthenticatedClient(ctx, gophercloud.AuthOptions{
//		IdentityEndpoint: "http://HOST/identity/v3", TokenID: "50c17af54c154f528d135e7f74098cfd",
//		Scope: &gophercloud.AuthScope{ProjectName: "demo", DomainName: "Default"},
//	})
//
// or with the Python clients: OS_AUTH_URL=http://HOST/identity/v3 with
// OS_USERNAME, OS_PASSWORD, OS_PROJECT_NAME, OS_USER_DOMAIN_NAME and
// OS_PROJECT_DOMAIN_NAME=Default; or OS_AUTH_TYPE=v3token, OS_TOKEN and
// OS_PROJECT_ID (or OS_PROJECT_NAME and OS_PROJECT_DOMAIN_NAME).
//
// # What it serves
//
//   - GET / (300, every version) and GET /v3 (200): Keystone's discovery
//     documents, v3.14, linking to <base>/v3/, where <base> is the
//     external URL (WithExternalURL) or the request's scheme and host
//     followed by the prefix (WithPrefix, "/identity" by default).
//   - POST /v3/auth/tokens with the password method (a user by id, or by
//     name in a domain given by name or id) and the token method (to
//     re-scope a token, the service's own or a static one of the store; the
//     new token keeps its expiry and audit chain), scoped to a project (by
//     id, or by name in a domain) or unscoped: 201, X-Subject-Token, and
//     Keystone's token body, with the user's roles on the project and the
//     catalog. Tokens live for the TTL (WithTokenTTL, 3600 s) on the
//     store's clock.
//   - The catalog (WithEndpoint): identity ("keystone", the service
//     itself), compute ("nova", <origin>/v2.1/<project_id>), image
//     ("glance", <origin>/image) and network ("neutron",
//     <origin>/networking), each with a public, an internal and an admin
//     endpoint in the region (WithRegion, "RegionOne"), where <origin> is
//     WithCatalogBaseURL or the request's scheme and host. GET
//     /v3/auth/catalog gives it for a project-scoped token.
//   - GET /v3/auth/tokens (validate; HEAD to check) and DELETE (revoke),
//     with X-Auth-Token and X-Subject-Token, under Keystone's legacy
//     default policies: a token's own user, an admin, or (to validate) a
//     user with the service role.
//   - GET /v3/projects (an admin's: the filters name, domain_id, enabled,
//     parent_id and is_domain, their name__contains-style forms, tags,
//     limit and marker, as Keystone's SQL backend pages them),
//     GET /v3/projects/{id} (an admin, or a token of that project),
//     GET /v3/auth/projects (the token user's projects),
//     GET /v3/users/{id} and GET /v3/users/{id}/projects (an admin, or the
//     user): Keystone's bodies, links and key order, and its 400 (the query
//     schema, as jsonschema words it), 401, 403 and 404.
//
// Operation names each call for fakenova's journal and fault rules
// (Operations lists them), and WriteError writes Keystone's error body for
// an injected fault.
//
// Errors are Keystone's, word for word: the 401 for any failed
// authentication (a wrong password, an unknown user or project, no role on
// the project, a missing or invalid X-Auth-Token) with WWW-Authenticate:
// Keystone uri="<base>/v3"; the 400s of a malformed request, including the
// JSON schema errors as jsonschema words them; the 403s of its policies;
// the 404s of an unknown ("Could not recognize Fernet token"), expired or
// revoked ("Failed to validate token") token; and, as Keystone's auth
// middleware answers before any route, the 404 of an X-Auth-Token whose
// project or user is gone.
//
// # The model
//
// Users are state.User (name, password, domain name, roles by project
// name); projects are state.Project. A domain is known by its name, and its
// id is that name, except for the default domain: id "default", name
// "Default"; it is listed as a project acting as a domain. Issued tokens
// are state.AuthToken values in the store, with their methods, audit ids
// and issue time. Roles are those the user had when the token was issued.
// An admin role on any project makes an admin of the whole cloud, as with
// Keystone's default policies.
//
// The store's static tokens are valid tokens too, shown with the password
// method and, when they never expire, an expiry one TTL away. Each stands
// for a user: the store's user of its user_id; else a user of its own in
// the default domain, whose id is its user_id or, when it has none, one
// derived from the token (the same every time, not revealing it), whose
// name is its user_name or that id, and whose only roles are the static
// token's on its project. So a static token re-scopes (to its project, or
// to none), validates itself, and GET /v3/users/{id} and
// /v3/users/{id}/projects answer for its user.
//
// Not modelled: domain- and system-scoped tokens (the fake assigns roles on
// projects only, so Keystone's 401 answers them), trusts, application
// credentials, the other auth methods, ?allow_expired, JSON-Home
// documents, project hierarchies (parents_as_list and the like are
// ignored), and the rest of the identity API: the writes (POST, PATCH,
// DELETE of projects and users get 405: the store manages them), user,
// role, service and endpoint listings (404).
package identity
