package fakenova

import (
	"net/http"

	"github.com/julienschmidt/httprouter"
)

// routes lists the API's paths under an API root (/v2/{project_id},
// /v2.1/{project_id} or /v2.1).
func (n *Nova) routes() []*route {
	return []*route{
		{op: "showVersion", method: http.MethodGet, path: "/", serve: n.serveShowVersion},
		{op: "createServer", method: http.MethodPost, path: "/servers", serve: n.serveCreateServer},
		{op: "listServers", method: http.MethodGet, path: "/servers", serve: n.serveListServers},
		// Also GET /servers/detail (listServersDetailed): httprouter cannot
		// route a static segment beside a parameter.
		{op: "showServer", method: http.MethodGet, path: "/servers/:server_id", serve: n.serveShowServer},
		{op: "deleteServer", method: http.MethodDelete, path: "/servers/:server_id", serve: n.serveDeleteServer},
		{method: http.MethodPost, path: "/servers/:server_id/action", action: true},
		{op: "createConsole", method: http.MethodPost, path: "/servers/:server_id/remote-consoles", serve: n.serveCreateConsole},
		{op: "showConsoleConnectionInfo", method: http.MethodGet, path: "/os-console-auth-tokens/:console_token", serve: n.serveShowConsoleToken},
	}
}

func (n *Nova) registerRoutes() {
	for _, rt := range n.routes() {
		rt := rt
		n.router.Handle(rt.method, rt.path, func(w http.ResponseWriter, _ *http.Request, ps httprouter.Params) {
			c := w.(*call)
			c.params = ps
			n.serve(c, rt)
		})
	}
}
