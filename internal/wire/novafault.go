// Package wire writes the bodies that more than one package of novastub
// answers with, each in one place: Nova's fault body (the fake's handlers,
// its fault injection and the panic recovery of package middleware all
// write it) and complete responses with a cached Content-Length.
package wire

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

// NovaFaultName returns the key Nova's fault body has for status code.
func NovaFaultName(code int) string {
	if name, ok := faultNames[code]; ok {
		return name
	}
	return "computeFault"
}

// AppendNovaFault appends Nova's fault body for code and message to dst:
// {"<name>": {"message": "...", "code": N}}, serialised as the spec's
// examples show it (message first, json.dumps's separators and escapes).
// Nova today writes code first; clients read the keys, not their order.
func AppendNovaFault(dst []byte, code int, message string) []byte {
	dst = append(dst, `{"`...)
	dst = append(dst, NovaFaultName(code)...)
	dst = append(dst, `": {"message": `...)
	dst = pyjson.AppendString(dst, message)
	dst = append(dst, `, "code": `...)
	dst = strconv.AppendInt(dst, int64(code), 10)
	return append(dst, "}}"...)
}

// ContentTypeNovaFault is the Content-Type of Nova's faults, which, unlike
// its success bodies, says its charset.
var ContentTypeNovaFault = []string{"application/json; charset=UTF-8"}

// WriteNovaFault writes a complete Nova fault response: status,
// Content-Type, Content-Length and the body. Headers already set on w
// (request ids, microversion headers) are kept.
func WriteNovaFault(w http.ResponseWriter, code int, message string) {
	var buf [256]byte
	WriteBody(w, code, ContentTypeNovaFault, AppendNovaFault(buf[:0], code, message))
}

// WriteBody writes a complete response: status, Content-Type (a shared
// value: header values are never changed in place), Content-Length and
// body.
func WriteBody(w http.ResponseWriter, code int, contentType []string, body []byte) {
	h := w.Header()
	h["Content-Type"] = contentType
	h["Content-Length"] = ContentLength(len(body))
	w.WriteHeader(code)
	_, _ = w.Write(body)
}

// WriteJSON writes a complete application/json response (no charset, as
// Nova's, Glance's and Neutron's success bodies and Neutron's errors say
// it) with WriteBody.
func WriteJSON(w http.ResponseWriter, code int, body []byte) {
	WriteBody(w, code, contentTypeJSON, body)
}

var contentTypeJSON = []string{"application/json"}

// ContentLength returns the Content-Length header value of an n-byte body;
// those under 1 KiB are made once and shared.
func ContentLength(n int) []string {
	if n >= 0 && n < len(contentLengths) {
		return contentLengths[n]
	}
	return []string{strconv.Itoa(n)}
}

var contentLengths = func() (v [1024][]string) {
	for i := range v {
		v[i] = []string{strconv.Itoa(i)}
	}
	return v
}()
