package fakenova

import (
	"net/http"

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
func (n *Nova) serveShowConsoleToken(c *call) {
	if c.version.Less(Microversion{2, 31}) {
		c.fault(http.StatusBadRequest, msgBadRequest)
		return
	}
	if !c.version.Less(Microversion{2, 99}) {
		if q := c.r.URL.Query(); len(q) > 0 {
			extras := make([]string, 0, len(q))
			for k := range q {
				extras = append(extras, k)
			}
			c.fault(http.StatusBadRequest, msgAdditionalProperties(extras))
			return
		}
	}
	if !c.authorize("os-console-auth-tokens") {
		return
	}
	tok, err := n.store.ConsoleToken(c.params.ByName("console_token"))
	if err != nil {
		c.fault(http.StatusNotFound, msgTokenNotFound)
		return
	}
	c.out = append(c.out, `{"console": {`...)
	c.appendKey("instance_uuid")
	c.appendString(tok.ServerID)
	c.out = append(c.out, ", "...)
	c.appendKey("host")
	c.appendString(tok.Host)
	c.out = append(c.out, ", "...)
	c.appendKey("port")
	c.appendInt(tok.Port)
	c.out = append(c.out, ", "...)
	c.appendKey("internal_access_path")
	if tok.InternalAccessPath == "" {
		c.out = append(c.out, "null"...)
	} else {
		c.appendString(tok.InternalAccessPath)
	}
	if !c.version.Less(Microversion{2, 99}) && tok.Type == state.ConsoleSPICEDirect {
		c.out = append(c.out, ", "...)
		c.appendKey("tls_port")
		c.appendInt(tok.TLSPort)
	}
	c.out = append(c.out, "}}"...)
	c.reply(http.StatusOK)
}
