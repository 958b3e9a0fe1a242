package fakenova

import (
	"html/template"
	"net/http"
	"net/url"
	"time"

	"github.com/novastub/novastub/state"
)

// ConsolePage returns a handler for the page a console URL opens, standing
// in for Nova's console proxies (novncproxy and the like): it reads the
// token from the URL in either form (?token=T or noVNC's ?path=%3Ftoken%3DT),
// and shows which server's console the token grants, or answers 404 when
// the token is unknown or expired. Point console URLs at it with
// WithConsoleURL to give an app under development a console to open.
func ConsolePage(store *state.Store) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		token := q.Get("token")
		if token == "" {
			if u, err := url.Parse(q.Get("path")); err == nil {
				token = u.Query().Get("token")
			}
		}
		tok, err := store.ConsoleToken(token)
		if err != nil {
			http.Error(w, "novastub: console token not found or expired", http.StatusNotFound)
			return
		}
		srv, _ := store.Server(tok.ServerID)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_ = consolePageTemplate.Execute(w, map[string]any{
			"Server": srv, "Token": tok, "Status": srv.Status(),
			"Expires": tok.ExpiresAt.UTC().Format(time.RFC3339),
		})
	})
}

var consolePageTemplate = template.Must(template.New("console").Parse(`<!DOCTYPE html>
<html>
<head><meta charset="utf-8"><title>{{.Server.Name}} console (novastub)</title></head>
<body style="background:#000;color:#0f0;font-family:monospace;padding:2em">
<h1>{{.Server.Name}}</h1>
<p>This is novastub's stand-in for a {{.Token.Type}} console.</p>
<dl>
<dt>server</dt><dd>{{.Server.ID}} ({{.Status}})</dd>
<dt>compute host</dt><dd>{{.Token.Host}}:{{.Token.Port}}</dd>
<dt>token valid until</dt><dd>{{.Expires}}</dd>
</dl>
<pre>{{.Server.Name}} login: _</pre>
</body>
</html>
`))
