package image

import (
	"net/http"
	"strconv"

	"github.com/novastub/novastub/internal/pyjson"
)

// versionEntries are the versions glance/api/versions.py lists with
// [DEFAULT] image_cache_dir set and no enabled_backends (devstack's
// configuration), in its order; the first is CURRENT.
var versionEntries = []string{"2.18", "2.17", "2.16", "2.15", "2.14", "2.9",
	"2.7", "2.6", "2.5", "2.4", "2.3", "2.2", "2.1", "2.0"}

// serveVersions answers Glance's version document: {"versions": [...]},
// each linking to <public endpoint>/v2/, with code (300 for the root and
// unknown versions, 200 for /versions). No token is needed: version
// negotiation runs before authentication.
func (s *Service) serveVersions(w http.ResponseWriter, r *http.Request, code int) {
	href := s.endpoint(r) + "/v2/"
	b := make([]byte, 0, 1600)
	b = append(b, `{"versions": [`...)
	for i, v := range versionEntries {
		if i > 0 {
			b = append(b, ", "...)
		}
		status := "SUPPORTED"
		if i == 0 {
			status = "CURRENT"
		}
		b = append(b, `{"id": "v`...)
		b = append(b, v...)
		b = append(b, `", "status": "`...)
		b = append(b, status...)
		b = append(b, `", "links": [{"rel": "self", "href": `...)
		b = pyjson.AppendStringUnicode(b, href)
		b = append(b, "}]}"...)
	}
	b = append(b, "]}"...)
	writeJSON(w, code, b)
}

// endpoint is Glance's public_endpoint, or the URL the request reached
// the service at (webob's application_url: scheme, host and prefix).
func (s *Service) endpoint(r *http.Request) string {
	if s.cfg.externalURL != "" {
		return s.cfg.externalURL
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + s.cfg.prefix
}

// writeJSON writes a complete JSON answer.
func writeJSON(w http.ResponseWriter, code int, body []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(code)
	_, _ = w.Write(body)
}
