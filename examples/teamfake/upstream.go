package teamfake

import (
	"encoding/json"
	"net/http"
	"strconv"
	"sync"

	"github.com/novastub/novastub/middleware"
)

// Upstream is a team's own fake Nova, written by hand for its test
// harness, in the style such fakes have: integer tenant and server ids, no
// roles, no version documents, the servers API under /v2/{tenant} and
// /v2.1/{tenant}, and its own token check. It knows nothing of consoles.
type Upstream struct {
	mu      sync.Mutex
	tokens  map[string]string // token -> tenant
	servers map[int]*Server
	next    int
	mux     *http.ServeMux
}

// Server is one of the upstream's servers.
type Server struct {
	ID     int    `json:"id"`
	Name   string `json:"name"`
	Tenant string `json:"tenant_id"`
	Host   string `json:"host"`
	Status string `json:"status"`
}

// NewUpstream returns a fake with the given tokens (token -> tenant id).
func NewUpstream(tokens map[string]string) *Upstream {
	u := &Upstream{tokens: tokens, servers: map[int]*Server{}, next: 1, mux: http.NewServeMux()}
	for _, root := range []string{"/v2", "/v2.1"} {
		u.mux.HandleFunc("POST "+root+"/{tenant}/servers", u.create)
		u.mux.HandleFunc("GET "+root+"/{tenant}/servers", u.list)
		u.mux.HandleFunc("GET "+root+"/{tenant}/servers/{id}", u.show)
		u.mux.HandleFunc("DELETE "+root+"/{tenant}/servers/{id}", u.remove)
		u.mux.HandleFunc("POST "+root+"/{tenant}/servers/{id}/action", u.action)
	}
	return u
}

// Authenticate is the team's auth middleware: it checks X-Auth-Token and
// puts the caller, a tenant without roles, in the request context.
func (u *Upstream) Authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tenant, ok := u.tokens[r.Header.Get("X-Auth-Token")]
		if !ok {
			http.Error(w, `{"error": "unauthorized"}`, http.StatusUnauthorized)
			return
		}
		id := &middleware.Identity{UserID: "user-" + tenant, ProjectID: tenant}
		next.ServeHTTP(w, r.WithContext(middleware.ContextWithIdentity(r.Context(), id)))
	})
}

// ServeHTTP serves the servers API.
func (u *Upstream) ServeHTTP(w http.ResponseWriter, r *http.Request) { u.mux.ServeHTTP(w, r) }

// Lookup returns a copy of server id, or false.
func (u *Upstream) Lookup(id string) (Server, bool) {
	n, err := strconv.Atoi(id)
	if err != nil {
		return Server{}, false
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	s, ok := u.servers[n]
	if !ok {
		return Server{}, false
	}
	return *s, true
}

func (u *Upstream) create(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Server struct {
			Name string `json:"name"`
		} `json:"server"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.Server.Name == "" {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "bad server"})
		return
	}
	u.mu.Lock()
	s := &Server{ID: u.next, Name: in.Server.Name, Tenant: r.PathValue("tenant"), Host: "compute-1", Status: "ACTIVE"}
	u.servers[s.ID] = s
	u.next++
	u.mu.Unlock()
	writeJSON(w, http.StatusAccepted, map[string]any{"server": map[string]any{"id": strconv.Itoa(s.ID), "name": s.Name}})
}

func (u *Upstream) list(w http.ResponseWriter, r *http.Request) {
	u.mu.Lock()
	out := []map[string]any{}
	for i := 1; i < u.next; i++ {
		if s, ok := u.servers[i]; ok && s.Tenant == r.PathValue("tenant") {
			out = append(out, map[string]any{"id": strconv.Itoa(s.ID), "name": s.Name})
		}
	}
	u.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"servers": out})
}

func (u *Upstream) show(w http.ResponseWriter, r *http.Request) {
	s, ok := u.Lookup(r.PathValue("id"))
	if !ok || s.Tenant != r.PathValue("tenant") {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "no such server"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"server": map[string]any{
		"id": strconv.Itoa(s.ID), "name": s.Name, "status": s.Status, "tenant_id": s.Tenant}})
}

func (u *Upstream) remove(w http.ResponseWriter, r *http.Request) {
	s, ok := u.Lookup(r.PathValue("id"))
	if !ok || s.Tenant != r.PathValue("tenant") {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "no such server"})
		return
	}
	u.mu.Lock()
	delete(u.servers, s.ID)
	u.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

// action answers the server actions the upstream knows: os-stop.
func (u *Upstream) action(w http.ResponseWriter, r *http.Request) {
	var in map[string]json.RawMessage
	_ = json.NewDecoder(r.Body).Decode(&in)
	if _, ok := in["os-stop"]; !ok {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "unknown action"})
		return
	}
	u.mu.Lock()
	if n, err := strconv.Atoi(r.PathValue("id")); err == nil && u.servers[n] != nil {
		u.servers[n].Status = "SHUTOFF"
	}
	u.mu.Unlock()
	w.WriteHeader(http.StatusAccepted)
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}
