package main

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/novastub/novastub/fakenova"
	"github.com/novastub/novastub/fakenova/identity"
	"github.com/novastub/novastub/state"
)

// What the stub prints before it listens: whom to call with what.

// printSummary shows the first token, its project and a server of that
// project whose console works, with a curl line that gets the console, and
// the identity service with a user who can log in.
func printSummary(w io.Writer, store *state.Store, base string) {
	fmt.Fprintln(w, "novastub: a fake OpenStack Nova (remote consoles)")
	tokens := store.Tokens()
	if len(tokens) == 0 {
		fmt.Fprintln(w, "  (the seed has no tokens: add one to call the API)")
		printIdentity(w, store, base, "")()
		return
	}
	tok := tokens[0]
	name := "(not in the seed: its calls get 409)"
	if p, err := store.Project(tok.ProjectID); err == nil {
		name = p.Name
	}
	fmt.Fprintf(w, "  project  %s %s\n", tok.ProjectID, name)
	fmt.Fprintf(w, "  token    %s\n", tok.Token)
	login := printIdentity(w, store, base, tok.ProjectID)
	defer login()
	for _, srv := range store.Servers() {
		if srv.ProjectID != tok.ProjectID || srv.Host == "" || srv.Status() != "ACTIVE" {
			continue
		}
		if h, err := store.Host(srv.Host); err != nil || !h.Supports(state.ConsoleNoVNC) {
			continue
		}
		fmt.Fprintf(w, "  server   %s %s (%s)\n", srv.ID, srv.Name, srv.Status())
		fmt.Fprintln(w, "get a console:")
		fmt.Fprintf(w, "  curl -s -X POST -H 'X-Auth-Token: %s' -H 'Content-Type: application/json' -d '{\"os-getVNCConsole\": {\"type\": \"novnc\"}}' %s/v2/%s/servers/%s/action\n",
			tok.Token, base, tok.ProjectID, srv.ID)
		return
	}
}

// printIdentity prints the identity service's auth URL and a user who can
// log in with a project to scope to (one with a role on the project with
// the given id, if any), and returns a function that prints how to log in
// as that user, for the end of the summary.
func printIdentity(w io.Writer, store *state.Store, base, projectID string) (login func()) {
	authURL := base + fakenova.IdentityPrefix + "/v3"
	fmt.Fprintf(w, "  identity %s (Keystone v3, region %s)\n", authURL, identity.DefaultRegion)
	user, project, ok := loginUser(store, projectID)
	if !ok {
		return func() {}
	}
	domain := user.Domain
	if domain == "" {
		domain = state.DefaultDomainName
	}
	projectDomain := state.DomainNameForID(project.DomainID)
	fmt.Fprintf(w, "  user     %s password %s, project %s, domain %s\n", user.Name, user.Password, project.Name, domain)
	return func() {
		fmt.Fprintln(w, "log in with a username and password (the OS_* variables of the OpenStack command-line clients):")
		fmt.Fprintf(w, "  export OS_AUTH_URL=%s OS_USERNAME=%s OS_PASSWORD=%s OS_PROJECT_NAME=%s OS_USER_DOMAIN_NAME=%s OS_PROJECT_DOMAIN_NAME=%s OS_REGION_NAME=%s\n",
			authURL, shellQuote(user.Name), shellQuote(user.Password), shellQuote(project.Name),
			shellQuote(domain), shellQuote(projectDomain), identity.DefaultRegion)
		body := `{"auth": {"identity": {"methods": ["password"], "password": {"user": {"name": ` + jsonQuote(user.Name) +
			`, "domain": {"name": ` + jsonQuote(domain) + `}, "password": ` + jsonQuote(user.Password) + `}}}, ` +
			`"scope": {"project": {"name": ` + jsonQuote(project.Name) + `, "domain": {"name": ` + jsonQuote(projectDomain) + `}}}}}`
		fmt.Fprintln(w, "get a token by password (the X-Subject-Token header; the body's catalog names the compute endpoint):")
		fmt.Fprintf(w, "  curl -si -H 'Content-Type: application/json' -d %s %s/auth/tokens\n", shellQuote(body), authURL)
	}
}

// loginUser picks a user with a role on a project: on the project with
// the given id if one has, else the first user (by domain and name) with
// a role on any project of the store.
func loginUser(store *state.Store, projectID string) (state.User, state.Project, bool) {
	projects := store.Projects()
	byName := func(name string) (state.Project, bool) {
		for _, p := range projects {
			if p.Name == name {
				return p, true
			}
		}
		return state.Project{}, false
	}
	users := store.Users()
	if p, err := store.Project(projectID); err == nil {
		for _, u := range users {
			if len(u.Roles[p.Name]) > 0 {
				return u, p, true
			}
		}
	}
	for _, u := range users {
		names := make([]string, 0, len(u.Roles))
		for name, roles := range u.Roles {
			if len(roles) > 0 {
				names = append(names, name)
			}
		}
		sort.Strings(names)
		for _, name := range names {
			if p, ok := byName(name); ok {
				return u, p, true
			}
		}
	}
	return state.User{}, state.Project{}, false
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:/@%+=,") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// jsonQuote is s as a JSON string.
func jsonQuote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
