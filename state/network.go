package state

import (
	"net/netip"
	"slices"
	"strconv"
	"time"
)

// Network is a Neutron network. The zero value of each field is Neutron's
// default: an ACTIVE, administratively up, unshared, internal network with
// port security and an MTU of 1500.
type Network struct {
	// ID is a lowercase dashed UUID; AddNetwork generates one when empty.
	ID string
	// Name need not be unique (clients refuse an ambiguous name).
	Name string
	// ProjectID owns the network; it must be well formed, not known.
	ProjectID   string
	Description string
	// AdminStateDown is admin_state_up false.
	AdminStateDown bool
	// Status is ACTIVE when empty.
	Status string
	// MTU is 1500 (Neutron's DEFAULT_NETWORK_MTU) when 0.
	MTU int
	// Shared networks are shared with every project (an RBAC rule for
	// "*"): they see it, plug servers into it and see its subnets.
	Shared bool
	// External is router:external: every project sees the network, but
	// only an admin may plug a server into it.
	External bool
	// PortSecurityDisabled is port_security_enabled false.
	PortSecurityDisabled bool
	// IsDefault marks the default external network.
	IsDefault bool
	Tags      []string
	// Subnets are the ids of the network's subnets, in the order they
	// were added (read only: AddSubnet adds to it).
	Subnets []string
	// RevisionNumber counts the network's changes; each subnet added
	// counts one.
	RevisionNumber int
	// Created and Updated are stamped from the clock when zero.
	Created, Updated time.Time
}

// DefaultMTU is the MTU of a network created without one (Neutron's
// DEFAULT_NETWORK_MTU).
const DefaultMTU = 1500

// Subnet is a Neutron subnet: a CIDR on a network, with the pools its
// ports' fixed IPs are allocated from.
type Subnet struct {
	// ID is a lowercase dashed UUID; AddSubnet generates one when empty.
	ID   string
	Name string
	// NetworkID is the network the subnet is on.
	NetworkID string
	// ProjectID owns the subnet; "" means the network's project.
	ProjectID   string
	Description string
	// CIDR is the subnet's prefix in its canonical form (10.0.0.0/26,
	// fd00:1::/64).
	CIDR string
	// IPVersion is 4 or 6, the CIDR's (0 means "from the CIDR").
	IPVersion int
	// GatewayIP is the gateway's address; "" means the first address of
	// the CIDR, as Neutron's default, unless NoGateway.
	GatewayIP string
	// NoGateway is gateway_ip null.
	NoGateway bool
	// AllocationPools are the ranges fixed IPs come from; nil means
	// Neutron's default, the whole CIDR but for the network address, the
	// IPv4 broadcast address and the gateway.
	AllocationPools []AllocationPool
	// DHCPDisabled is enable_dhcp false.
	DHCPDisabled   bool
	DNSNameservers []string
	HostRoutes     []HostRoute
	// IPv6RAMode and IPv6AddressMode are "", "slaac", "dhcpv6-stateful"
	// or "dhcpv6-stateless". A port's address on a subnet whose address
	// mode is slaac or dhcpv6-stateless is derived from its MAC (EUI-64;
	// the CIDR must be a /64).
	IPv6RAMode, IPv6AddressMode string
	Tags                        []string
	// RevisionNumber counts the subnet's changes.
	RevisionNumber int
	// Created and Updated are stamped from the clock when zero.
	Created, Updated time.Time
}

// AllocationPool is a range of addresses, both ends included.
type AllocationPool struct {
	Start string `json:"start"` // the first address
	End   string `json:"end"`   // the last address
}

// HostRoute is a route a subnet's DHCP server hands out.
type HostRoute struct {
	Destination string `json:"destination"` // a CIDR
	NextHop     string `json:"nexthop"`     // an address
}

// The IPv6 modes Neutron knows.
const (
	IPv6SLAAC           = "slaac"
	IPv6DHCPv6Stateful  = "dhcpv6-stateful"
	IPv6DHCPv6Stateless = "dhcpv6-stateless"
)

// networkEntry is a stored network with its subnets and the MAC addresses
// of its ports.
type networkEntry struct {
	Network
	subnets []*subnetEntry
	macs    map[string]bool
}

func (n *networkEntry) clone() Network {
	out := n.Network
	out.Tags = slices.Clone(n.Tags)
	out.Subnets = make([]string, len(n.subnets))
	for i, sn := range n.subnets {
		out.Subnets[i] = sn.ID
	}
	return out
}

