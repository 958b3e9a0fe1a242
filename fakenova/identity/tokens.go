package identity

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"net/http"
	"sort"
	"time"

	"github.com/novastub/novastub/internal/pyjson"
	"github.com/novastub/novastub/internal/wire"
	"github.com/novastub/novastub/state"
)

// Tokens: their form, their lifetime in the store, how Keystone renders
// them, and the validate and revoke calls.

// tokenBytes is the length of a token before base64: a version byte, the
// issue time (Unix seconds), 16 random bytes and a 16-byte tag.
const tokenBytes = 1 + 8 + 16 + 16

// newToken returns a new token and a new audit id. A token has the form of
// a Fernet token (URL-safe base64 without padding, starting "gAAAAA") and
// carries a tag keyed by the service, so that the service recognizes its
// own tokens after they have left the store. Audit ids are Keystone's
// random_urlsafe_str: 16 random bytes, URL-safe base64 without padding.
func (s *Service) newToken(issued time.Time) (token, auditID string) {
	var rnd [32]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		panic("identity: crypto/rand: " + err.Error()) // it does not fail on the systems Go supports
	}
	var raw [tokenBytes]byte
	raw[0] = 0x80 // Fernet's version byte
	binary.BigEndian.PutUint64(raw[1:9], uint64(issued.Unix()))
	copy(raw[9:25], rnd[:16])
	tag := s.tag(raw[:25])
	copy(raw[25:], tag[:16])
	return base64.RawURLEncoding.EncodeToString(raw[:]), base64.RawURLEncoding.EncodeToString(rnd[16:])
}

// tag is a keyed hash of a token's first 25 bytes. It only tells this
// service's tokens from others; tokens are found by lookup in the store.
func (s *Service) tag(head []byte) [sha256.Size]byte {
	var buf [32 + 25]byte
	copy(buf[:32], s.key[:])
	copy(buf[32:], head)
	return sha256.Sum256(buf[:])
}

// issuedHere reports whether token has the form and tag of this service's
// tokens.
func (s *Service) issuedHere(token string) bool {
	if len(token) != base64.RawURLEncoding.EncodedLen(tokenBytes) {
		return false
	}
	var raw [tokenBytes]byte
	if n, err := base64.RawURLEncoding.Decode(raw[:], []byte(token)); err != nil || n != tokenBytes || raw[0] != 0x80 {
		return false
	}
	tag := s.tag(raw[:25])
	return subtle.ConstantTimeCompare(tag[:16], raw[25:]) == 1
}

// adoptIssued takes the store's tokens that this service issued before
// (a store opened from a state file keeps them: state.Open) into the
// tokens it purges once expired and caps, oldest first.
func (s *Service) adoptIssued() {
	for _, t := range s.store.Tokens() {
		if t.AuditID != "" && !t.IssuedAt.IsZero() && !t.ExpiresAt.IsZero() {
			s.issued = append(s.issued, issuedToken{token: t.Token, expires: t.ExpiresAt})
		}
	}
	sort.SliceStable(s.issued, func(i, j int) bool { return s.issued[i].expires.Before(s.issued[j].expires) })
}

// keep stores an issued token as an API token of the store, where the fake
// Nova finds it, and drops the service's tokens that have expired, so that
// a long-running stub does not keep every token it ever issued.
func (s *Service) keep(t state.AuthToken) error {
	if err := s.store.AddToken(t); err != nil {
		return err
	}
	now := s.store.Clock().Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	for len(s.issued) > 0 && !now.Before(s.issued[0].expires) {
		s.dropOldest()
	}
	evicted := 0
	for len(s.issued) >= s.cfg.maxTokens {
		s.dropOldest()
		evicted++
	}
	s.issued = append(s.issued, issuedToken{token: t.Token, expires: t.ExpiresAt})
	if evicted > 0 {
		s.evicted += uint64(evicted)
		if wall := time.Now(); s.evictionLogged.IsZero() || wall.Sub(s.evictionLogged) >= time.Minute {
			s.evictionLogged = wall
			s.cfg.logger.Warn("identity tokens evicted before their expiry: the service holds its maximum; raise it (identity.WithMaxTokens)",
				"max", s.cfg.maxTokens, "evicted_total", s.evicted)
		}
	}
	return nil
}

// dropOldest removes the oldest issued token from the store. s.mu is held.
func (s *Service) dropOldest() {
	_ = s.store.RemoveToken(s.issued[0].token) // gone already if revoked
	s.issued[0] = issuedToken{}
	s.issued = s.issued[1:]
}

// TokenStats tells how the service's issued tokens fare: how many it
// holds (live, or expired and not yet dropped), its bound (WithMaxTokens)
// and how many live tokens it evicted early.
type TokenStats struct {
	Held    int    // issued tokens held, live or expired but not yet dropped
	Max     int    // the bound (WithMaxTokens)
	Evicted uint64 // live tokens dropped early since the service was made
}

