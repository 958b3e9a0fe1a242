// Package middleware holds the net/http middleware that stands in front of
// an OpenStack API in novastub, each a func(http.Handler) http.Handler that
// answers as the matching piece of OpenStack's WSGI pipeline does:
//
//   - [RequestID]: oslo.middleware's request ids (X-Compute-Request-Id and
//     X-Openstack-Request-Id, req-<uuid4>) on every response.
//   - [Recover]: nova's FaultWrapper: a panic becomes a 500 computeFault,
//     logged with slog, with no stack trace in the body.
//   - [BodyLimit]: oslo.middleware's sizelimit: 413 past 114688 bytes.
//   - [Authenticate]: keystonemiddleware's auth_token: a missing or unknown
//     X-Auth-Token gets Keystone's 401; a good one puts an [Identity] in the
//     request context, read with [IdentityFrom].
//
// The package imports nothing else of novastub and works in front of any
// handler:
//
//	auth := middleware.StaticTokens(map[string]middleware.Identity{
//		"secret": {UserID: "u1", ProjectID: "1ab83fbf1b594600bfa618dc33694dd6", Roles: []string{"member"}},
//	})
//	h := middleware.RequestID(middleware.Recover(nil)(middleware.Authenticate(auth)(myHandler)))
package middleware
