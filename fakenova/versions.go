package fakenova

import (
	"net/http"
	"strings"

	"github.com/novastub/novastub/internal/pyjson"
	"github.com/novastub/novastub/internal/wire"
)

// apiVersion is an entry of Nova's VERSIONS
// (nova/api/openstack/compute/versions.py, as of master).
type apiVersion struct {
	id, status, version, minVersion, updated, mediaType string
	path                                                string // the API root's path, with its slash
}

// versions are the two APIs, v2.0 (the legacy /v2 endpoint, deprecated
// since df630cd1b2) and v2.1.
func (n *Nova) versions() [2]apiVersion {
	return [2]apiVersion{
		{id: "v2.0", status: "DEPRECATED", updated: "2025-07-04T12:00:00Z",
			mediaType: "application/vnd.openstack.compute+json;version=2", path: "/v2/"},
		{id: "v2.1", status: "CURRENT", version: n.cfg.maxVersion.String(), minVersion: MinMicroversion.String(),
			updated: "2013-07-23T11:33:21Z", mediaType: "application/vnd.openstack.compute+json;version=2.1", path: "/v2.1/"},
	}
}

func (v apiVersion) mediaTypes() pyjson.Value {
	return pyjson.Arr(pyjson.Obj(pyjson.M("base", pyjson.Str("application/json")), pyjson.M("type", pyjson.Str(v.mediaType))))
}

func link(rel, href string) pyjson.Value {
	return pyjson.Obj(pyjson.M("rel", pyjson.Str(rel)), pyjson.M("href", pyjson.Str(href)))
}

// versionDocument is ViewBuilder.build_version: the version's entry with a
// self link in front of its describedby link.
func (v apiVersion) document(base string) pyjson.Value {
	return pyjson.Obj(pyjson.M("version", pyjson.Obj(
		pyjson.M("id", pyjson.Str(v.id)),
		pyjson.M("status", pyjson.Str(v.status)),
		pyjson.M("version", pyjson.Str(v.version)),
		pyjson.M("min_version", pyjson.Str(v.minVersion)),
		pyjson.M("updated", pyjson.Str(v.updated)),
		pyjson.M("links", pyjson.Arr(
			link("self", base+v.path),
			pyjson.Obj(pyjson.M("rel", pyjson.Str("describedby")), pyjson.M("type", pyjson.Str("text/html")),
				pyjson.M("href", pyjson.Str("http://docs.openstack.org/"))))),
		pyjson.M("media-types", v.mediaTypes()),
	)))
}

// serveVersions answers GET / with both versions (ViewBuilder.build_versions),
// and any other path outside the APIs with 300 and the choices
// (build_choices), as Nova's root application does: no token needed, and,
// outside the API pipeline, no request id or microversion headers.
func (n *Nova) serveVersions(w http.ResponseWriter, r *http.Request) {
	base := n.baseURL(r)
	var doc pyjson.Value
	code := http.StatusOK
	if r.URL.Path == "/" {
		var entries []pyjson.Value
		for _, v := range n.versions() {
			entries = append(entries, pyjson.Obj(
				pyjson.M("id", pyjson.Str(v.id)),
				pyjson.M("status", pyjson.Str(v.status)),
				pyjson.M("version", pyjson.Str(v.version)),
				pyjson.M("min_version", pyjson.Str(v.minVersion)),
				pyjson.M("updated", pyjson.Str(v.updated)),
				pyjson.M("links", pyjson.Arr(link("self", base+v.path))),
			))
		}
		doc = pyjson.Obj(pyjson.M("versions", pyjson.Arr(entries...)))
	} else {
		code = http.StatusMultipleChoices
		path := strings.Trim(r.URL.Path, "/")
		var entries []pyjson.Value
		for _, v := range n.versions() {
			entries = append(entries, pyjson.Obj(
				pyjson.M("id", pyjson.Str(v.id)),
				pyjson.M("status", pyjson.Str(v.status)),
				pyjson.M("links", pyjson.Arr(link("self", base+v.path+path))),
				pyjson.M("media-types", v.mediaTypes()),
			))
		}
		doc = pyjson.Obj(pyjson.M("choices", pyjson.Arr(entries...)))
	}
	wire.WriteBody(w, code, contentTypeJSON, pyjson.AppendValue(nil, doc))
}

// serveShowVersion is GET /v2.1/{project_id}/ (and /v2/{project_id}/):
// Nova's API router answers the version document there too, with a token.
func (n *Nova) serveShowVersion(c *call) error { return n.writeVersionDocument(c) }

func (n *Nova) writeVersionDocument(c *call) error {
	v := n.versions()[1]
	if c.legacy {
		v = n.versions()[0]
	}
	c.out = pyjson.AppendValue(c.out, v.document(n.baseURL(c.r)))
	return c.reply(http.StatusOK)
}

// baseURL is where clients reach the fake: the external URL when one is
// configured, else the request's scheme and host (and, when the forwarded
// headers are trusted, X-Forwarded-Proto, X-Forwarded-Host and
// X-Forwarded-Prefix), without a trailing slash.
func (n *Nova) baseURL(r *http.Request) string {
	if n.cfg.externalURL != "" {
		return n.cfg.externalURL
	}
	var buf [64]byte
	return string(n.appendBaseURL(buf[:0], r))
}

// appendBaseURL appends baseURL(r) to dst, for a caller that compares it
// without making a string of it.
func (n *Nova) appendBaseURL(dst []byte, r *http.Request) []byte {
	if n.cfg.externalURL != "" {
		return append(dst, n.cfg.externalURL...)
	}
	scheme, host, prefix, prefixed := "http", r.Host, "", false
	if r.TLS != nil {
		scheme = "https"
	}
	if n.cfg.trustForwarded {
		if p := firstForwarded(r.Header.Get("X-Forwarded-Proto")); p == "http" || p == "https" {
			scheme = p
		}
		if h := firstForwarded(r.Header.Get("X-Forwarded-Host")); h != "" {
			host = h
		}
		if p := firstForwarded(r.Header.Get("X-Forwarded-Prefix")); p != "" {
			prefix, prefixed = strings.Trim(p, "/"), true
		}
	}
	dst = append(append(append(dst, scheme...), "://"...), host...)
	if prefixed {
		dst = append(append(dst, '/'), prefix...)
	}
	return dst
}

// firstForwarded is the first value of a forwarded header, which proxies
// append to.
func firstForwarded(v string) string {
	first, _, _ := strings.Cut(v, ",")
	return strings.TrimSpace(first)
}