// TokenStats returns the issued tokens' figures.
func (s *Service) TokenStats() TokenStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return TokenStats{Held: len(s.issued), Max: s.cfg.maxTokens, Evicted: s.evicted}
}

// lookupToken is Keystone's validate_token (keystone/token/provider.py):
// the token and, when it is project-scoped, its project; or Keystone's 404
// for an empty, unknown, expired or revoked token, or one whose project is
// gone (checked first, as TokenModel.mint does).
func (s *Service) lookupToken(token string) (state.AuthToken, *state.Project, *apiError) {
	if token == "" {
		return state.AuthToken{}, nil, tokenNotFound(msgNoToken)
	}
	t, err := s.store.TokenIncludingExpired(token)
	if err != nil {
		if s.issuedHere(token) { // expired and purged, or revoked
			return state.AuthToken{}, nil, tokenNotFound(msgFailedToValidate)
		}
		return state.AuthToken{}, nil, tokenNotFound(msgUnrecognizedToken)
	}
	var project *state.Project
	if t.ProjectID != "" {
		p, err := s.store.Project(t.ProjectID)
		if err != nil {
			return state.AuthToken{}, nil, notFound(msgProjectNotFound(t.ProjectID))
		}
		project = &p
	}
	if t.Expired(s.store.Clock().Now()) {
		return state.AuthToken{}, nil, tokenNotFound(msgFailedToValidate)
	}
	return t, project, nil
}

// tokenNotFound is exception.TokenNotFound, a 404.
func tokenNotFound(message string) *apiError {
	e := notFound(message)
	e.invalidToken = true
	return e
}

// What Keystone shows of a static token (seeded, not issued), which lacks
// some of what the service records.

// tokenMethods is the token's methods; a static token shows "password".
func tokenMethods(t state.AuthToken) state.AuthMethods {
	if t.Methods == 0 {
		return state.MethodPassword
	}
	return t.Methods
}

// tokenAuditID is the token's audit id; a static token has one derived
// from it, the same every time.
func tokenAuditID(t state.AuthToken) string {
	if t.AuditID != "" {
		return t.AuditID
	}
	sum := sha256.Sum256([]byte("audit " + t.Token))
	return base64.RawURLEncoding.EncodeToString(sum[:16])
}

// tokenTimes are the token's issue and expiry times. A static token that
// never expires shows an expiry one TTL from now (expires_at is required
// by clients); one without an issue time shows its expiry less a TTL, or
// now.
func (s *Service) tokenTimes(t state.AuthToken) (issued, expires time.Time) {
	now := s.store.Clock().Now()
	issued, expires = t.IssuedAt, t.ExpiresAt
	if expires.IsZero() {
		expires = now.Add(s.cfg.ttl)
	}
	if issued.IsZero() {
		issued = now
		if !t.ExpiresAt.IsZero() {
			issued = t.ExpiresAt.Add(-s.cfg.ttl)
		}
		issued = issued.Truncate(time.Second)
	}
	return issued, expires
}

// appendISOTime appends Keystone's utils.isotime(at, subsecond=True) of t,
// in UTC.
func appendISOTime(b []byte, t time.Time) []byte {
	return t.UTC().AppendFormat(b, "2006-01-02T15:04:05.000000Z")
}

// renderToken is Keystone's render_token_response_from_model
// (keystone/common/render_token.py), serialized as jsonutils.dumps does
// (members in the dict's order, ", " and ": "):
// {"token": {"methods", "user", "audit_ids", "expires_at", "issued_at"}},
// and for a project-scoped token "project", "is_domain", "roles" and (unless
// the request says ?nocatalog) "catalog". An unscoped token has none of
// these four. Roles are the ones the token was issued with.
func (s *Service) renderToken(r *http.Request, t state.AuthToken, project *state.Project) []byte {
	issued, expires := s.tokenTimes(t)
	userID, userName, userDomain := t.UserID, t.UserName, t.UserDomain
	if isStatic(t) { // the user it stands for
		userID = tokenUserID(t)
		if p, ok := s.principalByID(userID); ok {
			userName, userDomain = p.name, p.domain
		}
	}
	b := make([]byte, 0, 4096) // a catalog of four services is about 3 kB
	b = append(b, `{"token": {"methods": [`...)
	for i, name := range tokenMethods(t).Names() {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = pyjson.AppendString(b, name)
	}
	b = append(b, `], "user": {"domain": `...)
	b = appendDomain(b, state.DomainIDForName(userDomain))
	b = append(b, `, "id": `...)
	b = pyjson.AppendString(b, userID)
	b = append(b, `, "name": `...)
	b = pyjson.AppendString(b, userName)
	b = append(b, `, "password_expires_at": null}, "audit_ids": [`...)
	b = pyjson.AppendString(b, tokenAuditID(t))
	if t.ParentAuditID != "" {
		b = append(b, ", "...)
		b = pyjson.AppendString(b, t.ParentAuditID)
	}
	b = append(b, `], "expires_at": "`...)
	b = appendISOTime(b, expires)
	b = append(b, `", "issued_at": "`...)
	b = appendISOTime(b, issued)
	b = append(b, '"')
	if project != nil {
		b = append(b, `, "project": {"domain": `...)
		b = appendDomain(b, project.DomainID)
		b = append(b, `, "id": `...)
		b = pyjson.AppendString(b, project.ID)
		b = append(b, `, "name": `...)
		b = pyjson.AppendString(b, project.Name)
		b = append(b, `}, "is_domain": false, "roles": [`...)
		for i, role := range t.Roles {
			if i > 0 {
				b = append(b, ", "...)
			}
			b = append(b, `{"id": "`...)
			b = appendStableID(b, "role ", role)
			b = append(b, `", "name": `...)
			b = pyjson.AppendString(b, role)
			b = append(b, '}')
		}
		b = append(b, ']')
		if !noCatalog(r) {
			b = append(b, `, "catalog": `...)
			b = s.appendCatalog(b, r, project.ID)
		}
	}
	return append(b, "}}"...)
}

// appendDomain appends a domain reference, {"id": ..., "name": ...}.
func appendDomain(b []byte, id string) []byte {
	if id == "" {
		id = state.DefaultDomainID
	}
	b = append(b, `{"id": `...)
	b = pyjson.AppendString(b, id)
	b = append(b, `, "name": `...)
	b = pyjson.AppendString(b, state.DomainNameForID(id))
	return append(b, '}')
}

// noCatalog reports whether the request asks for no catalog (?nocatalog).
func noCatalog(r *http.Request) bool {
	if r.URL.RawQuery == "" {
		return false
	}
	_, ok := r.URL.Query()["nocatalog"]
	return ok
}

// serveValidate answers GET /v3/auth/tokens (validate) and HEAD (check):
// 200 with the subject token's body and X-Subject-Token.
func (s *Service) serveValidate(w http.ResponseWriter, r *http.Request, c *caller) {
	action := actionValidate
	if r.Method == http.MethodHead {
		action = actionCheck
	}
	subject, project, token, e := s.authorizeSubject(r, c, action)
	if e != nil {
		s.writeError(w, r, e)
		return
	}
	w.Header().Set("X-Subject-Token", token)
	wire.WriteJSON(w, http.StatusOK, s.renderToken(r, subject, project))
}

// serveRevoke answers DELETE /v3/auth/tokens: the subject token stops
// working, here and for the fake Nova; 204 without a Content-Type
// (keystone/server/flask/common.py drops it on a 204).
func (s *Service) serveRevoke(w http.ResponseWriter, r *http.Request, c *caller) {
	_, _, token, e := s.authorizeSubject(r, c, actionRevoke)
	if e != nil {
		s.writeError(w, r, e)
		return
	}
	_ = s.store.RemoveToken(token)
	w.WriteHeader(http.StatusNoContent)
}

// authorizeSubject checks a call on X-Subject-Token in Keystone's order:
// the caller's X-Auth-Token (401), the subject token (404), the policy
// (403), and a missing subject (404).
func (s *Service) authorizeSubject(r *http.Request, c *caller, action string) (state.AuthToken, *state.Project, string, *apiError) {
	if c == nil {
		return state.AuthToken{}, nil, "", unauthorized("X-Auth-Token missing, unknown or expired")
	}
	values, present := r.Header["X-Subject-Token"]
	var subject state.AuthToken
	var project *state.Project
	if present {
		var e *apiError
		if subject, project, e = s.lookupToken(values[0]); e != nil {
			return state.AuthToken{}, nil, "", e
		}
	}
	if !permitted(c, subject, present, action) {
		return state.AuthToken{}, nil, "", forbiddenAction(action)
	}
	if !present {
		return state.AuthToken{}, nil, "", notFound(msgNoToken)
	}
	return subject, project, values[0], nil
}

// permitted applies Keystone's policies of the token API as a deployment
// with the legacy defaults does (keystone/common/policies/token.py and
// base.py, the deprecated rules, which still apply without
// enforce_new_defaults): the subject token's own user may do anything with
// it; an admin too; a user with the service role may validate it.
func permitted(c *caller, subject state.AuthToken, haveSubject bool, action string) bool {
	switch {
	case c.isAdmin():
		return true
	case action == actionValidate && c.token.HasRole("service"):
		return true
	}
	return haveSubject && c.userID == tokenUserID(subject)
}