// subnetEntry is a stored subnet and the state of its address allocation.
type subnetEntry struct {
	Subnet
	prefix  netip.Prefix
	gateway netip.Addr // invalid without one
	pools   []addrRange
	alloc   allocator
}

func (sn *subnetEntry) clone() Subnet {
	out := sn.Subnet
	out.AllocationPools = slices.Clone(sn.AllocationPools)
	out.DNSNameservers = slices.Clone(sn.DNSNameservers)
	out.HostRoutes = slices.Clone(sn.HostRoutes)
	out.Tags = slices.Clone(sn.Tags)
	return out
}

// slaac reports whether ports get their address on the subnet from their
// MAC address rather than from the pools.
func (sn *subnetEntry) slaac() bool {
	return sn.IPVersion == 6 && (sn.IPv6AddressMode == IPv6SLAAC || sn.IPv6AddressMode == IPv6DHCPv6Stateless)
}

// AddNetwork adds a network (without subnets: add them with AddSubnet) and
// returns it as stored.
func (s *Store) AddNetwork(n Network) (Network, error) {
	if n.ID == "" {
		n.ID = newUUID4().String()
	}
	if !ValidUUID(n.ID) {
		return Network{}, &InvalidError{Field: "id", Reason: quote(n.ID) + " is not a lowercase dashed UUID"}
	}
	if !ValidProjectID(n.ProjectID) {
		return Network{}, &InvalidError{Field: "project_id", Reason: quote(n.ProjectID) + " is not 32 lowercase hex digits or a dashed UUID"}
	}
	if len(n.Name) > 255 {
		return Network{}, &InvalidError{Field: "name", Reason: "longer than 255 characters"}
	}
	if n.MTU < 0 {
		return Network{}, &InvalidError{Field: "mtu", Reason: "negative"}
	}
	if n.Status == "" {
		n.Status = "ACTIVE"
	}
	if n.MTU == 0 {
		n.MTU = DefaultMTU
	}
	if n.RevisionNumber == 0 {
		n.RevisionNumber = 1
	}
	if n.Created.IsZero() {
		n.Created = s.clock.Now()
	}
	if n.Updated.IsZero() {
		n.Updated = n.Created
	}
	n.Tags = slices.Clone(n.Tags)
	n.Subnets = nil
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.cat.networks[n.ID]; ok {
		return Network{}, &ConflictError{Kind: "network", ID: n.ID}
	}
	e := &networkEntry{Network: n, macs: map[string]bool{}}
	s.cat.networks[n.ID] = e
	s.catalogChanged()
	s.cat.networkOrder = append(s.cat.networkOrder, e)
	return e.clone(), s.persistNetwork(e)
}

