package identity

import (
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/novastub/novastub/internal/pyjson"
	"github.com/novastub/novastub/internal/wire"
	"github.com/novastub/novastub/middleware"
	"github.com/novastub/novastub/state"
)

// POST /v3/auth/tokens, as keystone/api/auth.py (AuthTokenResource.post)
// and keystone/api/_shared/authentication.py (authenticate_for_token) do
// it, check by check in Keystone's order:
//
//  1. the body is JSON, an object (json_body.py);
//  2. "auth" passes the schema and its extra checks (keystone/auth/schema.py);
//  3. "auth" is there, every method has its object in "identity", every
//     method is one Keystone knows (AuthInfo._validate_auth_methods);
//  4. the scope names one thing, which exists (_validate_and_normalize_scope_data);
//  5. each method authenticates the same user (the password and token plugins);
//  6. the token is issued: a project scope needs a role on the project.

// scopeKind is what a token request asks to be scoped to.
type scopeKind int

const (
	scopeDefault  scopeKind = iota // no scope: the user's default project, which the fake has not, so unscoped
	scopeUnscoped                  // "unscoped", explicitly
	scopeProject
	scopeDomain
	scopeSystem
)

type scope struct {
	kind    scopeKind
	project state.Project
}

// authContext is what the methods establish: Keystone's AuthContext.
type authContext struct {
	userID      string
	user        *principal // when a method found it
	methods     state.AuthMethods
	expires     time.Time // a re-scoped token keeps its expiry
	parentAudit string    // and its audit chain
}

// setUser reconciles the user of a method with the others', as
// AuthContext.__setitem__ does.
func (c *authContext) setUser(id string) *apiError {
	if c.userID != "" && c.userID != id {
		return unauthorized("the methods authenticate different users")
	}
	c.userID = id
	return nil
}

func (s *Service) serveIssue(w http.ResponseWriter, r *http.Request) {
	body, e, done := readBody(w, r)
	if done {
		return
	}
	if e == nil {
		var t state.AuthToken
		var project *state.Project
		if t, project, e = s.issue(body); e == nil {
			w.Header().Set("X-Subject-Token", t.Token)
			wire.WriteJSON(w, http.StatusCreated, s.renderToken(r, t, project))
			return
		}
	}
	s.writeError(w, r, e)
}

// readBody is Keystone's json_body_before_request and request_body_json: a
// non-empty body must be JSON (by its Content-Type, or without one) and an
// object; an empty one reads as {}. done is true when the answer has been
// written (a body over the size limit).
func readBody(w http.ResponseWriter, r *http.Request) (body pyjson.Value, e *apiError, done bool) {
	data, err := io.ReadAll(r.Body)
	if err != nil {
		var tooLarge *middleware.BodyTooLargeError
		if errors.As(err, &tooLarge) {
			tooLarge.ServeHTTP(w, r)
			return body, nil, true
		}
		return body, badRequest(msgNotJSON), false
	}
	if len(data) == 0 {
		return pyjson.Obj(), nil, false
	}
	if ct := r.Header.Get("Content-Type"); ct != "" && !isJSONMediaType(ct) {
		return body, badRequest(msgNotJSONContentType), false
	}
	body, err = pyjson.Parse(data)
	if err != nil || body.Kind != pyjson.Object {
		return body, badRequest(msgNotJSON), false
	}
	return body, nil, false
}

// isJSONMediaType is werkzeug's Request.is_json: application/json or
// application/*+json, parameters aside.
func isJSONMediaType(ct string) bool {
	mt, _, _ := strings.Cut(ct, ";")
	mt = strings.ToLower(strings.TrimSpace(mt))
	return mt == "application/json" || strings.HasPrefix(mt, "application/") && strings.HasSuffix(mt, "+json")
}

