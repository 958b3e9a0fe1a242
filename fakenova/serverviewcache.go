package fakenova

import (
	"sync"

	"github.com/novastub/novastub/internal/pyjson"
	"github.com/novastub/novastub/middleware"
	"github.com/novastub/novastub/state"
)

// A server's view (serverView) is a function of the server, the catalog it
// names (its flavor, image and addresses: state.Store.CatalogGeneration)
// and the request: microversion, show or detail, the caller's policies,
// the API root and project of the URL, the base URL. The fake renders it
// once for each and keeps the bytes, per fake, until the server or the
// catalog changes; a GET of a server then costs a lookup and a copy.

// Bounds of a fake's rendered views.
const (
	// maxRenderedViewBytes bounds the bytes of views a fake keeps; past
	// it, it forgets them all and starts again.
	maxRenderedViewBytes = 4 << 20
	// maxViewsPerServer bounds the variants of one server's view kept
	// (microversions, callers); the oldest goes first.
	maxViewsPerServer = 4
)

// viewKey is what of the request a server's view depends on.
type viewKey struct {
	version  Microversion
	detail   bool   // the list's detail, not a show
	legacy   bool   // under /v2
	policies uint8  // viewPolicies of the caller
	project  string // the project id of the URL, "" for none
	base     string // the base URL (appendBaseURL); compared as bytes
}

// The policies a server's view asks (viewPolicies).
const (
	policyExtendedAttributes = 1 << iota // os-extended-server-attributes
	policyHostStatus                     // servers:show:host_status
	policyFlavorExtraSpecs               // servers:show:flavor-extra-specs
)

// viewPolicies are the answers of the policies a server's view depends on
// for a caller, as bits.
func viewPolicies(id *middleware.Identity) uint8 {
	var p uint8
	if allows(id, "os-extended-server-attributes") {
		p |= policyExtendedAttributes
	}
	if allows(id, "servers:show:host_status") {
		p |= policyHostStatus
	}
	if allows(id, "servers:show:flavor-extra-specs") {
		p |= policyFlavorExtraSpecs
	}
	return p
}

// renderedView is one server's view as written, and what it was written
// from. It never changes once kept.
type renderedView struct {
	key    viewKey
	server state.Server
	gen    uint64 // the catalog generation read before rendering
	body   []byte
}

// renderedViews are the views one fake keeps, by server id. It is safe for
// concurrent use.
type renderedViews struct {
	mu    sync.RWMutex
	views map[string][]*renderedView
	bytes int
}

// get returns the body of srv's view for key (with the base URL base) at
// catalog generation gen, or nil.
func (rv *renderedViews) get(srv *state.Server, key *viewKey, base []byte, gen uint64) []byte {
	rv.mu.RLock()
	defer rv.mu.RUnlock()
	for _, v := range rv.views[srv.ID] {
		if v.gen == gen && v.key.version == key.version && v.key.detail == key.detail && v.key.legacy == key.legacy &&
			v.key.policies == key.policies && v.key.project == key.project && v.key.base == string(base) &&
			v.server == *srv {
			return v.body
		}
	}
	return nil
}

// put keeps v, in place of a view of the same key (written from an older
// server or catalog).
func (rv *renderedViews) put(v *renderedView) {
	rv.mu.Lock()
	defer rv.mu.Unlock()
	if rv.views == nil || rv.bytes+len(v.body) > maxRenderedViewBytes {
		rv.views, rv.bytes = map[string][]*renderedView{}, 0
	}
	old := rv.views[v.server.ID]
	kept := make([]*renderedView, 0, min(len(old)+1, maxViewsPerServer))
	for i, o := range old {
		if o.key == v.key || len(old)-i >= maxViewsPerServer {
			rv.bytes -= len(o.body) // replaced, or the oldest
			continue
		}
		kept = append(kept, o)
	}
	rv.views[v.server.ID] = append(kept, v) // a new slice: readers may hold the old
	rv.bytes += len(v.body)
}

// appendServerView appends srv's view (serverView) to c.out: the kept one
// when the fake has written it for the same server, catalog and request,
// else a new one, which it keeps.
func (n *Nova) appendServerView(c *call, srv *state.Server, detail bool, views *viewCache) {
	gen := n.store.CatalogGeneration() // before anything the view reads
	c.base = n.appendBaseURL(c.base[:0], c.r)
	key := viewKey{version: c.version, detail: detail, legacy: c.legacy, policies: viewPolicies(c.identity),
		project: c.urlProject}
	if body := n.rendered.get(srv, &key, c.base, gen); body != nil {
		c.out = append(c.out, body...)
		return
	}
	start := len(c.out)
	c.out = pyjson.AppendValue(c.out, n.serverView(c, srv, detail, views))
	key.base = string(c.base)
	n.rendered.put(&renderedView{key: key, server: *srv, gen: gen, body: append([]byte(nil), c.out[start:]...)})
}
