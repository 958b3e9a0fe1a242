// Command proxy puts novastub's console calls in front of a real (or a
// staging) Nova: an httputil.ReverseProxy forwards every request to the
// upstream, and fakenova.Middleware answers the console calls before they
// get there. Console tokens live in novastub's store; the servers they are
// for are looked up in the upstream.
//
//	go run ./examples/proxy -upstream http://nova.staging:8774 -service-token $ADMIN_TOKEN
//
// The chain, outermost first:
//
//	authenticate   the project's auth: X-Auth-Token checked against a static
//	               map, the identity put in the request context
//	consoles       fakenova.Middleware: the console calls, answered here
//	proxy          httputil.ReverseProxy to -upstream: everything else
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"log/slog"
	"net/http"
	"net/http/httputil"
	"net/url"
	"time"

	"github.com/novastub/novastub/fakenova"
	"github.com/novastub/novastub/middleware"
	"github.com/novastub/novastub/state"
)

// demoTokens are the tokens the proxy accepts, standing for what Keystone
// would say of them. A real deployment checks tokens with Keystone
// instead: any middleware.Authenticator does.
var demoTokens = map[string]middleware.Identity{
	"member-token": {UserID: "demo-user", UserName: "demo", ProjectID: "1ab83fbf1b594600bfa618dc33694dd6",
		Roles: []string{"member", "reader"}},
	"admin-token": {UserID: "admin-user", UserName: "admin", ProjectID: "1ab83fbf1b594600bfa618dc33694dd6",
		Roles: []string{"admin", "member", "reader"}},
}

// newProxy is the handler the program serves: upstream behind the
// console middleware behind the project's authentication. The server
// source asks the upstream with serviceToken; st keeps the console tokens
// (in front of another handler the fake does not need the projects).
func newProxy(upstream *url.URL, serviceToken string, tokens map[string]middleware.Identity, st *state.Store) http.Handler {
	consoles := fakenova.Middleware(
		fakenova.WithState(st),
		fakenova.WithServerSource(upstreamServers(upstream, serviceToken, http.DefaultClient)),
		fakenova.WithLogger(slog.Default()), // the lookups that fail
	)
	return authenticate(tokens)(consoles(reverseProxy(upstream)))
}

// reverseProxy forwards requests to upstream.
func reverseProxy(upstream *url.URL) *httputil.ReverseProxy {
	return &httputil.ReverseProxy{Rewrite: func(pr *httputil.ProxyRequest) {
		pr.SetURL(upstream)
		pr.SetXForwarded() // for Nova's http_proxy_to_wsgi: links that name the proxy
	}}
}

// authenticate is the project's authentication: a request with a token
// must carry a known one (else 401), and reaches next with its identity in
// the context, where fakenova.Middleware reads it; a request without one
// goes on without identity, for the upstream to answer (version documents
// need no token) and the console calls to refuse with Keystone's 401.
func authenticate(tokens map[string]middleware.Identity) func(http.Handler) http.Handler {
	check := middleware.Authenticate(middleware.StaticTokens(tokens))
	return func(next http.Handler) http.Handler {
		checked := check(next)
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("X-Auth-Token") == "" {
				next.ServeHTTP(w, r)
				return
			}
			checked.ServeHTTP(w, r)
		})
	}
}

