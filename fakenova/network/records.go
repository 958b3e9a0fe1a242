package network

import (
	"slices"
	"strconv"
	"time"

	"github.com/novastub/novastub/internal/pyjson"
	"github.com/novastub/novastub/state"
)

// kind is the type of an attribute's value.
type kind uint8

const (
	kStr     kind = iota // a string
	kNullStr             // a string, null when empty
	kBool                // a boolean
	kInt                 // an integer
	kStrs                // a list of strings
	kRaw                 // JSON written beforehand (a list of objects)
	kTime                // a timestamp, YYYY-MM-DDTHH:MM:SSZ
)

// val is an attribute's value in a record.
type val struct {
	k    kind
	b    bool
	s    string // a string, or raw JSON
	n    int64  // an integer, or a time in Unix seconds
	list []string
}

// attr is an attribute of a resource: its name, and whether a list may
// filter (is_filter) and sort (is_sort_key) by it.
type attr struct {
	name         string
	filter, sort bool
}

// resource is a Neutron resource the service lists: its attributes in the
// order Neutron writes them (the plugin's _make_*_dict, then the ML2/OVN
// extensions, then tenant_id where populate_project_info adds it).
type resource struct {
	collection, member string
	attrs              []attr
	keys               [][]byte // each attribute's `"name":`, quoted once
	index              map[string]int
	// extraFilters are valid filters that are not attributes shown (the
	// admin-only provider and binding attributes, tags): filtering by
	// one of them keeps nothing but the tag filters, handled apart.
	extraFilters map[string]bool
}

func newResource(collection, member string, extra []string, attrs ...attr) *resource {
	r := &resource{collection: collection, member: member, attrs: attrs, index: map[string]int{},
		extraFilters: map[string]bool{"tags": true, "tags-any": true, "not-tags": true, "not-tags-any": true}}
	for i, a := range attrs {
		r.index[a.name] = i
		r.keys = append(r.keys, append(pyjson.AppendString(nil, a.name), ':'))
	}
	for _, e := range extra {
		r.extraFilters[e] = true
	}
	return r
}

// record is one object's values, parallel to its resource's attrs.
type record []val

func str(s string) val          { return val{k: kStr, s: s} }
func nullStr(s string) val      { return val{k: kNullStr, s: s} }
func boolean(b bool) val        { return val{k: kBool, b: b} }
func integer(n int) val         { return val{k: kInt, n: int64(n)} }
func strs(l []string) val       { return val{k: kStrs, list: l} }
func raw(b []byte) val          { return val{k: kRaw, s: string(b)} }
func timestamp(t time.Time) val { return val{k: kTime, n: t.Unix()} }

// fa is a filterable, sortable attribute; f a filterable one; a a plain one.
func fa(name string) attr { return attr{name, true, true} }
func f(name string) attr  { return attr{name, true, false} }
func a(name string) attr  { return attr{name, false, false} }

var networks = newResource("networks", "network",
	[]string{"provider:network_type", "provider:physical_network", "provider:segmentation_id"},
	fa("id"), fa("name"), fa("tenant_id"), fa("project_id"), fa("admin_state_up"), fa("mtu"), fa("status"),
	a("subnets"), fa("shared"), a("availability_zone_hints"), a("availability_zones"), a("ipv4_address_scope"),
	a("ipv6_address_scope"), fa("router:external"), fa("description"), f("port_security_enabled"),
	f("is_default"), a("tags"), fa("created_at"), fa("updated_at"), fa("revision_number"))

func networkRecord(n *state.Network) record {
	status := n.Status
	return record{str(n.ID), str(n.Name), str(n.ProjectID), str(n.ProjectID), boolean(!n.AdminStateDown),
		integer(n.MTU), str(status), strs(n.Subnets), boolean(n.Shared), strs(nil), strs(nil), nullStr(""),
		nullStr(""), boolean(n.External), str(n.Description), boolean(!n.PortSecurityDisabled),
		boolean(n.IsDefault), strs(n.Tags), timestamp(n.Created), timestamp(n.Updated), integer(n.RevisionNumber)}
}

var subnets = newResource("subnets", "subnet", []string{"segment_id"},
	fa("id"), fa("name"), fa("project_id"), fa("network_id"), fa("ip_version"), fa("subnetpool_id"),
	fa("enable_dhcp"), fa("ipv6_ra_mode"), fa("ipv6_address_mode"), fa("gateway_ip"), fa("cidr"),
	a("allocation_pools"), a("host_routes"), a("dns_nameservers"), fa("description"), a("service_types"),
	a("tags"), fa("created_at"), fa("updated_at"), fa("revision_number"), f("router:external"), fa("tenant_id"))