// AddSubnet adds a subnet to its network and returns it as stored, with
// its gateway and pools filled in. Neutron's rules apply: a canonical
// CIDR, a gateway inside it and outside the pools, pools inside the CIDR
// that do not overlap, no CIDR overlapping another subnet of the network,
// IPv6 modes Neutron knows (and a /64 for address autoconfiguration).
func (s *Store) AddSubnet(sn Subnet) (Subnet, error) {
	if sn.ID == "" {
		sn.ID = newUUID4().String()
	}
	if !ValidUUID(sn.ID) {
		return Subnet{}, &InvalidError{Field: "id", Reason: quote(sn.ID) + " is not a lowercase dashed UUID"}
	}
	if sn.ProjectID != "" && !ValidProjectID(sn.ProjectID) {
		return Subnet{}, &InvalidError{Field: "project_id", Reason: quote(sn.ProjectID) + " is not 32 lowercase hex digits or a dashed UUID"}
	}
	sn.Tags = slices.Clone(sn.Tags)
	sn.DNSNameservers = slices.Clone(sn.DNSNameservers)
	sn.HostRoutes = slices.Clone(sn.HostRoutes)
	e, err := newSubnetEntry(sn)
	if err != nil {
		return Subnet{}, err
	}
	now := s.clock.Now()
	if e.Created.IsZero() {
		e.Created = now
	}
	if e.Updated.IsZero() {
		e.Updated = e.Created
	}
	if e.RevisionNumber == 0 {
		e.RevisionNumber = 1
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	n, ok := s.cat.networks[sn.NetworkID]
	if !ok {
		return Subnet{}, &NotFoundError{Kind: "network", ID: sn.NetworkID}
	}
	if _, ok := s.cat.subnets[sn.ID]; ok {
		return Subnet{}, &ConflictError{Kind: "subnet", ID: sn.ID}
	}
	for _, other := range n.subnets {
		if other.prefix.Overlaps(e.prefix) {
			return Subnet{}, &InvalidError{Field: "cidr", Reason: "overlaps " + other.CIDR + " of subnet " + other.ID + " on the same network"}
		}
	}
	if e.ProjectID == "" {
		e.ProjectID = n.ProjectID
	}
	n.subnets = append(n.subnets, e)
	n.RevisionNumber++
	s.cat.subnets[e.ID] = e
	s.catalogChanged()
	s.cat.subnetOrder = append(s.cat.subnetOrder, e)
	return e.clone(), s.persistSubnet(e, n)
}

// newSubnetEntry checks sn's addresses and fills in its defaults.
func newSubnetEntry(sn Subnet) (*subnetEntry, error) {
	prefix, err := netip.ParsePrefix(sn.CIDR)
	if err != nil {
		return nil, &InvalidError{Field: "cidr", Reason: quote(sn.CIDR) + " is not a CIDR"}
	}
	if prefix.Masked() != prefix {
		// Neutron's validate_subnet.
		return nil, &InvalidError{Field: "cidr", Reason: quote(sn.CIDR) + " isn't a recommended CIDR, use " + quote(prefix.Masked().String()) + " instead"}
	}
	version := 4
	if prefix.Addr().Is6() {
		version = 6
	}
	if prefix.Addr().Is4In6() {
		return nil, &InvalidError{Field: "cidr", Reason: quote(sn.CIDR) + " is an IPv4-mapped IPv6 prefix"}
	}
	if sn.IPVersion != 0 && sn.IPVersion != version {
		return nil, &InvalidError{Field: "ip_version", Reason: "the CIDR is IPv" + strconv.Itoa(version)}
	}
	sn.IPVersion = version
	for _, m := range []struct{ field, mode string }{{"ipv6_ra_mode", sn.IPv6RAMode}, {"ipv6_address_mode", sn.IPv6AddressMode}} {
		switch m.mode {
		case "":
		case IPv6SLAAC, IPv6DHCPv6Stateful, IPv6DHCPv6Stateless:
			if version != 6 {
				return nil, &InvalidError{Field: m.field, Reason: "set on an IPv4 subnet"}
			}
		default:
			return nil, &InvalidError{Field: m.field, Reason: quote(m.mode) + " is not slaac, dhcpv6-stateful or dhcpv6-stateless"}
		}
	}
	if sn.IPv6RAMode != "" && sn.IPv6AddressMode != "" && sn.IPv6RAMode != sn.IPv6AddressMode {
		return nil, &InvalidError{Field: "ipv6_ra_mode", Reason: "differs from ipv6_address_mode"}
	}
	e := &subnetEntry{Subnet: sn, prefix: prefix}
	if e.slaac() && prefix.Bits() != 64 {
		return nil, &InvalidError{Field: "cidr", Reason: "address autoconfiguration needs a /64"}
	}
	first, _ := prefixRange(prefix)
	switch {
	case sn.NoGateway:
		e.GatewayIP = ""
	case sn.GatewayIP == "":
		if version == 4 && prefix.Bits() >= 31 {
			e.NoGateway = true
		} else {
			e.gateway = first.Next()
			e.GatewayIP = e.gateway.String()
		}
	default:
		gw, err := netip.ParseAddr(sn.GatewayIP)
		if err != nil || !prefix.Contains(gw) {
			return nil, &InvalidError{Field: "gateway_ip", Reason: quote(sn.GatewayIP) + " is not an address in " + sn.CIDR}
		}
		e.gateway = gw
		e.GatewayIP = gw.String()
	}
	if sn.AllocationPools == nil {
		e.pools = defaultPools(prefix, e.gateway)
	} else {
		e.pools, err = parsePools(sn.AllocationPools, prefix, e.gateway)
		if err != nil {
			return nil, err
		}
	}
	e.AllocationPools = make([]AllocationPool, len(e.pools))
	for i, r := range e.pools {
		e.AllocationPools[i] = AllocationPool{Start: r.start.String(), End: r.end.String()}
	}
	e.alloc = newAllocator(e.pools)
	for i, d := range sn.DNSNameservers {
		a, err := netip.ParseAddr(d)
		if err != nil {
			return nil, &InvalidError{Field: "dns_nameservers", Reason: quote(d) + " is not an address"}
		}
		e.DNSNameservers[i] = a.String()
	}
	for _, r := range sn.HostRoutes {
		if _, err := netip.ParsePrefix(r.Destination); err != nil {
			return nil, &InvalidError{Field: "host_routes", Reason: quote(r.Destination) + " is not a CIDR"}
		}
		if _, err := netip.ParseAddr(r.NextHop); err != nil {
			return nil, &InvalidError{Field: "host_routes", Reason: quote(r.NextHop) + " is not an address"}
		}
	}
	return e, nil
}

// Network returns the network with the given id, whoever may see it.
func (s *Store) Network(id string) (Network, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	e, ok := s.cat.networks[id]
	if !ok {
		return Network{}, &NotFoundError{Kind: "network", ID: id}
	}
	return e.clone(), nil
}

// Networks returns every network, in the order they were added.
func (s *Store) Networks() []Network {
	return s.ListNetworks(Viewer{Admin: true})
}

// NetworkFor returns the network with the given id if v may see it (see
// ListNetworks); any other is a *NotFoundError.
func (s *Store) NetworkFor(id string, v Viewer) (Network, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	e, ok := s.cat.networks[id]
	if !ok || !networkVisible(e, v) {
		return Network{}, &NotFoundError{Kind: "network", ID: id}
	}
	return e.clone(), nil
}

// ListNetworks returns the networks v may see, in the order they were
// added, as Neutron's query hooks select them: an admin every network,
// others their own, the shared ones and the external ones.
func (s *Store) ListNetworks(v Viewer) []Network {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]Network, 0, len(s.cat.networkOrder))
	for _, e := range s.cat.networkOrder {
		if networkVisible(e, v) {
			out = append(out, e.clone())
		}
	}
	return out
}

