package fakenova

import "net/http"

// Service is a service of the fake cloud beside the compute API, such as
// the identity service (package identity): Wrap puts it behind the fake's
// journal and fault rules.
type Service interface {
	http.Handler
	// Operation names the operation of a request, as fault rules and the
	// journal name it; "" for a request that is none of the service's.
	Operation(r *http.Request) string
	// WriteError writes the service's own error body for code (Keystone's
	// for the identity service), as an injected fault answers; an empty
	// message means the service's default for code.
	WriteError(w http.ResponseWriter, r *http.Request, code int, message string)
}

// Wrap puts s behind the fake's journal, request log and fault rules: its
// requests are journaled and logged under s's operation names, and a
// fault rule for one of them answers with s's own error body.
func (n *Nova) Wrap(s Service) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var log func(*http.Request, *Entry)
		if n.cfg.requestLog != nil {
			log = n.logEntry
		}
		n.journal.record(w, r, s.Operation, log, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			rule := n.faults.take(s.Operation(r), "", "")
			if rule == nil {
				s.ServeHTTP(w, r)
				return
			}
			rule.apply(w, r, func(w http.ResponseWriter) { s.ServeHTTP(w, r) }, s.WriteError)
		}))
	})
}
