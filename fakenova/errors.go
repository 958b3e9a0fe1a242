package fakenova

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/novastub/novastub/middleware"
)

// Handlers return errors as values; a call renders them in one place
// (call.fail): a novaFault as Nova's fault body, a webobPage as webob's bare
// error page, anything else as the 500 Nova's FaultWrapper gives an
// unexpected exception, logged.

// novaFault is an error Nova answers with its fault body: the status code
// and the message, exactly as Nova words it.
type novaFault struct {
	code    int
	message string
}

func (e *novaFault) Error() string { return http.StatusText(e.code) + ": " + e.message }

// fault returns the error Nova answers with code and message.
func fault(code int, message string) error { return &novaFault{code: code, message: message} }

// webobPage is an error Nova's pipeline answers outside its fault wrapper,
// with webob's own page: the bare 404 of a URL no route takes, and the 413
// of a body over the limit.
type webobPage struct {
	code        int
	explanation string
}

func (e *webobPage) Error() string { return http.StatusText(e.code) + ": " + e.explanation }

// errNoRoute is the answer to a URL (or method) no route of the API takes:
// Nova's router answers webob's bare 404, never 405.
var errNoRoute = &webobPage{code: http.StatusNotFound, explanation: msgNotFound}

// fail renders err as the answer to the call.
func (c *call) fail(err error) {
	var nf *novaFault
	var page *webobPage
	var tooLarge *middleware.BodyTooLargeError
	switch {
	case errors.As(err, &nf):
		c.fault(nf.code, nf.message)
	case errors.As(err, &page):
		middleware.WriteWebObError(c.w, c.r, page.code, page.explanation)
	case errors.As(err, &tooLarge):
		tooLarge.ServeHTTP(c.w, c.r)
	default:
		c.nova.cfg.logger.LogAttrs(c.r.Context(), slog.LevelError, "unexpected error",
			slog.String("request_id", c.requestID), slog.String("operation", c.op), slog.String("error", err.Error()))
		c.fault(http.StatusInternalServerError, msgServerError)
	}
}
