package image

import (
	"net/http"
	"strings"
)

// Operations are the stable names of the calls the service answers, as
// fault rules, the journal and the logs name them.
var Operations = []string{"imageVersions", "listImages", "showImage"}

// Operation names the operation of a request to the service: imageVersions
// (the version documents), listImages (GET /v2/images) and showImage (GET
// /v2/images/{id}); "" for any other request. It reads the path after the
// service's prefix and so names requests before and after http.StripPrefix
// alike when the prefix is DefaultPrefix; a handler mounted elsewhere
// strips its prefix first.
func Operation(r *http.Request) string {
	p := strings.TrimPrefix(r.URL.Path, DefaultPrefix)
	if p == "" || p == "/" || p == "/versions" || strings.HasPrefix(p, "/versions/") {
		return "imageVersions"
	}
	version, rest, _ := strings.Cut(strings.TrimPrefix(p, "/"), "/")
	if _, ok := allowedVersions[version]; !ok {
		return "imageVersions"
	}
	if r.Method != http.MethodGet {
		return ""
	}
	switch {
	case rest == "images":
		return "listImages"
	case strings.HasPrefix(rest, "images/") && !strings.Contains(rest[len("images/"):], "/") && rest != "images/":
		return "showImage"
	}
	return ""
}

// Operation names the operation of a request to s, as the package's
// Operation does: the method form that fakenova's Nova.Wrap takes (with
// WriteError).
func (s *Service) Operation(r *http.Request) string { return Operation(r) }