// issue authenticates a token request and issues the token.
func (s *Service) issue(body pyjson.Value) (state.AuthToken, *state.Project, *apiError) {
	fail := func(e *apiError) (state.AuthToken, *state.Project, *apiError) { return state.AuthToken{}, nil, e }

	auth, _ := body.Get("auth")
	if auth.Kind != pyjson.Null { // validate_issue_token_auth skips a missing auth
		if err := validateSchema(tokenIssueSchema, auth); err != nil {
			return fail(badRequest(err.detail()))
		}
		if msg := checkIDOrName(auth); msg != "" {
			return fail(badRequest(msg))
		}
	}
	if auth.Kind == pyjson.Null {
		return fail(badRequest(msgNoAuth))
	}
	identity, _ := auth.Get("identity")
	methodList, _ := identity.Get("methods")
	var methods []string
	for _, m := range methodList.Items {
		if !slices.Contains(methods, m.Text) {
			methods = append(methods, m.Text)
		}
	}
	for _, m := range methods {
		if _, ok := identity.Get(m); !ok {
			return fail(badRequest(msgMethodMissing(m)))
		}
	}
	for _, m := range methods {
		if !slices.Contains(keystoneAuthMethods, m) {
			return fail(unsupportedMethod())
		}
	}
	sc, e := s.resolveScope(auth)
	if e != nil {
		return fail(e)
	}

	var ctx authContext
	for _, m := range methods {
		payload, _ := identity.Get(m)
		switch m {
		case "password":
			e = s.passwordMethod(payload, &ctx)
		case "token":
			e = s.tokenMethod(payload, &ctx)
		default: // a method Keystone knows and the fake does not implement
			e = unauthorized("the " + m + " method is not implemented by the fake")
		}
		if e != nil {
			return fail(e)
		}
		bit, _ := state.ParseAuthMethod(m)
		ctx.methods |= bit
	}
	if ctx.userID == "" {
		return fail(unauthorized("no method identified a user"))
	}
	user := ctx.user
	if user == nil {
		p, ok := s.principalByID(ctx.userID)
		if !ok {
			return fail(notFound(msgUserNotFound(ctx.userID)))
		}
		user = p
	}

	now := s.store.Clock().Now()
	t := state.AuthToken{
		UserID:        user.id,
		UserName:      user.name,
		UserDomain:    user.domain,
		ExpiresAt:     ctx.expires,
		IssuedAt:      now.Truncate(time.Second), // Fernet keeps whole seconds
		Methods:       ctx.methods,
		ParentAuditID: ctx.parentAudit,
	}
	if t.ExpiresAt.IsZero() {
		t.ExpiresAt = now.Truncate(time.Microsecond).Add(s.cfg.ttl)
	}
	var project *state.Project
	switch sc.kind {
	case scopeProject:
		roles := user.rolesOn(sc.project)
		if len(roles) == 0 {
			return fail(unauthorized("user " + user.name + " has no role on project " + sc.project.Name))
		}
		t.ProjectID, t.Roles = sc.project.ID, roles // the user is a copy; AddToken copies too
		project = &sc.project
	case scopeDomain, scopeSystem: // the fake assigns roles on projects only
		return fail(unauthorized("user " + user.name + " has no role on the requested domain or system"))
	}
	t.Token, t.AuditID = s.newToken(now)
	if err := s.keep(t); err != nil {
		return fail(unexpected())
	}
	return t, project, nil
}

// checkIDOrName is validate_issue_token_auth's checks after the schema:
// users, projects and domains need an "id" or a "name" key.
func checkIDOrName(auth pyjson.Value) string {
	lacksIDAndName := func(v pyjson.Value) bool {
		_, id := v.Get("id")
		_, name := v.Get("name")
		return !id && !name
	}
	identity, _ := auth.Get("identity")
	password, _ := identity.Get("password")
	if user, ok := password.Get("user"); ok {
		if lacksIDAndName(user) {
			return msgSchemaUserIDOrName
		}
		if domain, ok := user.Get("domain"); ok && lacksIDAndName(domain) {
			return msgSchemaUserDomainIDOrName
		}
	}
	sc, _ := auth.Get("scope")
	if project, ok := sc.Get("project"); ok {
		if lacksIDAndName(project) {
			return msgSchemaProjectIDOrName
		}
		if domain, ok := project.Get("domain"); ok && lacksIDAndName(domain) {
			return msgSchemaProjectDomainIDOrName
		}
	}
	if domain, ok := sc.Get("domain"); ok && lacksIDAndName(domain) {
		return msgSchemaDomainIDOrName
	}
	return ""
}

// str is a string member of an object ("" when absent: the schema has made
// sure that present ones are strings), as Python's dict.get then truth.
func str(v pyjson.Value, key string) string {
	m, _ := v.Get(key)
	return m.Text
}

// scopeKeys are the things a scope may name, one at a time.
var scopeKeys = []string{"project", "domain", "unscoped", "system", "OS-TRUST:trust"}

// resolveScope is AuthInfo._validate_and_normalize_scope_data. A scope
// may be an object or, for "unscoped", a string, which Python searches with
// `in` as a substring.
func (s *Service) resolveScope(auth pyjson.Value) (scope, *apiError) {
	sc, ok := auth.Get("scope")
	if !ok {
		return scope{kind: scopeDefault}, nil
	}
	has := func(key string) bool {
		if sc.Kind == pyjson.String {
			return strings.Contains(sc.Text, key)
		}
		_, ok := sc.Get(key)
		return ok
	}
	n := 0
	for _, k := range scopeKeys {
		if has(k) {
			n++
		}
	}
	if n != 1 {
		return scope{}, badRequest(msgScopeKinds)
	}
	switch {
	case has("system"):
		return scope{kind: scopeSystem}, nil
	case has("unscoped"):
		return scope{kind: scopeUnscoped}, nil
	case sc.Kind == pyjson.String: // scope['project'] of a str raises TypeError
		return scope{}, badRequest(msgStringIndices)
	case has("project"):
		p, e := s.lookupProject(sc)
		return scope{kind: scopeProject, project: p}, e
	case has("domain"):
		dv, _ := sc.Get("domain")
		id := str(dv, "id")
		if name := str(dv, "name"); name != "" {
			id = state.DomainIDForName(name)
		}
		if !s.domainExists(id) {
			return scope{}, unauthorized("no domain " + id)
		}
		return scope{kind: scopeDomain}, nil
	}
	// OS-TRUST:trust: the fake has no trusts (TrustNotFound is a 401).
	tv, _ := sc.Get("OS-TRUST:trust")
	if str(tv, "id") == "" {
		return scope{}, badRequest(msgTrustNeedsID)
	}
	return scope{}, unauthorized("no such trust")
}

