package fakenova

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
)

// The writers the fake puts in front of a handler (the status recorder of
// the request log, the journal's, CORS's) let http.ResponseController
// reach the connection, so that a console WebSocket behind them can
// hijack it.
func TestWritersUnwrap(t *testing.T) {
	rec := httptest.NewRecorder()
	for name, w := range map[string]interface{ Unwrap() http.ResponseWriter }{
		"status":  &statusWriter{ResponseWriter: rec},
		"journal": &journalWriter{ResponseWriter: rec},
		"cors":    &corsWriter{ResponseWriter: rec},
	} {
		assert.Same(t, rec, w.Unwrap(), name)
	}
}