func subnetRecord(sn *state.Subnet, external bool) record {
	pools := appendObjects(nil, "start", "end", len(sn.AllocationPools), func(i int) (string, string) {
		return sn.AllocationPools[i].Start, sn.AllocationPools[i].End
	})
	routes := appendObjects(nil, "destination", "nexthop", len(sn.HostRoutes), func(i int) (string, string) {
		return sn.HostRoutes[i].Destination, sn.HostRoutes[i].NextHop
	})
	gateway := sn.GatewayIP
	if sn.NoGateway {
		gateway = ""
	}
	return record{str(sn.ID), str(sn.Name), str(sn.ProjectID), str(sn.NetworkID), integer(sn.IPVersion),
		nullStr(""), boolean(!sn.DHCPDisabled), nullStr(sn.IPv6RAMode), nullStr(sn.IPv6AddressMode),
		nullStr(gateway), str(sn.CIDR), raw(pools), raw(routes), strs(sn.DNSNameservers), str(sn.Description),
		strs(nil), strs(sn.Tags), timestamp(sn.Created), timestamp(sn.Updated), integer(sn.RevisionNumber),
		boolean(external), str(sn.ProjectID)}
}

var ports = newResource("ports", "port", []string{"binding:host_id", "ip_allocation"},
	fa("id"), fa("name"), fa("network_id"), fa("project_id"), fa("mac_address"), fa("admin_state_up"),
	fa("status"), fa("device_id"), fa("device_owner"), f("fixed_ips"), a("allowed_address_pairs"),
	a("extra_dhcp_opts"), f("security_groups"), fa("description"), f("binding:vnic_type"),
	f("port_security_enabled"), a("tags"), fa("created_at"), fa("updated_at"), fa("revision_number"),
	fa("tenant_id"))

func portRecord(p *state.Port, portSecurity bool) record {
	ips := appendObjects(nil, "subnet_id", "ip_address", len(p.FixedIPs), func(i int) (string, string) {
		return p.FixedIPs[i].SubnetID, p.FixedIPs[i].IPAddress
	})
	return record{str(p.ID), str(p.Name), str(p.NetworkID), str(p.ProjectID), str(p.MACAddress),
		boolean(!p.AdminStateDown), str(p.Status), str(p.DeviceID), str(p.DeviceOwner), raw(ips),
		raw([]byte("[]")), raw([]byte("[]")), strs(nil), str(p.Description), str("normal"),
		boolean(portSecurity), strs(p.Tags), timestamp(p.Created), timestamp(p.Updated),
		integer(p.RevisionNumber), str(p.ProjectID)}
}

// appendObjects writes n objects of two string members, k1 and k2, as a
// compact list: [{"<k1>":"...","<k2>":"..."},...], the values of the i-th
// from pair(i).
func appendObjects(b []byte, k1, k2 string, n int, pair func(i int) (string, string)) []byte {
	b = append(b, '[')
	for i := 0; i < n; i++ {
		if i > 0 {
			b = append(b, ',')
		}
		v1, v2 := pair(i)
		b = append(append(append(b, `{"`...), k1...), `":`...)
		b = pyjson.AppendString(b, v1)
		b = append(append(append(b, `,"`...), k2...), `":`...)
		b = pyjson.AppendString(b, v2)
		b = append(b, '}')
	}
	return append(b, ']')
}

// appendRecord writes rec compactly, only the attributes in fields when
// fields is not nil.
func appendRecord(b []byte, res *resource, rec record, fields []string) []byte {
	b = append(b, '{')
	first := true
	for i, at := range res.attrs {
		if fields != nil && !slices.Contains(fields, at.name) {
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = append(b, res.keys[i]...)
		b = appendVal(b, rec[i])
	}
	return append(b, '}')
}

func appendVal(b []byte, v val) []byte {
	switch v.k {
	case kStr:
		return pyjson.AppendString(b, v.s)
	case kNullStr:
		if v.s == "" {
			return append(b, "null"...)
		}
		return pyjson.AppendString(b, v.s)
	case kBool:
		if v.b {
			return append(b, "true"...)
		}
		return append(b, "false"...)
	case kInt:
		return strconv.AppendInt(b, v.n, 10)
	case kTime:
		b = append(b, '"')
		b = time.Unix(v.n, 0).UTC().AppendFormat(b, "2006-01-02T15:04:05Z")
		return append(b, '"')
	case kStrs:
		b = append(b, '[')
		for i, s := range v.list {
			if i > 0 {
				b = append(b, ',')
			}
			b = pyjson.AppendString(b, s)
		}
		return append(b, ']')
	}
	return append(b, v.s...)
}