func networkVisible(n *networkEntry, v Viewer) bool {
	return v.Admin || n.Shared || n.External || v.ProjectID != "" && n.ProjectID == v.ProjectID
}

// AvailableNetworks returns the networks Nova would pick from for a server
// of project that asks for none (or "auto"), as nova.network.neutron's
// _get_available_networks lists them: the project's own unshared
// networks, then the shared ones.
func (s *Store) AvailableNetworks(project string) []Network {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var own, shared []Network
	for _, e := range s.cat.networkOrder {
		switch {
		case e.Shared:
			shared = append(shared, e.clone())
		case e.ProjectID == project:
			own = append(own, e.clone())
		}
	}
	return append(own, shared...)
}

// Subnet returns the subnet with the given id, whoever may see it.
func (s *Store) Subnet(id string) (Subnet, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	e, ok := s.cat.subnets[id]
	if !ok {
		return Subnet{}, &NotFoundError{Kind: "subnet", ID: id}
	}
	return e.clone(), nil
}

// Subnets returns every subnet, in the order they were added.
func (s *Store) Subnets() []Subnet { return s.ListSubnets(Viewer{Admin: true}) }

// SubnetFor returns the subnet with the given id if v may see it (see
// ListSubnets); any other is a *NotFoundError.
func (s *Store) SubnetFor(id string, v Viewer) (Subnet, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	e, ok := s.cat.subnets[id]
	if !ok || !s.subnetVisible(e, v) {
		return Subnet{}, &NotFoundError{Kind: "subnet", ID: id}
	}
	return e.clone(), nil
}

// ListSubnets returns the subnets v may see, in the order they were added:
// an admin every subnet, others their own and those of shared networks
// (not those of an external network: Neutron shares an external network,
// not its subnets).
func (s *Store) ListSubnets(v Viewer) []Subnet {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]Subnet, 0, len(s.cat.subnetOrder))
	for _, e := range s.cat.subnetOrder {
		if s.subnetVisible(e, v) {
			out = append(out, e.clone())
		}
	}
	return out
}

func (s *Store) subnetVisible(sn *subnetEntry, v Viewer) bool {
	if v.Admin || v.ProjectID != "" && sn.ProjectID == v.ProjectID {
		return true
	}
	n := s.cat.networks[sn.NetworkID]
	return n != nil && n.Shared
}
