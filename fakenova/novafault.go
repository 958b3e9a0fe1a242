package fakenova

import (
	"net/http"

	"github.com/novastub/novastub/internal/wire"
)

// Nova's error bodies: the fault JSON of every error Nova's API answers
// (nova/api/openstack/wsgi.py, class Fault), and webob's default
// explanations, the message of a fault raised without one. The bytes are
// written in one place, internal/wire, which the panic recovery of package
// middleware shares.

// webob's default explanations (webob.exc.HTTPBadRequest() and the like).
const (
	msgBadRequest    = "The server could not comply with the request since it is either malformed or otherwise incorrect."
	msgNotFound      = "The resource could not be found."
	msgConflict      = "There was a conflict when trying to complete your request."
	msgForbidden     = "Access was denied to this resource."
	msgServerError   = "The server has either erred or is incapable of performing the requested operation."
	msgNotAcceptable = "The resource could not be generated that was acceptable to your request."
)

// FaultName returns the key Nova's fault body has for status code:
// "badRequest" for 400, "itemNotFound" for 404, "computeFault" for a code
// Nova has no name for.
func FaultName(code int) string { return wire.NovaFaultName(code) }

// DefaultFaultMessage returns the message Nova's fault carries for code when
// it is raised without an explanation: webob's default for that status.
func DefaultFaultMessage(code int) string {
	switch code {
	case 400:
		return msgBadRequest
	case 403:
		return msgForbidden
	case 404:
		return msgNotFound
	case 409:
		return msgConflict
	case 406:
		return msgNotAcceptable
	case 401:
		return "This server could not verify that you are authorized to access the document you requested. Either you supplied the wrong credentials (e.g., bad password), or your browser does not understand how to supply the credentials required."
	case 413:
		return "The request is larger than the server is willing or able to process."
	case 415:
		return msgUnsupportedMediaType // webob's own is a template; Nova always says this
	case 429:
		return "The client has sent too many requests in a given amount of time."
	case 503:
		return "The server is currently unavailable. Please try again at a later time."
	}
	return msgServerError
}

// AppendFault appends Nova's fault body for code and message to dst:
// {"<name>": {"message": "...", "code": N}}, serialised as the spec's
// examples show it (message first, json.dumps's separators and escapes).
// Nova today writes code first; clients read the keys, not their order.
func AppendFault(dst []byte, code int, message string) []byte {
	return wire.AppendNovaFault(dst, code, message)
}

// WriteFault writes a complete Nova fault response: status, Content-Type
// and Content-Length, and the fault body. Headers already set on w (request
// ids, microversion headers) are kept.
func WriteFault(w http.ResponseWriter, code int, message string) {
	wire.WriteNovaFault(w, code, message)
}

// Content types of Nova's success answers.
var (
	contentTypeJSON    = []string{"application/json"}
	contentTypeVndJSON = []string{"application/vnd.openstack.compute+json"}
)
