package state

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
)

// KnownRoles are the roles a seed file may give: those Keystone's
// bootstrap creates (admin, manager, member, reader, service), which
// Nova's and Keystone's default policies name. A role outside them is
// most likely a typo, which would make every call of the token a 403.
var KnownRoles = []string{"admin", "manager", "member", "reader", "service"}

// checkSeed finds what Load must refuse before anything is added:
// duplicates (tokens, project names within a domain, hosts, users, server
// ids) and unknown roles, each named by its field and the earlier entry.
func checkSeed(seed *Seed) error {
	type key struct{ a, b string }
	seen := map[key]int{}
	dup := func(kind, a, b string, i int) (int, bool) {
		k := key{kind + "\x00" + a, b}
		if j, ok := seen[k]; ok {
			return j, true
		}
		seen[k] = i
		return 0, false
	}
	for i, p := range seed.Projects {
		domain := p.DomainID
		if domain == "" {
			domain = DefaultDomainID
		}
		if j, ok := dup("project", p.Name, domain, i); ok {
			return &InvalidError{Field: fmt.Sprintf("projects[%d].name", i),
				Reason: fmt.Sprintf("duplicate project name %q in domain %q (projects[%d] has it)", p.Name, domain, j)}
		}
		if p.ID == "" {
			continue
		}
		if j, ok := dup("project id", p.ID, "", i); ok {
			return &InvalidError{Field: fmt.Sprintf("projects[%d].id", i), Reason: fmt.Sprintf("duplicate project id %q (projects[%d] has it)", p.ID, j)}
		}
	}
	for i, h := range seed.Hosts {
		if j, ok := dup("host", h.Name, "", i); ok {
			return &InvalidError{Field: fmt.Sprintf("hosts[%d].name", i), Reason: fmt.Sprintf("duplicate host %q (hosts[%d] has it)", h.Name, j)}
		}
	}
	for i, t := range seed.Tokens {
		if j, ok := dup("token", t.Token, "", i); ok {
			return &InvalidError{Field: fmt.Sprintf("tokens[%d].token", i), Reason: fmt.Sprintf("duplicate token (tokens[%d] has it)", j)}
		}
		if err := checkRoles(fmt.Sprintf("tokens[%d].roles", i), t.Roles); err != nil {
			return err
		}
	}
	for i, u := range seed.Users {
		domain := u.Domain
		if domain == "" {
			domain = DefaultDomainName
		}
		if j, ok := dup("user", u.Name, domain, i); ok {
			return &InvalidError{Field: fmt.Sprintf("users[%d].name", i),
				Reason: fmt.Sprintf("duplicate user %q in domain %q (users[%d] has it)", u.Name, domain, j)}
		}
		projects := make([]string, 0, len(u.Roles))
		for p := range u.Roles {
			projects = append(projects, p)
		}
		sort.Strings(projects)
		for _, p := range projects {
			if err := checkRoles(fmt.Sprintf("users[%d].roles.%s", i, p), u.Roles[p]); err != nil {
				return err
			}
		}
	}
	for i, s := range seed.Servers {
		if s.ID == "" {
			continue
		}
		if j, ok := dup("server", s.ID, "", i); ok {
			return &InvalidError{Field: fmt.Sprintf("servers[%d].id", i), Reason: fmt.Sprintf("duplicate server id %q (servers[%d] has it)", s.ID, j)}
		}
	}
	return nil
}

// checkRoles refuses a role outside KnownRoles.
func checkRoles(field string, roles []string) error {
	for k, r := range roles {
		known := false
		for _, x := range KnownRoles {
			known = known || r == x
		}
		if !known {
			return &InvalidError{Field: fmt.Sprintf("%s[%d]", field, k),
				Reason: fmt.Sprintf("unknown role %q (the roles are %s)", r, strings.Join(KnownRoles, ", "))}
		}
	}
	return nil
}

// syntaxError is a JSON syntax error, or an unexpected end, with where it
// is in the file: line and column (of bytes), from 1.
type syntaxError struct {
	Line, Column int
	Err          error
}

func (e *syntaxError) Error() string {
	return fmt.Sprintf("line %d, column %d: %v", e.Line, e.Column, e.Err)
}

func (e *syntaxError) Unwrap() error { return e.Err }

// reason is the error as InvalidError's reason.
func (e *syntaxError) reason() string {
	what := e.Err.Error()
	if errors.Is(e.Err, io.ErrUnexpectedEOF) {
		what = "unexpected end of input"
	}
	return fmt.Sprintf("malformed JSON at line %d, column %d: %s", e.Line, e.Column, what)
}

// withPosition gives a syntax error or an unexpected end of data its
// line and column in data; other errors go as they are.
func withPosition(data []byte, err error) error {
	var se *json.SyntaxError
	offset := int64(-1)
	switch {
	case errors.As(err, &se):
		offset = se.Offset
	case errors.Is(err, io.ErrUnexpectedEOF):
		offset = int64(len(data)) + 1 // just past the end
	default:
		return err
	}
	upto := min(max(offset-1, 0), int64(len(data))) // the bytes before the bad one
	line, col := 1, 1
	for _, c := range data[:upto] {
		if c == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return &syntaxError{Line: line, Column: col, Err: err}
}
