package middleware_test

import (
	"encoding/json"
	"errors"
	"io"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/novastub/novastub/middleware"
)

func assertComputeFault(t *testing.T, w *httptest.ResponseRecorder) {
	t.Helper()
	assert.Equal(t, http.StatusInternalServerError, w.Code)
	assert.Equal(t, []string{ctFaultJSON}, w.Header().Values("Content-Type"))
	assert.Equal(t, computeFaultBody, w.Body.String())
}

func TestRecoverPanicGives500(t *testing.T) {
	tests := []struct {
		name      string
		value     any
		wantPanic string
	}{
		{"string", "boom: secret-value-42", "boom: secret-value-42"},
		{"error", errors.New("db handle closed at 0xc000123"), "db handle closed at 0xc000123"},
		{"int", 42, "42"},
		{"struct", struct{ A, B string }{"x", "y"}, "{x y}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			logs, logger := newLogBuffer()
			h := middleware.RequestID(middleware.Recover(logger)(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
				panic(tt.value)
			})))
			w := serve(h, httptest.NewRequest(http.MethodPost, "/v2.1/servers/abc/action", strings.NewReader(`{}`)))

			assertComputeFault(t, w)
			reqID := assertRequestIDs(t, w.Header())
			body := w.Body.String()
			assert.NotContains(t, body, tt.wantPanic)
			assert.NotContains(t, body, "goroutine")
			assert.NotContains(t, body, ".go:")
			assert.NotContains(t, body, "recover_test")

			var fault map[string]map[string]any
			require.NoError(t, json.Unmarshal(w.Body.Bytes(), &fault))
			assert.Equal(t, map[string]map[string]any{"computeFault": {
				"code":    float64(500),
				"message": "The server has either erred or is incapable of performing the requested operation.",
			}}, fault)

			recs := logs.Records(t)
			require.Len(t, recs, 1)
			rec := recs[0]
			assert.Equal(t, "ERROR", rec["level"])
			assert.Equal(t, "panic serving request", rec["msg"])
			assert.Equal(t, tt.wantPanic, rec["panic"])
			assert.Equal(t, reqID, rec["request_id"])
			assert.Equal(t, http.MethodPost, rec["method"])
			assert.Equal(t, "/v2.1/servers/abc/action", rec["path"])
			require.IsType(t, "", rec["stack"])
			assert.Contains(t, rec["stack"], "goroutine")
			assert.Contains(t, rec["stack"], "recover_test.go", "the stack shows where the panic was")
		})
	}
}

func TestRecoverPanicNil(t *testing.T) {
	// Since Go 1.21 (go.mod says 1.22) panic(nil) is a *runtime.PanicNilError,
	// so recover sees it and it becomes a 500 like any other panic.
	logs, logger := newLogBuffer()
	h := middleware.Recover(logger)(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		panic(nil)
	}))
	w := serve(h, httptest.NewRequest(http.MethodGet, "/", nil))
	assertComputeFault(t, w)
	recs := logs.Records(t)
	require.Len(t, recs, 1)
	assert.Contains(t, recs[0]["panic"], "nil")
	assert.Equal(t, "", recs[0]["request_id"], "no RequestID in front")
}

func TestRecoverNoPanicPassesThrough(t *testing.T) {
	logs, logger := newLogBuffer()
	next := &recordingHandler{reply: func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		_, _ = io.WriteString(w, `{"ok": true}`)
	}}
	w := serve(middleware.Recover(logger)(next), httptest.NewRequest(http.MethodGet, "/", nil))
	assert.Equal(t, http.StatusCreated, w.Code)
	assert.Equal(t, "application/json", w.Header().Get("Content-Type"))
	assert.Equal(t, `{"ok": true}`, w.Body.String())
	assert.Equal(t, 1, next.Calls())
	assert.Empty(t, logs.String())
}

func TestRecoverRepanicsErrAbortHandler(t *testing.T) {
	logs, logger := newLogBuffer()
	h := middleware.Recover(logger)(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		panic(http.ErrAbortHandler)
	}))
	w := httptest.NewRecorder()
	assert.PanicsWithValue(t, http.ErrAbortHandler, func() {
		h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/", nil))
	})
	assert.False(t, w.Flushed)
	assert.Empty(t, w.Body.String(), "no 500 body is written")
	assert.Empty(t, w.Header().Values("Content-Type"))
	assert.Empty(t, logs.String(), "an abort is not logged")
}

func TestRecoverErrAbortHandlerAbortsConnection(t *testing.T) {
	logs, logger := newLogBuffer()
	srv := httptest.NewUnstartedServer(middleware.RequestID(middleware.Recover(logger)(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		panic(http.ErrAbortHandler)
	}))))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.Start()
	defer srv.Close()

	resp, err := srv.Client().Get(srv.URL)
	if err == nil {
		resp.Body.Close()
	}
	require.Error(t, err, "net/http drops the connection without an answer")
	assert.Empty(t, logs.String())
}

func TestRecoverOverHTTP(t *testing.T) {
	logs, logger := newLogBuffer()
	srv := httptest.NewServer(middleware.RequestID(middleware.Recover(logger)(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		var s []string
		_ = s[len(r.URL.Path)] // a runtime panic: index out of range
	}))))
	defer srv.Close()

	resp, err := srv.Client().Get(srv.URL + "/v2.1/servers")
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)

	assert.Equal(t, http.StatusInternalServerError, resp.StatusCode)
	assert.Equal(t, ctFaultJSON, resp.Header.Get("Content-Type"))
	assert.Equal(t, computeFaultBody, string(body))
	reqID := assertRequestIDs(t, resp.Header)

	recs := logs.Records(t)
	require.Len(t, recs, 1)
	assert.Equal(t, "runtime error: index out of range [13] with length 0", recs[0]["panic"])
	assert.Equal(t, reqID, recs[0]["request_id"])
	assert.Equal(t, "/v2.1/servers", recs[0]["path"])
	assert.Equal(t, "GET", recs[0]["method"])
}

// TestRecoverNilLoggerUsesDefault is not parallel: it swaps slog's default.
func TestRecoverNilLoggerUsesDefault(t *testing.T) {
	logs, logger := newLogBuffer()
	old := slog.Default()
	slog.SetDefault(logger)
	t.Cleanup(func() { slog.SetDefault(old) })

	h := middleware.Recover(nil)(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("to default") }))
	w := serve(h, httptest.NewRequest(http.MethodGet, "/", nil))
	assertComputeFault(t, w)
	recs := logs.Records(t)
	require.Len(t, recs, 1)
	assert.Equal(t, "to default", recs[0]["panic"])
}
