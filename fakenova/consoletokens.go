package fakenova

import (
	"errors"
	"net/http"

	"github.com/novastub/novastub/internal/pyjson"
	"github.com/novastub/novastub/state"
)

// Nova's messages for os-console-auth-tokens
// (nova/api/openstack/compute/console_auth_tokens.py,
// nova/policies/console_auth_tokens.py).
const (
	msgTokenNotFound = "Token not found"
)

// serveShowConsoleToken is GET /os-console-auth-tokens/{console_token}: the
// connection a console proxy makes for a token. Below 2.31 Nova answers
// webob's 400 before anything else; from 2.31, admins only; from 2.99 no
// query parameters, and tls_port for spice-direct.
func (n *Nova) serveShowConsoleToken(c *call) error {
	if c.version.Less(Microversion{2, 31}) {
		return fault(http.StatusBadRequest, msgBadRequest)
	}
	if !c.version.Less(Microversion{2, 99}) {
		if q := c.r.URL.Query(); len(q) > 0 {
			extras := make([]string, 0, len(q))
			for k := range q {
				extras = append(extras, k)
			}
			return fault(http.StatusBadRequest, msgAdditionalProperties(extras))
		}
	}
	if err := c.authorize("os-console-auth-tokens"); err != nil {
		return err
	}
	tok, err := n.consoleToken(c.sourceContext(), c.param("console_token"))
	switch {
	case errors.Is(err, state.ErrNotFound):
		return fault(http.StatusNotFound, msgTokenNotFound)
	case err != nil:
		return err
	}
	info := []pyjson.Member{
		pyjson.M("instance_uuid", pyjson.Str(tok.ServerID)),
		pyjson.M("host", pyjson.Str(tok.Host)),
		pyjson.M("port", pyjson.IntValue(int64(tok.Port))),
		pyjson.M("internal_access_path", nullableString(tok.InternalAccessPath)),
	}
	if !c.version.Less(Microversion{2, 99}) && tok.Type == state.ConsoleSPICEDirect {
		info = append(info, pyjson.M("tls_port", pyjson.IntValue(int64(tok.TLSPort))))
	}
	c.out = pyjson.AppendValue(c.out, pyjson.Obj(pyjson.M("console", pyjson.Obj(info...))))
	return c.reply(http.StatusOK)
}
