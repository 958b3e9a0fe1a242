package identity

import "net/http"

// Operation names the operation of a request to s, as Operation does: the
// method form that fakenova's Nova.Wrap takes (with WriteError).
func (s *Service) Operation(r *http.Request) string { return Operation(r) }