// lookupProject is AuthInfo._lookup_project: by name in a domain (by
// name or id), or by id. Whether the domain exists needs no check of its
// own: a project found in it proves it does, and either miss is the same
// 401.
func (s *Service) lookupProject(sc pyjson.Value) (state.Project, *apiError) {
	pv, _ := sc.Get("project")
	if name := str(pv, "name"); name != "" {
		dv, ok := pv.Get("domain")
		if !ok {
			return state.Project{}, badRequest(msgProjectNeedsDomain)
		}
		domainID := str(dv, "id")
		if dn := str(dv, "name"); dn != "" {
			domainID = state.DomainIDForName(dn)
		}
		if domainID == "" {
			return state.Project{}, unauthorized("no domain named")
		}
		p, err := s.store.ProjectByName(domainID, name)
		if err != nil {
			return state.Project{}, unauthorized("no project " + name + " in domain " + domainID)
		}
		return p, nil
	}
	id := str(pv, "id")
	p, err := s.store.Project(id)
	if id == "" || err != nil {
		return state.Project{}, unauthorized("no project " + id)
	}
	return p, nil
}

// domainExists reports whether a domain is known: the default one, or one
// a user or a project belongs to.
func (s *Service) domainExists(id string) bool {
	if id == state.DefaultDomainID {
		return true
	}
	if id == "" {
		return false
	}
	for _, u := range s.store.Users() {
		if state.DomainIDForName(u.Domain) == id {
			return true
		}
	}
	for _, p := range s.store.Projects() {
		if p.DomainID == id {
			return true
		}
	}
	return false
}

// passwordMethod is Keystone's password plugin (keystone/auth/plugins/
// password.py and core.py's UserAuthInfo): the user by id, or by name in a
// domain named by name or id, and its password.
func (s *Service) passwordMethod(payload pyjson.Value, ctx *authContext) *apiError {
	uv, ok := payload.Get("user")
	if !ok {
		return badRequest(msgPasswordNeedsUser)
	}
	id, name := str(uv, "id"), str(uv, "name")
	if id == "" && name == "" {
		return badRequest(msgUserNeedsIDOrName)
	}
	var user state.User
	var err error
	if name != "" {
		dv, ok := uv.Get("domain")
		if !ok {
			return badRequest(msgUserNeedsDomain)
		}
		domainName := str(dv, "name")
		if domainName == "" {
			domainID := str(dv, "id")
			if domainID == "" {
				return badRequest(msgDomainNeedsIDOrName)
			}
			domainName = state.DomainNameForID(domainID)
		}
		user, err = s.store.User(domainName, name)
	} else {
		user, err = s.store.UserByID(id)
	}
	password, given := uv.Get("password") // a string, by the schema
	if err != nil {
		user.PasswordMatches(password.Text) // take as long as for a known user
		return unauthorized("no such user")
	}
	if !given || !user.PasswordMatches(password.Text) {
		return unauthorized("invalid password for user " + user.Name)
	}
	ctx.user = principalOfUser(user)
	return ctx.setUser(user.ID)
}

// tokenMethod is Keystone's token plugin (keystone/auth/plugins/token.py):
// a valid token (else validate_token's 404) stands for its user; the new
// token keeps its expiry and its audit chain, and adds its methods. A
// static token of the store stands for the user its principal is, and
// having no expiry gives the new token the TTL's.
func (s *Service) tokenMethod(payload pyjson.Value, ctx *authContext) *apiError {
	t, _, e := s.lookupToken(str(payload, "id"))
	if e != nil {
		return e
	}
	id := tokenUserID(t)
	p, ok := s.principalByID(id)
	if !ok { // validate_token's TokenModel.mint: the user is gone
		return notFound(msgUserNotFound(id))
	}
	if !t.ExpiresAt.IsZero() && (ctx.expires.IsZero() || t.ExpiresAt.Before(ctx.expires)) {
		ctx.expires = t.ExpiresAt
	}
	ctx.parentAudit = t.ParentAuditID
	if ctx.parentAudit == "" {
		ctx.parentAudit = tokenAuditID(t)
	}
	ctx.methods |= tokenMethods(t)
	if e := ctx.setUser(id); e != nil {
		return e
	}
	ctx.user = p
	return nil
}
