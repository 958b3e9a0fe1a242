package middleware_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/novastub/novastub/middleware"
)

// Chain RequestID and Authenticate around a handler that answers with the
// caller's project.
func ExampleAuthenticate() {
	auth := middleware.StaticTokens(map[string]middleware.Identity{
		"secret": {UserID: "u1", ProjectID: "1ab83fbf1b594600bfa618dc33694dd6", Roles: []string{"member"}},
	})
	project := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, _ := middleware.IdentityFrom(r.Context())
		fmt.Fprintf(w, "project %s, member %t", id.ProjectID, id.HasRole("member"))
	})
	h := middleware.RequestID(middleware.Authenticate(auth)(project))

	r := httptest.NewRequest(http.MethodGet, "/v2.1/servers", nil)
	r.Header.Set("X-Auth-Token", "secret")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)

	fmt.Println(w.Code)
	fmt.Println(w.Body.String())
	fmt.Println(strings.HasPrefix(w.Header().Get("X-Openstack-Request-Id"), "req-"))
	// Output:
	// 200
	// project 1ab83fbf1b594600bfa618dc33694dd6, member true
	// true
}

// A request without a token (or with an unknown one) gets Keystone's 401.
func ExampleAuthenticate_unauthorized() {
	auth := middleware.StaticTokens(map[string]middleware.Identity{"secret": {UserID: "u1", ProjectID: "p1"}})
	h := middleware.Authenticate(auth, middleware.WithAuthURI(func(*http.Request) string {
		return "https://keystone.example.com/v3"
	}))(http.NotFoundHandler())

	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/v2.1/servers", nil))

	fmt.Println(w.Code)
	fmt.Println(w.Header().Get("WWW-Authenticate"))
	fmt.Println(w.Header().Get("Content-Type"))
	fmt.Println(w.Body.String())
	// Output:
	// 401
	// Keystone uri="https://keystone.example.com/v3"
	// application/json
	// {"error": {"code": 401, "title": "Unauthorized", "message": "The request you have made requires authentication."}}
}

// webob's error page follows the Accept header.
func ExampleWriteWebObError() {
	for _, accept := range []string{"application/json", ""} {
		r := httptest.NewRequest(http.MethodGet, "/v2.1/nowhere", nil)
		if accept != "" {
			r.Header.Set("Accept", accept)
		}
		w := httptest.NewRecorder()
		middleware.WriteWebObError(w, r, http.StatusNotFound, "The resource could not be found.")
		fmt.Printf("%d %s\n%q\n", w.Code, w.Header().Get("Content-Type"), w.Body.String())
	}
	// Output:
	// 404 application/json
	// "{\"message\": \"The resource could not be found.<br /><br />\\n\\n\\n\", \"code\": \"404 Not Found\", \"title\": \"Not Found\"}"
	// 404 text/plain; charset=UTF-8
	// "404 Not Found\n\nThe resource could not be found.\n\n   "
}

func ExamplePreferredType() {
	fmt.Printf("%q\n", middleware.PreferredType("text/html;q=0.5, application/json", "text/html", "application/json"))
	fmt.Printf("%q\n", middleware.PreferredType("*/*", "text/html", "application/json"))
	fmt.Printf("%q\n", middleware.PreferredType("", "text/html", "application/json"))
	// Output:
	// "application/json"
	// "text/html"
	// ""
}
