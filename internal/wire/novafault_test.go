package wire

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestWriteNovaFault(t *testing.T) {
	w := httptest.NewRecorder()
	w.Header().Set("X-Compute-Request-Id", "req-1")
	WriteNovaFault(w, http.StatusNotFound, `Instance "x" could not be found.`)
	assert.Equal(t, 404, w.Code)
	assert.Equal(t, "application/json; charset=UTF-8", w.Header().Get("Content-Type"))
	assert.Equal(t, `{"itemNotFound": {"message": "Instance \"x\" could not be found.", "code": 404}}`, w.Body.String())
	assert.Equal(t, strconv.Itoa(w.Body.Len()), w.Header().Get("Content-Length"))
	assert.Equal(t, "req-1", w.Header().Get("X-Compute-Request-Id"), "headers set before are kept")
}

func TestNovaFaultNames(t *testing.T) {
	for code, name := range map[int]string{400: "badRequest", 403: "forbidden", 409: "conflictingRequest",
		413: "overLimit", 429: "overLimit", 500: "computeFault", 502: "computeFault", 503: "serviceUnavailable"} {
		assert.Equal(t, name, NovaFaultName(code), "code %d", code)
	}
}

func TestContentLength(t *testing.T) {
	assert.Equal(t, []string{"0"}, ContentLength(0))
	assert.Equal(t, []string{"1023"}, ContentLength(1023))
	assert.Equal(t, []string{"1024"}, ContentLength(1024))
	assert.Equal(t, []string{"123456"}, ContentLength(123456))
}
