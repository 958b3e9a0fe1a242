package fakenova

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/novastub/novastub/internal/pyjson"
	"github.com/novastub/novastub/internal/wire"
	"github.com/novastub/novastub/middleware"
)

// call is one request to the API on its way through the fake: what the
// router matched, what the pipeline learnt (microversion, caller, body),
// and the answer being built. Handlers get it as their argument; calls
// are pooled.
type call struct {
	nova *Nova
	w    http.ResponseWriter // the client's writer, through status when the journal is on
	r    *http.Request
	apiMatch

	status    statusWriter // records the status for the journal
	start     time.Time
	requestID string

	version   Microversion
	versioned bool // version is set, so answers carry the microversion headers
	// versionText is the version asked for when it is out of range; the
	// 406 echoes it as sent.
	versionText string
	identity    *middleware.Identity

	op      string       // the operation, once known
	body    pyjson.Value // the decoded body; Kind Null for none
	arena   pyjson.Arena // where body's members and items are
	raw     bytes.Buffer // the body as read
	out     []byte       // the response body being built
	scratch []byte       // a buffer for pieces of it
	base    []byte       // the base URL, when a view compares it
}

func (c *call) reset() {
	*c = call{nova: c.nova, raw: c.raw, arena: c.arena, out: c.out[:0], scratch: c.scratch[:0], base: c.base[:0]}
	c.raw.Reset()
	c.arena.Reset()
}

// serverID is the server of the URL, "" when the route has none.
func (c *call) serverID() string { return c.param("server_id") }

// projectID is the caller's project.
func (c *call) projectID() string { return c.identity.ProjectID }

// isAdmin reports whether the caller has the admin role.
func (c *call) isAdmin() bool { return c.identity.HasRole("admin") }

// readBody reads the request body into c.raw: a body over the limit of
// unknown length is the 413 error; a client that went away mid-body gets
// "Malformed request body" (nobody reads it).
func (c *call) readBody() error {
	if c.r.Body == nil || c.r.Body == http.NoBody {
		return nil
	}
	if n := c.r.ContentLength; n > 0 {
		c.raw.Grow(int(n))
	}
	if _, err := c.raw.ReadFrom(c.r.Body); err != nil {
		var tooLarge *middleware.BodyTooLargeError
		if errors.As(err, &tooLarge) {
			return tooLarge
		}
		if !errors.Is(err, io.EOF) {
			return fault(http.StatusBadRequest, msgMalformedBody)
		}
	}
	return nil
}

// fault answers with Nova's fault body, and the microversion headers when
// the request's version is known.
func (c *call) fault(code int, message string) {
	if c.versioned {
		c.setVersionHeaders()
	}
	wire.WriteNovaFault(c.w, code, message)
}

// reply answers code with the JSON body in c.out, as Nova's ResponseObject
// serialises it: the content type the Accept header prefers of
// application/json and application/vnd.openstack.compute+json.
func (c *call) reply(code int) error {
	if c.versioned {
		c.setVersionHeaders()
	}
	ct := contentTypeJSON
	if accept := firstValue(c.r.Header, "Accept"); accept != "" &&
		middleware.PreferredType(accept, contentTypeJSON[0], contentTypeVndJSON[0]) == contentTypeVndJSON[0] {
		ct = contentTypeVndJSON
	}
	wire.WriteBody(c.w, code, ct, c.out)
	return nil
}

func (c *call) setVersionHeaders() {
	if c.versionText != "" {
		h := c.w.Header()
		h[headerAPIVersion] = []string{"compute " + c.versionText}
		h[headerLegacyAPIVersion] = []string{c.versionText}
		h["Vary"] = versionVary
		return
	}
	c.nova.versionHeaders.set(c.w.Header(), c.version)
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

// statusWriter is the client's ResponseWriter with the status of the
// answer recorded, for the journal.
type statusWriter struct {
	http.ResponseWriter
	code int
}

func (s *statusWriter) WriteHeader(code int) {
	if s.code == 0 {
		s.code = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(p []byte) (int, error) {
	if s.code == 0 {
		s.code = http.StatusOK
	}
	return s.ResponseWriter.Write(p)
}

// Unwrap lets http.ResponseController reach the connection (a console
// WebSocket's hijack, deadlines).
func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }
