package fakenova

import (
	"bytes"
	"errors"
	"io"
	"net/http"

	"github.com/julienschmidt/httprouter"
	"github.com/novastub/novastub/internal/pyjson"
	"github.com/novastub/novastub/middleware"
)

// call is one API request on its way through the fake. It is the
// http.ResponseWriter the router hands to each route, so that a route
// reaches the call without a context value; calls are pooled.
type call struct {
	http.ResponseWriter
	nova   *Nova
	r      *http.Request
	params httprouter.Params

	legacy     bool   // the /v2 endpoint: version 2.1, relaxed validation, no microversion headers
	urlProject string // the project id in the URL, "" for a project-less URL
	version    Microversion
	versioned  bool // version is set, so answers carry the microversion headers
	// versionText is the version asked for when it is out of range; the
	// 406 echoes it as sent.
	versionText string
	identity    *middleware.Identity

	op      string       // the operation, once known
	body    pyjson.Value // the decoded body; Kind Null for none
	raw     bytes.Buffer // the body as read
	out     []byte       // the response body being built
	scratch []byte       // a buffer for pieces of it
}

func (c *call) reset() {
	*c = call{nova: c.nova, raw: c.raw, out: c.out[:0], scratch: c.scratch[:0]}
	c.raw.Reset()
}

// projectID is the caller's project.
func (c *call) projectID() string { return c.identity.ProjectID }

// isAdmin reports whether the caller has the admin role.
func (c *call) isAdmin() bool { return c.identity.HasRole("admin") }

// readBody reads the request body into c.raw. A body over the limit of
// unknown length is answered with 413 here, and false returned.
func (c *call) readBody() bool {
	if c.r.Body == nil || c.r.Body == http.NoBody {
		return true
	}
	if n := c.r.ContentLength; n > 0 {
		c.raw.Grow(int(n))
	}
	if _, err := c.raw.ReadFrom(c.r.Body); err != nil {
		var tooLarge *middleware.BodyTooLargeError
		if errors.As(err, &tooLarge) {
			tooLarge.ServeHTTP(c, c.r)
			return false
		}
		if !errors.Is(err, io.EOF) {
			// The client went away mid-body; nobody reads the answer.
			c.fault(http.StatusBadRequest, msgMalformedBody)
			return false
		}
	}
	return true
}

// fault answers with Nova's fault body, and the microversion headers when
// the request's version is known.
func (c *call) fault(code int, message string) {
	if c.versioned {
		c.setVersionHeaders()
	}
	WriteFault(c, code, message)
}

// reply answers 200 (or code) with the JSON body in c.out, as Nova's
// ResponseObject serialises it: the content type the Accept header prefers
// of application/json and application/vnd.openstack.compute+json.
func (c *call) reply(code int) {
	if c.versioned {
		c.setVersionHeaders()
	}
	ct := contentTypeJSON
	if accept := firstValue(c.r.Header, "Accept"); accept != "" &&
		middleware.PreferredType(accept, contentTypeJSON[0], contentTypeVndJSON[0]) == contentTypeVndJSON[0] {
		ct = contentTypeVndJSON
	}
	writeBody(c, code, ct, c.out)
}

func (c *call) setVersionHeaders() {
	if c.versionText != "" {
		h := c.Header()
		h[headerAPIVersion] = []string{"compute " + c.versionText}
		h[headerLegacyAPIVersion] = []string{c.versionText}
		h["Vary"] = c.nova.versionHeaders.vary
		return
	}
	c.nova.versionHeaders.set(c.Header(), c.version)
}

// appendKey appends `"key": ` to c.out.
func (c *call) appendKey(key string) {
	c.out = pyjson.AppendString(c.out, key)
	c.out = append(c.out, ": "...)
}

// appendString appends a JSON string to c.out.
func (c *call) appendString(s string) { c.out = pyjson.AppendString(c.out, s) }

// firstValue is h.Get(key) for a key already in canonical form, without
// canonicalising it again on the hot path.
func firstValue(h http.Header, key string) string {
	if v := h[key]; len(v) > 0 {
		return v[0]
	}
	return ""
}