// upstreamServers finds servers with GET /v2.1/servers/{id} on the
// upstream, with serviceToken (the caller's own token is there too, with
// fakenova.RequestFrom, but a service token sees more): an admin token is
// best, as only admins see OS-EXT-SRV-ATTR:host, and the fake itself keeps
// a non-admin caller to its project's servers.
//
// The upstream's server maps to a state.Server as follows:
//
//	id                     ID
//	tenant_id              ProjectID
//	status                 VMState (ACTIVE is active, SHUTOFF stopped, ...)
//	OS-EXT-STS:task_state  TaskState (null is none)
//	OS-EXT-SRV-ATTR:host   Host; when it is hidden (a non-admin service
//	                       token), hostId, Nova's per-project hash of the
//	                       host, which is empty exactly when the server has
//	                       no host. The console checks need only to know
//	                       whether there is one; the hash then names the host
//	                       in os-console-auth-tokens.
//
// A 404 is state.ErrNotFound (the fake's 404); anything else that is not
// a 200 is an error (the fake's 500).
func upstreamServers(upstream *url.URL, serviceToken string, client *http.Client) fakenova.ServerSource {
	return fakenova.ServerSourceFunc(func(ctx context.Context, id string) (state.Server, error) {
		u := upstream.JoinPath("v2.1", "servers", id)
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
		if err != nil {
			return state.Server{}, err
		}
		req.Header.Set("Accept", "application/json")
		req.Header.Set("X-Auth-Token", serviceToken)
		resp, err := client.Do(req)
		if err != nil {
			return state.Server{}, err
		}
		defer resp.Body.Close()
		switch resp.StatusCode {
		case http.StatusOK:
		case http.StatusNotFound:
			return state.Server{}, &state.NotFoundError{Kind: "server", ID: id}
		default:
			return state.Server{}, fmt.Errorf("upstream: GET %s: %s", u.Path, resp.Status)
		}
		var body struct {
			Server struct {
				ID        string  `json:"id"`
				TenantID  string  `json:"tenant_id"`
				Status    string  `json:"status"`
				TaskState *string `json:"OS-EXT-STS:task_state"`
				Host      *string `json:"OS-EXT-SRV-ATTR:host"`
				HostID    string  `json:"hostId"`
			} `json:"server"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
			return state.Server{}, fmt.Errorf("upstream: GET %s: %w", u.Path, err)
		}
		s := body.Server
		srv := state.Server{ID: s.ID, ProjectID: s.TenantID, VMState: vmStates[s.Status], Host: s.HostID}
		if s.Host != nil {
			srv.Host = *s.Host
		}
		if s.TaskState != nil {
			srv.TaskState = state.TaskState(*s.TaskState)
		}
		return srv, nil
	})
}

// vmStates maps Nova's status to the vm_state behind it (the inverse of
// nova/api/openstack/common.py's _STATE_MAP, for task_state none).
var vmStates = map[string]state.VMState{
	"ACTIVE": state.VMActive, "BUILD": state.VMBuilding, "PAUSED": state.VMPaused,
	"SUSPENDED": state.VMSuspended, "SHUTOFF": state.VMStopped, "RESCUE": state.VMRescued,
	"VERIFY_RESIZE": state.VMResized, "SOFT_DELETED": state.VMSoftDeleted, "DELETED": state.VMDeleted,
	"ERROR": state.VMError, "SHELVED": state.VMShelved, "SHELVED_OFFLOADED": state.VMShelvedOffloaded,
}

func main() {
	upstream := flag.String("upstream", "", "base URL of the upstream Nova, such as http://127.0.0.1:8774")
	serviceToken := flag.String("service-token", "", "token the proxy looks servers up in the upstream with")
	addr := flag.String("addr", "127.0.0.1:8775", "address to listen on")
	flag.Parse()
	u, err := url.Parse(*upstream)
	if err != nil || u.Scheme == "" || u.Host == "" {
		log.Fatalf("-upstream: want a URL such as http://127.0.0.1:8774, got %q", *upstream)
	}
	st := state.New(state.WithProtocols(state.ProtocolVNC, state.ProtocolSPICE, state.ProtocolSerial))
	srv := &http.Server{Addr: *addr, Handler: newProxy(u, *serviceToken, demoTokens, st), ReadHeaderTimeout: 10 * time.Second}
	log.Printf("Nova at %s, with novastub's consoles, on http://%s/v2.1/", u, srv.Addr)
	log.Fatal(srv.ListenAndServe())
}
