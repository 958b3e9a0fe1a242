package fakenova

import (
	"net/http"
	"strings"

	"github.com/novastub/novastub/internal/pyjson"
	"github.com/novastub/novastub/state"
)

// The steps of Nova's Resource (nova/api/openstack/wsgi.py __call__ and
// _process_stack) that every routed request goes through, and their
// messages (with the spec's additions).

const (
	msgMalformedBody        = "Malformed request body"
	msgUnsupportedMediaType = "Unsupported Content-Type"
)

func msgNoSuchAction(name string) string { return "There is no such action: " + name }

func msgProjectMismatch(url, ctx string) string {
	return "Malformed request URL: URL's project_id '" + url + "' doesn't match Context's project_id '" + ctx + "'"
}

// msgMalformedProjectID is the spec's 400 for an invalid project_id in the
// URL; Nova has no such message (its router does not match the URL).
func msgMalformedProjectID(id string) string {
	return "Malformed request URL: project_id '" + id + "' is not a valid project id"
}

// msgProjectNotFound is Nova's ProjectNotFound text, which the spec's 409
// "not found a specified project" carries here.
func msgProjectNotFound(id string) string { return "Project " + id + " could not be found." }

// msgVersionNotSupported is Nova's InvalidGlobalAPIVersion (406).
func msgVersionNotSupported(req string, min, max Microversion) string {
	return "Version " + req + " is not supported by the API. Minimum is " + min.String() +
		" and maximum is " + max.String() + "."
}

// resource runs a routed, authenticated request through the steps of Nova's
// Resource, in Nova's order; the first that fails answers:
//
//	microversion (400 malformed, 406 out of range; /v2 ignores the headers)
//	Content-Type (415)
//	action lookup for /action (400 "Malformed request body",
//	  400 "There is no such action: X")
//	fault rules of the operation
//	body decoding (400 "Malformed request body")
//	URL project_id against the token's (400)
//	the token's project exists (the spec's 409)
//	the route's microversions (404)
//	the route itself (schema, policy, lookups)
func (n *Nova) resource(c *call) error {
	c.op = c.route.op
	if c.legacy {
		c.version = MinMicroversion
	} else if err := n.parseVersion(c); err != nil {
		return err
	}
	ctype, supported := requestContentType(c.r.Header)
	if !supported {
		if c.route.actions && ctype == "application/x-www-form-urlencoded" {
			// The spec's error example: Nova of 2015 looked up the
			// action deserialiser of the media type, found none and
			// reported the action as None. Nova today answers 415.
			return fault(http.StatusBadRequest, msgNoSuchAction("None"))
		}
		return fault(http.StatusUnsupportedMediaType, msgUnsupportedMediaType)
	}
	if err := c.readBody(); err != nil {
		return err
	}
	target := endpoint{serve: c.route.serve, minVersion: c.route.minVersion, maxVersion: c.route.maxVersion}
	if c.route.actions {
		body, err := c.arena.ParseText(c.raw.Bytes())
		if err != nil {
			return fault(http.StatusBadRequest, msgMalformedBody)
		}
		c.body = body
		act, err := peekAction(body)
		if err != nil {
			return err
		}
		c.op, target = act.op, endpoint{serve: act.serve, minVersion: act.minVersion, maxVersion: act.maxVersion}
	}
	if rule := n.faults.take(c.op, c.serverID(), c.projectID()); rule != nil {
		n.inject(c, rule, func() error { return n.finish(c, target) })
		return nil
	}
	return n.finish(c, target)
}

// endpoint is what serves a call in the end: a route's handler, or an
// action's, and the microversions it exists at.
type endpoint struct {
	serve                  func(*Nova, *call) error
	minVersion, maxVersion Microversion
}

// finish runs the steps of Nova's pipeline that follow the action lookup,
// then the handler: body decoding, the project checks, the version range.
func (n *Nova) finish(c *call, target endpoint) error {
	if c.r.Method == http.MethodPost || c.r.Method == http.MethodPut {
		// Nova's _get_request_content: no Content-Length (a chunked body)
		// counts as no body at all, even after the action was read from it.
		switch {
		case c.r.ContentLength <= 0:
			c.body = pyjson.Value{}
		case !c.route.actions: // an action's body is decoded already
			body, err := c.arena.ParseText(c.raw.Bytes())
			if err != nil {
				return fault(http.StatusBadRequest, msgMalformedBody)
			}
			c.body = body
		}
	}
	if c.urlProject != "" && c.urlProject != c.projectID() {
		return fault(http.StatusBadRequest, msgProjectMismatch(c.urlProject, c.projectID()))
	}
	// The spec's 409 "not found a specified project": a token of a
	// project the fake does not know (one deleted after the token was
	// issued). Nova has no such check. In front of another handler the
	// projects are that handler's, which the fake does not hold.
	if n.cfg.next == nil {
		if _, err := n.store.Project(c.projectID()); err != nil {
			return fault(http.StatusConflict, msgProjectNotFound(c.projectID()))
		}
	}
	if c.version.Less(target.minVersion) || target.maxVersion.Major != 0 && target.maxVersion.Less(c.version) {
		return fault(http.StatusNotFound, msgNotFound)
	}
	return target.serve(n, c)
}

// parseVersion sets c.version from the microversion headers, or returns
// Nova's 400 or 406.
func (n *Nova) parseVersion(c *call) error {
	text, sent := requestedMicroversion(c.r.Header)
	switch {
	case !sent:
		c.version = MinMicroversion
	case text == "latest":
		c.version = n.cfg.maxVersion
	default:
		v, err := ParseMicroversion(text)
		if err != nil {
			return fault(http.StatusBadRequest, err.Error())
		}
		c.version = v
		if !v.In(MinMicroversion, n.cfg.maxVersion) {
			// The answer echoes the version asked for, as Nova's does.
			c.versioned, c.versionText = true, text
			return fault(http.StatusNotAcceptable, msgVersionNotSupported(text, MinMicroversion, n.cfg.maxVersion))
		}
	}
	c.versioned = true
	return nil
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

// checkURLProject is the spec's rule for the project segment of a URL in
// the standalone fake: a malformed project id is a 400. (In front of a
// handler, the Middleware takes Nova's route pattern instead.)
func checkURLProject(project string) error {
	if project != "" && !state.ValidProjectID(project) {
		return fault(http.StatusBadRequest, msgMalformedProjectID(project))
	}
	return nil
}

// peekAction finds the action a decoded body names, as Nova's action_peek
// and Resource._get_method do, or the error they give: a body without
// exactly one key is "Malformed request body"; a body Python cannot take
// the keys of (a number, a one-item list) is Nova's 404; an unknown key is
// "There is no such action".
func peekAction(body pyjson.Value) (*action, error) {
	size, hasLen := body.Len()
	switch {
	case !hasLen: // len() raised TypeError
		return nil, fault(http.StatusNotFound, msgNotFound)
	case size != 1:
		return nil, fault(http.StatusBadRequest, msgMalformedBody)
	case body.Kind != pyjson.Object: // .keys() raised AttributeError
		return nil, fault(http.StatusNotFound, msgNotFound)
	}
	name := body.Members[0].Key
	act, ok := actionTable[name]
	if !ok {
		return nil, fault(http.StatusBadRequest, msgNoSuchAction(name))
	}
	return act, nil
}
