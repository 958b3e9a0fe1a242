package fakenova

import (
	"net/http"
	"strings"

	"github.com/novastub/novastub/internal/pyjson"
)

// The messages of Nova's request pipeline (nova/api/openstack/wsgi.py
// Resource.__call__ and _process_stack), and the seed's additions.
const (
	msgMalformedBody        = "Malformed request body"
	msgUnsupportedMediaType = "Unsupported Content-Type"
)

func msgNoSuchAction(name string) string { return "There is no such action: " + name }

func msgProjectMismatch(url, ctx string) string {
	return "Malformed request URL: URL's project_id '" + url + "' doesn't match Context's project_id '" + ctx + "'"
}

// msgMalformedProjectID is the seed's 400 for an invalid project_id in the
// URL; Nova has no such message (its router does not match the URL).
func msgMalformedProjectID(id string) string {
	return "Malformed request URL: project_id '" + id + "' is not a valid project id"
}

// msgProjectNotFound is Nova's ProjectNotFound text, which the seed's 409
// "not found a specified project" carries here.
func msgProjectNotFound(id string) string { return "Project " + id + " could not be found." }

// msgVersionNotSupported is Nova's InvalidGlobalAPIVersion (406).
func msgVersionNotSupported(req string, min, max Microversion) string {
	return "Version " + req + " is not supported by the API. Minimum is " + min.String() +
		" and maximum is " + max.String() + "."
}

// route is one path of the API and the operation it serves.
type route struct {
	op     string // operation name; for /action the action decides
	method string
	path   string // under the API root, in httprouter's syntax
	action bool   // POST /servers/{id}/action: the body names the operation
	serve  func(*call)
}

// serve runs a routed request through the steps of Nova's Resource, in
// Nova's order; the first that fails answers:
//
//	microversion (400 malformed, 406 out of range; /v2 ignores the headers)
//	Content-Type (415)
//	action lookup for /action (400 "Malformed request body",
//	  400 "There is no such action: X")
//	body decoding (400 "Malformed request body")
//	URL project_id against the token's (400)
//	the token's project exists (the seed's 409)
//	the route itself (versions, schema, policy, lookups)
func (n *Nova) serve(c *call, rt *route) {
	c.op = rt.op
	if c.legacy {
		c.version = MinMicroversion
	} else if !n.parseVersion(c) {
		return
	}
	ctype, supported := requestContentType(c.r.Header)
	if !supported {
		if rt.action && ctype == "application/x-www-form-urlencoded" {
			// The seed's error example: Nova of 2015 looked up the
			// action deserialiser of the media type, found none and
			// reported the action as None. Nova today answers 415.
			c.fault(http.StatusBadRequest, msgNoSuchAction("None"))
			return
		}
		c.fault(http.StatusUnsupportedMediaType, msgUnsupportedMediaType)
		return
	}
	if !c.readBody() {
		return
	}
	serve := rt.serve
	if rt.action {
		act := n.peekAction(c)
		if act == nil {
			return
		}
		c.op, serve = act.op, act.serve
	}
	if c.op == "showServer" && c.params.ByName("server_id") == "detail" {
		c.op = "listServersDetailed" // GET /servers/detail, routed as a show
	}
	if rule := n.faults.take(c.op, c.params.ByName("server_id"), c.projectID()); rule != nil {
		real := c.ResponseWriter
		rule.apply(real, c.r, func(w http.ResponseWriter) {
			c.ResponseWriter = w
			n.finish(c, rt, serve)
			c.ResponseWriter = real
		}, func(w http.ResponseWriter, code int, msg string) { c.fault(code, msg) })
		return
	}
	n.finish(c, rt, serve)
}

// finish runs the steps of Nova's pipeline that follow the action lookup,
// then the route: body decoding, the project checks, the handler.
func (n *Nova) finish(c *call, rt *route, serve func(*call)) {
	if c.r.Method == http.MethodPost || c.r.Method == http.MethodPut {
		// Nova's _get_request_content: no Content-Length (a chunked body)
		// counts as no body at all, even after the action was read from it.
		switch {
		case c.r.ContentLength <= 0:
			c.body = pyjson.Value{}
		case !rt.action: // an action's body is decoded already
			body, err := pyjson.ParseText(c.raw.Bytes())
			if err != nil {
				c.fault(http.StatusBadRequest, msgMalformedBody)
				return
			}
			c.body = body
		}
	}
	if c.urlProject != "" && c.urlProject != c.projectID() {
		c.fault(http.StatusBadRequest, msgProjectMismatch(c.urlProject, c.projectID()))
		return
	}
	// The seed's 409 "not found a specified project": a token of a
	// project the fake does not know (one deleted after the token was
	// issued). Nova has no such check. In front of another handler the
	// projects are that handler's, which the fake does not hold.
	if _, err := n.store.Project(c.projectID()); err != nil && n.cfg.next == nil {
		c.fault(http.StatusConflict, msgProjectNotFound(c.projectID()))
		return
	}
	serve(c)
}

// parseVersion sets c.version from the microversion headers, or answers
// Nova's 400 or 406.
func (n *Nova) parseVersion(c *call) bool {
	text, sent := requestedMicroversion(c.r.Header)
	switch {
	case !sent:
		c.version = MinMicroversion
	case text == "latest":
		c.version = n.cfg.maxVersion
	default:
		v, err := ParseMicroversion(text)
		if err != nil {
			c.fault(http.StatusBadRequest, err.Error())
			return false
		}
		c.version = v
		if !v.In(MinMicroversion, n.cfg.maxVersion) {
			// The answer echoes the version asked for, as Nova's does.
			c.versioned, c.versionText = true, text
			c.fault(http.StatusNotAcceptable, msgVersionNotSupported(text, MinMicroversion, n.cfg.maxVersion))
			return false
		}
	}
	c.versioned = true
	return true
}

// requestContentType is webob's Request.get_content_type as Nova uses it:
// no header, an empty type and text/plain count as none; JSON and Nova's
// vendor JSON type are supported; anything else is not.
func requestContentType(h http.Header) (string, bool) {
	vals, present := h["Content-Type"]
	if !present || len(vals) == 0 {
		return "", true
	}
	ct, _, _ := strings.Cut(vals[0], ";")
	switch ct = strings.TrimSpace(ct); ct {
	case "", "text/plain", "application/json", "application/vnd.openstack.compute+json":
		return ct, true
	}
	return ct, false
}
