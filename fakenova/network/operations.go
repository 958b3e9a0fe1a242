package network

import (
	"net/http"
	"strings"
)

// Operations are the stable names of the calls the service answers, as
// fault rules, the journal and the logs name them.
var Operations = []string{"networkVersions", "listNetworkResources", "listExtensions", "showExtension",
	"listNetworks", "showNetwork", "listSubnets", "showSubnet", "listPorts", "showPort",
	"listSecurityGroups", "listFloatingIPs", "listRouters"}

// listOps and showOps name the GETs of each collection.
var (
	listOps = map[string]string{"networks": "listNetworks", "subnets": "listSubnets", "ports": "listPorts",
		"security-groups": "listSecurityGroups", "floatingips": "listFloatingIPs", "routers": "listRouters",
		"extensions": "listExtensions"}
	showOps = map[string]string{"networks": "showNetwork", "subnets": "showSubnet", "ports": "showPort",
		"extensions": "showExtension"}
)

// Operation names the operation of a request to the service:
// networkVersions (GET /), listNetworkResources (GET /v2.0/), list* and
// show* of networks, subnets, ports and extensions, and listSecurityGroups,
// listFloatingIPs and listRouters (always empty); "" for any other
// request. It reads the path after the service's prefix and so names
// requests before and after http.StripPrefix alike when the prefix is
// DefaultPrefix.
func Operation(r *http.Request) string {
	if r.Method != http.MethodGet {
		return ""
	}
	p := strings.TrimPrefix(r.URL.Path, DefaultPrefix)
	if p == "" || p == "/" {
		return "networkVersions"
	}
	rest, ok := strings.CutPrefix(p, "/v2.0/")
	if !ok {
		return ""
	}
	if rest == "" {
		return "listNetworkResources"
	}
	seg := strings.Split(strings.TrimSuffix(rest, ".json"), "/")
	switch len(seg) {
	case 1:
		return listOps[seg[0]]
	case 2:
		return showOps[seg[0]]
	}
	return ""
}

// Operation names the operation of a request to s, as the package's
// Operation does: the method form that fakenova's Nova.Wrap takes (with
// WriteError).
func (s *Service) Operation(r *http.Request) string { return Operation(r) }
