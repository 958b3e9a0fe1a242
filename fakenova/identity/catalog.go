package identity

import (
	"net/http"

	"github.com/novastub/novastub/internal/pyjson"
	"github.com/novastub/novastub/internal/wire"
)

// The service catalog: what it lists (WithEndpoint), how Keystone renders
// it in a token and at GET /v3/auth/catalog.

// The paths the default endpoints have under the catalog base URL, where
// the stub binary serves each service.
const (
	imagePath   = "/image"
	networkPath = "/networking"
)

// computePath is the default compute endpoint's path for a project.
func computePath(projectID string) string { return "/v2.1/" + projectID }

// defaultEndpoint says how a default service of the catalog builds its URL.
type defaultEndpoint uint8

const (
	endpointCustom   defaultEndpoint = iota // set by WithEndpoint: url
	endpointIdentity                        // the service's own base URL
	endpointCompute                         // <origin>/v2.1/<project_id>
	endpointImage                           // <origin>/image
	endpointNetwork                         // <origin>/networking
)

// catalogService is a service of the catalog: its type, its name and how
// its endpoints' URL is built.
type catalogService struct {
	serviceType, name string
	url               EndpointURL // for endpointCustom
	kind              defaultEndpoint
}

// defaultCatalog is the catalog WithEndpoint documents: what
// keystone-manage bootstrap registers for Keystone itself ("identity",
// "keystone"), and the services the stub binary serves beside it under
// the names devstack gives them.
func defaultCatalog() []catalogService {
	return []catalogService{
		{serviceType: "identity", name: "keystone", kind: endpointIdentity},
		{serviceType: "compute", name: "nova", kind: endpointCompute},
		{serviceType: "image", name: "glance", kind: endpointImage},
		{serviceType: "network", name: "neutron", kind: endpointNetwork},
	}
}

// catalogIDs are the fixed ids of a service of the catalog and of its
// endpoints, in endpointInterfaces' order.
type catalogIDs struct {
	service   string
	endpoints [3]string
}

var endpointInterfaces = [3]string{"public", "internal", "admin"}

// newCatalogIDs gives each service and endpoint of the catalog an id that
// depends only on the service type and the region, so that catalogs stay
// the same from one token, and one run, to the next.
func newCatalogIDs(services []catalogService, region string) []catalogIDs {
	ids := make([]catalogIDs, len(services))
	for i, svc := range services {
		ids[i].service = stableID("service " + svc.serviceType + " " + region)
		for j, iface := range endpointInterfaces {
			ids[i].endpoints[j] = stableID("endpoint " + svc.serviceType + " " + region + " " + iface)
		}
	}
	return ids
}

// endpointURL is the URL of a service's endpoints for a request and a
// project.
func (s *Service) endpointURL(svc *catalogService, r *http.Request, projectID string) string {
	switch svc.kind {
	case endpointCustom:
		return svc.url(r, projectID)
	case endpointIdentity:
		return s.base(r)
	}
	base := s.cfg.catalogBase
	if base == "" {
		base = origin(r)
	}
	switch svc.kind {
	case endpointCompute:
		return base + computePath(projectID)
	case endpointImage:
		return base + imagePath
	default:
		return base + networkPath
	}
}

// appendCatalog appends the service catalog of a project as Keystone's SQL
// catalog (keystone/catalog/backends/sql.py, get_v3_catalog) lists it,
// through json.dumps: each service {"endpoints", "id", "type", "name"},
// each endpoint {"id", "interface", "region_id", "url", "region"}, a
// public, an internal and an admin endpoint per service in the region.
func (s *Service) appendCatalog(b []byte, r *http.Request, projectID string) []byte {
	s.catalogIDsOnce.Do(func() { s.catalogIDs = newCatalogIDs(s.cfg.catalog, s.cfg.region) })
	b = append(b, '[')
	for i := range s.cfg.catalog {
		svc := &s.cfg.catalog[i]
		if i > 0 {
			b = append(b, ", "...)
		}
		url := s.endpointURL(svc, r, projectID)
		b = append(b, `{"endpoints": [`...)
		for j, iface := range endpointInterfaces {
			if j > 0 {
				b = append(b, ", "...)
			}
			b = append(b, `{"id": "`...)
			b = append(b, s.catalogIDs[i].endpoints[j]...)
			b = append(b, `", "interface": "`...)
			b = append(b, iface...)
			b = append(b, `", "region_id": `...)
			b = pyjson.AppendString(b, s.cfg.region)
			b = append(b, `, "url": `...)
			b = pyjson.AppendString(b, url)
			b = append(b, `, "region": `...)
			b = pyjson.AppendString(b, s.cfg.region)
			b = append(b, '}')
		}
		b = append(b, `], "id": "`...)
		b = append(b, s.catalogIDs[i].service...)
		b = append(b, `", "type": `...)
		b = pyjson.AppendString(b, svc.serviceType)
		b = append(b, `, "name": `...)
		b = pyjson.AppendString(b, svc.name)
		b = append(b, '}')
	}
	return append(b, ']')
}

// serveAuthCatalog answers GET /v3/auth/catalog as keystone/api/auth.py's
// AuthCatalogResource does: any valid token may ask (identity:
// get_auth_catalog is ""), but only a project-scoped one has a catalog
// (else Forbidden, a SecurityError, whose text hides the reason):
// {"catalog": [...], "links": {"self": "<base>/v3/auth/catalog"}}.
func (s *Service) serveAuthCatalog(w http.ResponseWriter, r *http.Request, c *caller) {
	if c == nil {
		s.writeError(w, r, unauthorized("no valid X-Auth-Token"))
		return
	}
	if c.token.ProjectID == "" {
		s.writeError(w, r, forbidden())
		return
	}
	b := make([]byte, 0, 2048)
	b = append(b, `{"catalog": `...)
	b = s.appendCatalog(b, r, c.token.ProjectID)
	b = append(b, `, "links": {"self": `...)
	b = pyjson.AppendString(b, s.v3URL(r, "auth/catalog"))
	b = append(b, "}}\n"...)
	wire.WriteJSON(w, http.StatusOK, b)
}
