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

// notFoundOf is the NotFound exception of each collection's resource,
// with its message: "<what> <id><tail>".
func notFoundOf(collection, id string) *neutronError {
	if nf, ok := notFounds[collection]; ok {
		return notFound(nf.typ, nf.what+" "+id+nf.tail)
	}
	return errResourceNotFound
}

// notFounds are neutron-lib's NotFound exceptions of the collections, by
// the words of their messages (some end with a period, some do not).
var notFounds = map[string]struct{ typ, what, tail string }{
	"networks":             {"NetworkNotFound", "Network", " could not be found."},
	"subnets":              {"SubnetNotFound", "Subnet", " could not be found."},
	"ports":                {"PortNotFound", "Port", " could not be found."},
	"routers":              {"RouterNotFound", "Router", " could not be found."},
	"floatingips":          {"FloatingIPNotFound", "Floating IP", " could not be found"},
	"security-groups":      {"SecurityGroupNotFound", "Security group", " does not exist"},
	"security-group-rules": {"SecurityGroupRuleNotFound", "Security group rule", " does not exist"},
	"subnetpools":          {"SubnetPoolNotFound", "Subnet pool", " could not be found."},
	"address-scopes":       {"AddressScopeNotFound", "Address scope", " could not be found"},
	"trunks":               {"TrunkNotFound", "Trunk", " could not be found."},
}

// The errors the service answers with most, made once (writeError does
// not change them).
var (
	errResourceNotFound = notFound("HTTPNotFound", msgResourceNotFound)
	errMethodNotAllowed = &neutronError{http.StatusMethodNotAllowed, "HTTPMethodNotAllowed", msgMethodNotAllowed}
	errNotServed        = &neutronError{http.StatusNotImplemented, "HTTPNotImplemented", msgNotServed}
)

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
	if n, ok := webobNames[code]; ok {
		return n
	}
	return "HTTPError"
}

var webobNames = map[int]string{400: "HTTPBadRequest", 401: "HTTPUnauthorized", 403: "HTTPForbidden",
	404: "HTTPNotFound", 405: "HTTPMethodNotAllowed", 409: "HTTPConflict", 413: "HTTPRequestEntityTooLarge",
	429: "HTTPTooManyRequests", 500: "HTTPInternalServerError", 501: "HTTPNotImplemented",
	502: "HTTPBadGateway", 503: "HTTPServiceUnavailable", 504: "HTTPGatewayTimeout"}
