package middleware_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// Exact bodies the reference (and webob 1.8, keystonemiddleware, nova's
// FaultWrapper) give; shared by several test files.
const (
	unauthorizedBody = `{"error": {"code": 401, "title": "Unauthorized", "message": "The request you have made requires authentication."}}`
	computeFaultBody = `{"computeFault": {"message": "The server has either erred or is incapable of performing the requested operation.", "code": 500}}`

	notFoundJSON  = `{"message": "The resource could not be found.<br /><br />\n\n\n", "code": "404 Not Found", "title": "Not Found"}`
	notFoundPlain = "404 Not Found\n\nThe resource could not be found.\n\n   "
	notFoundHTML  = "<html>\n <head>\n  <title>404 Not Found</title>\n </head>\n <body>\n  <h1>404 Not Found</h1>\n  The resource could not be found.<br /><br />\n\n\n\n </body>\n</html>"

	tooLargeJSON  = `{"message": "Request is too large. Larger than max_request_body_size (114688).<br /><br />\n\n\n", "code": "413 Request Entity Too Large", "title": "Request Entity Too Large"}`
	tooLargePlain = "413 Request Entity Too Large\n\nRequest is too large. Larger than max_request_body_size (114688).\n\n   "
	tooLargeHTML  = "<html>\n <head>\n  <title>413 Request Entity Too Large</title>\n </head>\n <body>\n  <h1>413 Request Entity Too Large</h1>\n  Request is too large. Larger than max_request_body_size (114688).<br /><br />\n\n\n\n </body>\n</html>"

	chunkedTooLargeJSON  = `{"message": "Request is too large. Larger than 114688.<br /><br />\n\n\n", "code": "413 Request Entity Too Large", "title": "Request Entity Too Large"}`
	chunkedTooLargePlain = "413 Request Entity Too Large\n\nRequest is too large. Larger than 114688.\n\n   "
	chunkedTooLargeHTML  = "<html>\n <head>\n  <title>413 Request Entity Too Large</title>\n </head>\n <body>\n  <h1>413 Request Entity Too Large</h1>\n  Request is too large. Larger than 114688.<br /><br />\n\n\n\n </body>\n</html>"

	ctJSON        = "application/json"
	ctFaultJSON   = "application/json; charset=UTF-8"
	ctPlain       = "text/plain; charset=UTF-8"
	ctHTML        = "text/html; charset=UTF-8"
	defaultWWWAut = `Keystone uri="http://127.0.0.1:5000/v3"`
)

// requestIDRe is oslo.context's request id: req-<uuid4>, lower-case hex.
var requestIDRe = regexp.MustCompile(`^req-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// serve runs one request through h and returns the recorded response.
func serve(h http.Handler, r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// recordingHandler is a next handler that counts its calls and keeps what
// the last request carried.
type recordingHandler struct {
	mu    sync.Mutex
	calls int
	last  *http.Request
	body  []byte
	err   error
	reply func(w http.ResponseWriter, r *http.Request)
}

func (h *recordingHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	h.calls++
	h.last = r
	h.mu.Unlock()
	if h.reply != nil {
		h.reply(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/plain")
	w.WriteHeader(http.StatusOK)
	_, _ = io.WriteString(w, "next")
}

func (h *recordingHandler) Last() *http.Request {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.last
}

func (h *recordingHandler) Calls() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.calls
}

// logBuffer is a JSON slog logger writing into a buffer, safe for use from
// a server goroutine.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func newLogBuffer() (*logBuffer, *slog.Logger) {
	b := &logBuffer{}
	return b, slog.New(slog.NewJSONHandler(b, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// Records decodes every JSON log line written so far.
func (b *logBuffer) Records(t *testing.T) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(b.String()), "\n") {
		if line == "" {
			continue
		}
		var rec map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &rec), "log line %q", line)
		out = append(out, rec)
	}
	return out
}

// assertRequestIDs checks that h carries one request id, the same under
// both header names, in oslo's form, and returns it.
func assertRequestIDs(t *testing.T, h http.Header) string {
	t.Helper()
	compute := h.Values("X-Compute-Request-Id")
	openstack := h.Values("X-Openstack-Request-Id")
	require.Len(t, compute, 1, "X-Compute-Request-Id")
	require.Len(t, openstack, 1, "X-Openstack-Request-Id")
	require.Equal(t, compute[0], openstack[0])
	require.Regexp(t, requestIDRe, compute[0])
	return compute[0]
}

// opaqueReader hides the type of its reader, so that httptest.NewRequest
// cannot learn the body's length (ContentLength -1, as for a chunked body).
type opaqueReader struct{ r io.Reader }

func (o opaqueReader) Read(p []byte) (int, error) { return o.r.Read(p) }

// chunkedRequest is a request whose body has no declared length.
func chunkedRequest(method, target string, body []byte) *http.Request {
	r := httptest.NewRequest(method, target, opaqueReader{bytes.NewReader(body)})
	r.ContentLength = -1
	return r
}
