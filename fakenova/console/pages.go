package console

import (
	"embed"
	"html/template"
	"net/http"
	"net/url"
	"path"
	"time"

	"github.com/novastub/novastub/state"
)

// PageNames are the last path elements of the console pages Nova's
// console URLs open: noVNC's vnc_auto.html (Nova's default), vnc_lite.html
// (devstack's) and vnc.html, xvpvncproxy's console, spice-html5's
// spice_auto.html and spice.html, and the MKS page of Nova's sample.
var PageNames = []string{"vnc_auto.html", "vnc_lite.html", "vnc.html", "console", "spice_auto.html", "spice.html", "mks.html"}

// IsPage reports whether r asks for a console page: a GET or HEAD whose
// path ends in one of PageNames (under any prefix).
func IsPage(r *http.Request) bool {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return false
	}
	return contains(PageNames, path.Base(r.URL.Path))
}

//go:embed assets
var assets embed.FS

var (
	viewerJS   = mustRead("assets/viewer.js")
	consoleCSS = mustRead("assets/console.css")
	viewerPage = template.Must(template.ParseFS(assets, "assets/viewer.html"))
	standIn    = template.Must(template.ParseFS(assets, "assets/standin.html"))
)

func mustRead(name string) string {
	b, err := assets.ReadFile(name)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// Page returns a handler that serves the console page of the request's
// token whatever the path, for console URLs that point at paths
// PageNames does not hold (an MKS or RDP base URL of "/", say).
func (p *Proxy) Page() http.Handler { return http.HandlerFunc(p.servePage) }

// servePage serves the page a console URL opens: for a VNC token, a
// working viewer (an RFB client of the project's own, in the page, that
// connects where noVNC would); for a serial token, how to connect to it;
// for SPICE, MKS and RDP, a stand-in that says what it is. The token is
// the "token" parameter, or the one in noVNC's "path" parameter, or the
// "token" cookie; an unknown or expired one is a 404.
func (p *Proxy) servePage(w http.ResponseWriter, r *http.Request) {
	token := pageToken(r)
	tok, err := p.store.ConsoleToken(token)
	var srv state.Server
	if err == nil {
		srv, err = p.servers.LookupServer(r.Context(), tok.ServerID)
	}
	if err != nil {
		http.Error(w, msgPageNotFound, http.StatusNotFound)
		return
	}
	scheme := "ws"
	if p.accessScheme(r) == "https" {
		scheme = "wss"
	}
	data := map[string]any{
		"Server": srv, "Token": tok, "Status": srv.Status(), "Protocol": string(tok.Protocol),
		"Expires":   tok.ExpiresAt.UTC().Format(time.RFC3339),
		"SerialURL": scheme + "://" + r.Host + "/?token=" + url.QueryEscape(token),
		"CSS":       template.CSS(consoleCSS), "JS": template.JS(viewerJS),
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	page := standIn
	if tok.Protocol == state.ProtocolVNC {
		page = viewerPage
	}
	if r.Method == http.MethodHead {
		return
	}
	if err := page.Execute(w, data); err != nil {
		p.logger.Warn("console: page", "err", err)
	}
}
