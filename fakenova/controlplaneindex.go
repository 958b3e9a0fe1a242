package fakenova

import (
	"bytes"
	"html/template"
	"net/http"
	"strings"

	"github.com/julienschmidt/httprouter"

	"github.com/novastub/novastub/middleware"
)

// ServiceInfo is a service the fake serves, as the control plane's index
// lists it.
type ServiceInfo struct {
	Name string `json:"name"` // such as "compute"
	// Path is where it is served, relative to the fake's base URL, such
	// as "/v2.1/" or "/identity/v3".
	Path  string `json:"path"`
	About string `json:"about"` // what it is, in a few words
}

// services are what Nova serves by itself; NewCloud adds the rest.
var novaServices = []ServiceInfo{
	{Name: "compute", Path: "/v2.1/", About: "Nova's compute API (also /v2/{project_id}/, the legacy v2 endpoint)"},
}

// indexJSON is the index's JSON answer.
type indexJSON struct {
	Name          string      `json:"name"`
	Version       string      `json:"version"`
	BaseURL       string      `json:"base_url"`
	TokenRequired bool        `json:"token_required"`
	Services      []indexLink `json:"services"`
	Control       []indexCall `json:"control"`
}

type indexLink struct {
	ServiceInfo
	URL string `json:"url"`
}

type indexCall struct {
	Method string `json:"method"`
	Path   string `json:"path"`
	About  string `json:"about"`
	Token  bool   `json:"token"` // whether it needs the token
}

// index answers GET /_novastub/: the services and the control calls, as
// HTML when the Accept header prefers it (a browser), else JSON.
func (c *controlPlane) index(w http.ResponseWriter, r *http.Request, _ httprouter.Params) {
	base := c.n.baseURL(r)
	doc := indexJSON{Name: "novastub", Version: Version(), BaseURL: base, TokenRequired: c.guard.hasToken}
	for _, s := range c.n.services() {
		doc.Services = append(doc.Services, indexLink{ServiceInfo: s, URL: base + s.Path})
	}
	for _, call := range controlCalls() {
		path := strings.ReplaceAll(strings.ReplaceAll(call.path, ":id", "{id}"), ":", "")
		doc.Control = append(doc.Control, indexCall{Method: call.method, Path: path, About: call.about,
			Token: c.guard.hasToken && !call.open})
	}
	if middleware.PreferredType(r.Header.Get("Accept"), "application/json", "text/html") != "text/html" {
		writeControl(w, http.StatusOK, doc)
		return
	}
	var buf bytes.Buffer
	if err := indexPage.Execute(&buf, doc); err != nil {
		controlError(w, http.StatusInternalServerError, "", err.Error())
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write(buf.Bytes())
}

var indexPage = template.Must(template.New("index").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>novastub</title>
<style>body{font-family:sans-serif;margin:2em}td,th{padding:.2em .8em;text-align:left}code{background:#eee}</style>
</head><body>
<h1>novastub {{.Version}}</h1>
<p>A fake OpenStack cloud at <code>{{.BaseURL}}</code>.</p>
<h2>Services</h2>
<table><tr><th>Service</th><th>URL</th><th></th></tr>
{{range .Services}}<tr><td>{{.Name}}</td><td><a href="{{.URL}}">{{.URL}}</a></td><td>{{.About}}</td></tr>
{{end}}</table>
<h2>Control plane</h2>
<p>JSON in and out.{{if .TokenRequired}} Calls marked &#x1F512; need the control token, as
<code>Authorization: Bearer &lt;token&gt;</code> (printed when the stub started).{{end}}
POST and PUT need <code>Content-Type: application/json</code>.</p>
<table><tr><th>Method</th><th>Path</th><th></th><th></th></tr>
{{range .Control}}<tr><td>{{.Method}}</td><td><code>{{.Path}}</code></td><td>{{if .Token}}&#x1F512;{{end}}</td><td>{{.About}}</td></tr>
{{end}}</table>
</body></html>
`))
