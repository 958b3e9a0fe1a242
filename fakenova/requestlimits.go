package fakenova

import (
	"net/http"
)

// Nova's limits on a request's head, as its API server (eventlet.wsgi,
// with Nova's [wsgi] max_header_line) enforces them, and eventlet's
// answers past them: bare status lines with no body, the connection
// closed (eventlet/wsgi.py: RESPONSE_414, HeaderLineTooLong,
// HeadersTooLarge).
const (
	// maxRequestLine is eventlet's url_length_limit (MAX_REQUEST_LINE):
	// a request line (method, URL with its query string, version and
	// CRLF) of this length or more gets the 414.
	maxRequestLine = 8192
	// maxHeaderLine is Nova's [wsgi] max_header_line: a header line of
	// this length or more gets the 400 Header Line Too Long.
	maxHeaderLine = 16384
	// maxHeadersTotal is eventlet's MAX_TOTAL_HEADER_SIZE: headers over
	// it in all get the 400 Headers Too Large.
	maxHeadersTotal = 65536
)

// eventlet's answers, byte for byte.
const (
	response414           = "HTTP/1.0 414 Request URI Too Long\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
	response400HeaderLine = "HTTP/1.0 400 Header Line Too Long\r\nConnection: close\r\nContent-length: 0\r\n\r\n"
	response400Headers    = "HTTP/1.0 400 Headers Too Large\r\nConnection: close\r\nContent-length: 0\r\n\r\n"
)

// RequestLimits answers a request over Nova's limits on its head as Nova's
// server does, before h sees it: a request line of 8 KiB or more (a long
// query string, such as a huge name filter) gets 414 Request URI Too Long,
// a header line of 16 KiB or more 400 Header Line Too Long, headers over
// 64 KiB in all 400 Headers Too Large; each with no body, and the
// connection closed. NewCloud applies it. The sizes are those of the
// request as received, reconstructed from what net/http parsed.
func RequestLimits(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if raw := overLimits(r); raw != "" {
			rejectRaw(w, raw)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// overLimits returns eventlet's answer to a request over its limits, ""
// for one within them.
func overLimits(r *http.Request) string {
	// "GET /path?query HTTP/1.1\r\n"
	if len(r.Method)+1+len(r.RequestURI)+1+len(r.Proto)+2 >= maxRequestLine {
		return response414
	}
	total := 0
	for name, values := range r.Header {
		for _, v := range values {
			line := len(name) + 2 + len(v) + 2 // "Name: value\r\n"
			if line >= maxHeaderLine {
				return response400HeaderLine
			}
			total += line
		}
	}
	if r.Host != "" && r.Header["Host"] == nil {
		total += len("Host: \r\n") + len(r.Host) // net/http takes Host out of the map
	}
	if total > maxHeadersTotal {
		return response400Headers
	}
	return ""
}

// rejectRaw writes raw, a whole HTTP/1.0 answer, on the connection and
// closes it; where the connection cannot be taken over (HTTP/2, a
// recorder), it answers the same status with no body and asks to close.
func rejectRaw(w http.ResponseWriter, raw string) {
	if conn, buf, err := http.NewResponseController(w).Hijack(); err == nil {
		_, _ = buf.WriteString(raw)
		_ = buf.Flush()
		_ = conn.Close()
		return
	}
	code := http.StatusBadRequest
	if raw == response414 {
		code = http.StatusRequestURITooLong
	}
	w.Header().Set("Connection", "close")
	w.Header().Set("Content-Length", "0")
	w.WriteHeader(code)
}
