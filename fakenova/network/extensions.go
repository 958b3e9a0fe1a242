package network

import (
	"net/http"

	"github.com/novastub/novastub/internal/pyjson"
	"github.com/novastub/novastub/internal/wire"
)

// extension is a Neutron API extension the fake's records carry, as
// neutron-lib's api definitions name and describe it.
type extension struct{ name, alias, description, updated string }

var extensions = []extension{
	{"Neutron external network", "external-net", "Adds external network attribute to network resource.", "2013-01-14T10:00:00-00:00"},
	{"Network MTU", "net-mtu", "Provides MTU attribute for a network resource.", "2015-03-25T10:00:00-00:00"},
	{"Port Security", "port-security", "Provides port security", "2012-07-23T10:00:00-00:00"},
	{"Port Binding", "binding", "Expose port bindings of a virtual port to external application", "2014-02-03T10:00:00-00:00"},
	{"Allowed Address Pairs", "allowed-address-pairs", "Provides allowed address pairs", "2013-07-23T10:00:00-00:00"},
	{"Neutron Extra DHCP options", "extra_dhcp_opt", "Extra options configuration for DHCP. For example PXE boot options to DHCP clients can be specified (e.g. tftp-server, server-ip-address, bootfile-name)", "2013-03-17T12:00:00-00:00"},
	{"Network Availability Zone", "network_availability_zone", "Availability zone support for network.", "2015-01-01T10:00:00-00:00"},
	{"Subnet belongs to an external network", "subnet-external-network", "Informs if the subnet belongs to an external network", "2024-02-05T18:00:00-00:00"},
	{"Filter parameters validation", "filter-validation", "Provides validation on filter parameters.", "2018-07-04T10:00:00-00:00"},
}

func appendExtension(b []byte, e extension) []byte {
	b = append(b, `{"name": `...)
	b = pyjson.AppendString(b, e.name)
	b = append(b, `, "alias": `...)
	b = pyjson.AppendString(b, e.alias)
	b = append(b, `, "description": `...)
	b = pyjson.AppendString(b, e.description)
	b = append(b, `, "updated": `...)
	b = pyjson.AppendString(b, e.updated)
	return append(b, `, "links": []}`...)
}

// serveExtensions answers GET /v2.0/extensions, rendered by pecan's JSON
// encoder (the extensions controller is not a resource's).
func (s *Service) serveExtensions(w http.ResponseWriter) {
	b := append([]byte(nil), `{"extensions": [`...)
	for i, e := range extensions {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = appendExtension(b, e)
	}
	wire.WriteJSON(w, http.StatusOK, append(b, "]}"...))
}

// serveExtension answers GET /v2.0/extensions/<alias>.
func (s *Service) serveExtension(w http.ResponseWriter, alias string) {
	for _, e := range extensions {
		if e.alias == alias {
			b := append([]byte(nil), `{"extension": `...)
			wire.WriteJSON(w, http.StatusOK, append(appendExtension(b, e), '}'))
			return
		}
	}
	writeError(w, notFound("HTTPNotFound", "Extension with alias "+alias+" does not exist"))
}
