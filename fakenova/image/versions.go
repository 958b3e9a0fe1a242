package image

import (
	"net/http"

	"github.com/novastub/novastub/internal/pyjson"
	"github.com/novastub/novastub/internal/wire"
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
	href := s.cfg.BaseURL(r) + "/v2/" // public_endpoint, or the URL the request reached
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
	wire.WriteJSON(w, code, b)
}
