// Package network is a fake of OpenStack Neutron's v2.0 networking API:
// the part clients read (the version document, the resources, networks,
// subnets, ports and extensions), with Neutron's filters, fields, sorting,
// paging links, visibility rules and NeutronError bodies. It answers from a
// state.Store's networks, so that the ports the fake Nova gives its servers
// are the ports this service lists.
//
// Serve it under /networking beside the fake Nova, as devstack does:
//
//	store := state.New()
//	_, _ = store.AddProject(state.Project{ID: "1ab83fbf1b594600bfa618dc33694dd6", Name: "demo"})
//	_ = store.AddToken(state.AuthToken{Token: "secret", ProjectID: "1ab83fbf1b594600bfa618dc33694dd6"})
//	n, _ := store.AddNetwork(state.Network{Name: "private", ProjectID: "1ab83fbf1b594600bfa618dc33694dd6"})
//	_, _ = store.AddSubnet(state.Subnet{NetworkID: n.ID, Name: "private-subnet", CIDR: "10.0.0.0/26"})
//
//	mux := http.NewServeMux()
//	mux.Handle("/networking/", http.StripPrefix("/networking", network.New(store)))
//
// A client finds it in the catalog as type "network" and lists networks
// with GET /networking/v2.0/networks and X-Auth-Token: secret.
//
// # What it serves
//
//   - GET /: the version document (v2.0 CURRENT, linking to
//     <base>/v2.0/), no token needed; <base> is the external URL
//     (WithExternalURL) or the request's scheme and host and the prefix
//     (WithPrefix, "/networking").
//   - GET /v2.0/: the core resources (network, subnet, subnetpool, port).
//   - GET /v2.0/networks, /subnets, /ports (and .../{id}), ".json" suffix
//     or not: filters by any of the resource's filterable attributes,
//     repeatable (ORed), booleans as Neutron converts them, tags, tags-any,
//     not-tags, not-tags-any, the ports' fixed_ips (ip_address=...,
//     subnet_id=...); fields; sort_key/sort_dir; limit, marker and
//     page_reverse with <collection>_links (next and previous).
//     Visibility as Neutron's: a non-admin sees its own networks, shared
//     and external ones; its own subnets and those of shared networks; its
//     own ports and those on its networks. An admin sees everything.
//   - GET /v2.0/extensions (and /{alias}): the extensions whose attributes
//     the records carry.
//   - GET /v2.0/security-groups, security-group-rules, floatingips,
//     routers, subnetpools, address-scopes, trunks: empty lists, as in a
//     cloud without any (their items: the resource's NotFound).
//
// Every /v2.0 request needs X-Auth-Token (keystonemiddleware's 401
// otherwise), checked against the store's tokens by default
// (WithAuthenticator), and every answer below /v2.0 carries
// X-Openstack-Request-Id. Success bodies are compact JSON, as Neutron's
// hooks write them; errors are {"NeutronError": {"type", "message",
// "detail"}}. Creating, changing and deleting are not modelled: POST, PUT
// and DELETE answer 501.
package network
