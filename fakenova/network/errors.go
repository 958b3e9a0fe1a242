package network

import (
	"net/http"

	"github.com/novastub/novastub/internal/pyjson"
	"github.com/novastub/novastub/internal/wire"
)

// Neutron's messages (neutron-lib's exceptions and api definitions,
// neutron/api/api_common.py, webob's defaults), in one place.
const (
	msgResourceNotFound = "The resource could not be found."
	msgMethodNotAllowed = "The method %(REQUEST_METHOD)s is not allowed for this resource."
	msgNotServed        = "The fake network service (novastub) does not change resources: it serves GET only."
	msgSortCount        = "The number of sort_keys and sort_dirs must be same"
)

// neutronError is a NeutronError answer.
type neutronError struct {
	code    int
	typ     string // the exception's class name
	message string
}

func (e *neutronError) Error() string { return e.message }

func notFound(typ, message string) *neutronError {
	return &neutronError{http.StatusNotFound, typ, message}
}

func badRequest(typ, message string) *neutronError {
	return &neutronError{http.StatusBadRequest, typ, message}
}

// invalidInput is neutron-lib's InvalidInput.
func invalidInput(reason string) *neutronError {
	return badRequest("InvalidInput", "Invalid input for operation: "+reason+".")
}

// notFoundOf is the NotFound exception of each resource, with its message.
func notFoundOf(collection, id string) *neutronError {
	switch collection {
	case "networks":
		return notFound("NetworkNotFound", "Network "+id+" could not be found.")
	case "subnets":
		return notFound("SubnetNotFound", "Subnet "+id+" could not be found.")
	case "ports":
		return notFound("PortNotFound", "Port "+id+" could not be found.")
	case "routers":
		return notFound("RouterNotFound", "Router "+id+" could not be found.")
	case "floatingips":
		return notFound("FloatingIPNotFound", "Floating IP "+id+" could not be found")
	case "security-groups":
		return notFound("SecurityGroupNotFound", "Security group "+id+" does not exist")
	case "security-group-rules":
		return notFound("SecurityGroupRuleNotFound", "Security group rule "+id+" does not exist")
	case "subnetpools":
		return notFound("SubnetPoolNotFound", "Subnet pool "+id+" could not be found.")
	case "address-scopes":
		return notFound("AddressScopeNotFound", "Address scope "+id+" could not be found")
	case "trunks":
		return notFound("TrunkNotFound", "Trunk "+id+" could not be found.")
	}
	return notFound("HTTPNotFound", msgResourceNotFound)
}

// writeError answers as neutron's convert_exception_to_http_exc does:
// {"NeutronError": {"type", "message", "detail"}}, written by jsonutils
// (", " and ": ").
func writeError(w http.ResponseWriter, e *neutronError) {
	b := make([]byte, 0, 96+len(e.message))
	b = append(b, `{"NeutronError": {"type": `...)
	b = pyjson.AppendString(b, e.typ)
	b = append(b, `, "message": `...)
	b = pyjson.AppendString(b, e.message)
	b = append(b, `, "detail": ""}}`...)
	wire.WriteJSON(w, e.code, b)
}

// WriteError writes Neutron's error answer for code with message, as an
// injected fault of the service's operations answers: a NeutronError whose
// type is the webob exception's name for the code (HTTPServiceUnavailable
// for 503, ...).
func (s *Service) WriteError(w http.ResponseWriter, r *http.Request, code int, message string) {
	writeError(w, &neutronError{code, webobName(code), message})
}

// webobName is the class name of webob's exception for code.
func webobName(code int) string {
	names := map[int]string{400: "HTTPBadRequest", 401: "HTTPUnauthorized", 403: "HTTPForbidden",
		404: "HTTPNotFound", 405: "HTTPMethodNotAllowed", 409: "HTTPConflict", 413: "HTTPRequestEntityTooLarge",
		429: "HTTPTooManyRequests", 500: "HTTPInternalServerError", 501: "HTTPNotImplemented",
		502: "HTTPBadGateway", 503: "HTTPServiceUnavailable", 504: "HTTPGatewayTimeout"}
	if n, ok := names[code]; ok {
		return n
	}
	return "HTTPError"
}
