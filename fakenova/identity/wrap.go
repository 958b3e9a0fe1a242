package identity

import "net/http"

// Operation names the operation of a request to s, as Operation does: the
// method form that fakenova's Nova.Wrap takes.
func (s *Service) Operation(r *http.Request) string { return Operation(r) }

// WriteError writes Keystone's own error body for code, as Keystone's
// flask application renders its errors (compact, keys sorted, a newline;
// for a 401, WWW-Authenticate), so that a fault injected in front of the
// service answers as the service does. An empty message means Keystone's
// own for the code: exception.Unauthorized's for a 401,
// exception.UnexpectedError's for a 500, the status text otherwise.
func (s *Service) WriteError(w http.ResponseWriter, r *http.Request, code int, message string) {
	if message == "" {
		switch code {
		case http.StatusUnauthorized:
			message = msgUnauthorized
		case http.StatusInternalServerError:
			message = msgUnexpectedError
		default:
			message = http.StatusText(code)
		}
	}
	s.writeError(w, r, &apiError{code: code, title: http.StatusText(code), message: message, reason: "injected fault"})
}
