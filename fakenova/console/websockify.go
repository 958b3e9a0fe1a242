package console

import (
	"bufio"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// IsWebSocket reports whether r asks for a WebSocket, as websockify tells
// (WebSocketRequestHandlerMixIn._websocket_do_GET): a GET whose Upgrade
// header is "websocket" in any case. Such a request is a console
// connection whatever its path.
func IsWebSocket(r *http.Request) bool {
	return r.Method == http.MethodGet && strings.EqualFold(r.Header.Get("Upgrade"), "websocket")
}

// upgradeCheck runs websockify's WebSocket.accept checks, in its order,
// and returns the subprotocol to answer with, or the message of its 400.
// CompatibleWebSocket.select_subprotocol picks "binary" when it is among
// the offered values; the offered header is split on "," without trimming,
// so " binary" is not "binary", and a choice that is not among the offered
// values (offering only "base64", say) is an error. No header offers [""],
// and "" is chosen. With base64 allowed, a client that offers "base64" but
// not "binary" gets base64, as websockify before 0.9.0 did.
func upgradeCheck(r *http.Request, base64 bool) (protocol, msg string) {
	ver, ok := header(r, "Sec-WebSocket-Version")
	if !ok {
		return "", msgMissingVersion
	}
	if ver != "7" && ver != "8" && ver != "13" {
		return "", msgUnsupportedVer + ver
	}
	if _, ok := header(r, "Sec-WebSocket-Key"); !ok {
		return "", msgMissingKey
	}
	offered := strings.Split(r.Header.Get("Sec-WebSocket-Protocol"), ",")
	switch {
	case contains(offered, "binary"):
		protocol = "binary"
	case base64 && contains(offered, "base64"):
		protocol = "base64"
	}
	if !contains(offered, protocol) {
		return "", msgInvalidProtocol
	}
	return protocol, ""
}

// header returns the first value of a header and whether it was sent, as
// Python's email.message.Message.get does.
func header(r *http.Request, name string) (string, bool) {
	v := r.Header.Values(name)
	if len(v) == 0 {
		return "", false
	}
	return v[0], true
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// pythonErrorPage is http.server's DEFAULT_ERROR_MESSAGE (Python 3.11 and
// later).
const pythonErrorPage = `<!DOCTYPE HTML>
<html lang="en">
    <head>
        <meta charset="utf-8">
        <title>Error response</title>
    </head>
    <body>
        <h1>Error response</h1>
        <p>Error code: %d</p>
        <p>Message: %s.</p>
        <p>Error code explanation: %d - %s.</p>
    </body>
</html>
`

// htmlEscape is Python's html.escape(s, quote=False).
var htmlEscape = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// explanations are http.server's long descriptions of the codes it sends.
var explanations = map[int]string{
	400: "Bad request syntax or unsupported method",
	404: "Nothing matches the given URI",
	405: "Specified method is invalid for this resource",
}

// sendError answers as websockify's BaseHTTPRequestHandler.send_error
// does: the message as the reason phrase of the status line, Server and
// Date, Connection: close, and Python's HTML error page. Go's
// ResponseWriter cannot write a reason phrase of its own, so the
// connection is hijacked where it can be; elsewhere (HTTP/2, a recorder)
// the standard reason phrase goes with the same headers and body.
func sendError(w http.ResponseWriter, code int, msg string) {
	body := fmt.Sprintf(pythonErrorPage, code, htmlEscape.Replace(msg), code, explanations[code])
	date := time.Now().UTC().Format(http.TimeFormat)
	if hj, ok := w.(http.Hijacker); ok {
		if conn, rw, err := hj.Hijack(); err == nil {
			defer conn.Close()
			writeRawError(rw.Writer, code, msg, date, body)
			return
		}
	}
	h := w.Header()
	h.Set("Server", websockifyServerHdr)
	h.Set("Date", date)
	h.Set("Connection", "close")
	h.Set("Content-Type", "text/html;charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(code)
	_, _ = w.Write([]byte(body))
}

func writeRawError(w *bufio.Writer, code int, msg, date, body string) {
	fmt.Fprintf(w, "HTTP/1.1 %d %s\r\n", code, strings.NewReplacer("\r", " ", "\n", " ").Replace(msg))
	fmt.Fprintf(w, "Server: %s\r\nDate: %s\r\nConnection: close\r\n", websockifyServerHdr, date)
	fmt.Fprintf(w, "Content-Type: text/html;charset=utf-8\r\nContent-Length: %d\r\n\r\n%s", len(body), body)
	_ = w.Flush()
}
