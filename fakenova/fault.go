package fakenova

import (
	"net/http"
	"strconv"

	"github.com/novastub/novastub/internal/pyjson"
)

// faultNames is Nova's Fault._fault_names (nova/api/openstack/wsgi.py):
// the top-level key of a fault body per status; any other status is a
// "computeFault".
var faultNames = map[int]string{
	400: "badRequest",
	401: "unauthorized",
	403: "forbidden",
	404: "itemNotFound",
	405: "badMethod",
	409: "conflictingRequest",
	413: "overLimit",
	415: "badMediaType",
	429: "overLimit",
	501: "notImplemented",
	503: "serviceUnavailable",
}

// FaultName returns the key Nova's fault body has for status code:
// "badRequest" for 400, "itemNotFound" for 404, "computeFault" for a code
// Nova has no name for.
func FaultName(code int) string {
	if name, ok := faultNames[code]; ok {
		return name
	}
	return "computeFault"
}

// webob's default explanations, the message of a fault Nova raises with no
// explanation of its own (webob.exc.HTTPBadRequest() and the like).
const (
	msgBadRequest    = "The server could not comply with the request since it is either malformed or otherwise incorrect."
	msgNotFound      = "The resource could not be found."
	msgConflict      = "There was a conflict when trying to complete your request."
	msgForbidden     = "Access was denied to this resource."
	msgServerError   = "The server has either erred or is incapable of performing the requested operation."
	msgNotAcceptable = "The resource could not be generated that was acceptable to your request."
)

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
// {"<name>": {"message": "...", "code": N}}, serialised as the seed's
// examples show it (message first, json.dumps's separators and escapes).
// Nova today writes code first; clients read the keys, not their order.
func AppendFault(dst []byte, code int, message string) []byte {
	dst = append(dst, `{"`...)
	dst = append(dst, FaultName(code)...)
	dst = append(dst, `": {"message": `...)
	dst = pyjson.AppendString(dst, message)
	dst = append(dst, `, "code": `...)
	dst = strconv.AppendInt(dst, int64(code), 10)
	return append(dst, "}}"...)
}

// Content types of Nova's answers: a fault always says its charset, a
// success body does not.
var (
	contentTypeFault   = []string{"application/json; charset=UTF-8"}
	contentTypeJSON    = []string{"application/json"}
	contentTypeVndJSON = []string{"application/vnd.openstack.compute+json"}
)

// WriteFault writes a complete Nova fault response: status, Content-Type
// and Content-Length, and the fault body. Headers already set on w (request
// ids, microversion headers) are kept.
func WriteFault(w http.ResponseWriter, code int, message string) {
	var buf [256]byte
	body := AppendFault(buf[:0], code, message)
	writeBody(w, code, contentTypeFault, body)
}

func writeBody(w http.ResponseWriter, code int, contentType []string, body []byte) {
	h := w.Header()
	h["Content-Type"] = contentType
	if len(body) < len(contentLengths) {
		h["Content-Length"] = contentLengths[len(body)] // shared: header values are not changed in place
	} else {
		h["Content-Length"] = []string{strconv.Itoa(len(body))}
	}
	w.WriteHeader(code)
	_, _ = w.Write(body)
}

// contentLengths are the Content-Length values of bodies under 1 KiB, made
// once.
var contentLengths = func() (v [1024][]string) {
	for i := range v {
		v[i] = []string{strconv.Itoa(i)}
	}
	return v
}()
