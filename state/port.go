package state

import (
	"net"
	"net/netip"
	"slices"
	"time"

	"github.com/novastub/novastub/internal/uuid4"
)

// DeviceOwnerCompute is the device_owner Nova gives the ports of a server
// ("compute:" and the server's availability zone, Nova's default "nova").
const DeviceOwnerCompute = "compute:nova"

// Port is a Neutron port: a MAC address and fixed IPs on a network,
// bound to a device (a server) or not.
type Port struct {
	// ID is a lowercase dashed UUID; AddPort generates one when empty.
	ID          string
	Name        string
	NetworkID   string // the network the port is on
	ProjectID   string // its owner; "" means the network's project
	Description string
	// MACAddress is the port's MAC in lowercase colon form; AddPort
	// generates one under Neutron's base_mac, fa:16:3e, when empty.
	MACAddress string
	// FixedIPs are the port's addresses. AddPort allocates them when
	// empty: one IPv4 address from the first IPv4 subnet with room, one
	// IPv6 address from the first stateful IPv6 subnet with room, and the
	// EUI-64 address on every SLAAC subnet. A FixedIP with a SubnetID
	// and no address is allocated on that subnet.
	FixedIPs []FixedIP
	// DeviceID is the server (or router, ...) the port is bound to;
	// DeviceOwner says what it is (DeviceOwnerCompute for a server).
	DeviceID, DeviceOwner string
	// Status is ACTIVE for a bound port and DOWN otherwise.
	Status string
	// AdminStateDown is admin_state_up false.
	AdminStateDown bool
	// PreserveOnDelete marks a port that was given to a server rather
	// than made for it (Nova's preserve_on_delete): when the server goes,
	// such a port is unbound and kept, the others are deleted.
	PreserveOnDelete bool
	Tags             []string
	// RevisionNumber counts the port's changes.
	RevisionNumber int
	// Created and Updated are stamped from the clock when zero.
	Created, Updated time.Time
}

// FixedIP is an address of a port on one of its network's subnets.
type FixedIP struct {
	SubnetID  string `json:"subnet_id"`  // the subnet the address is on
	IPAddress string `json:"ip_address"` // the address
}

// Neutron's port statuses.
const (
	PortActive = "ACTIVE"
	PortDown   = "DOWN"
)

type portEntry struct {
	Port
	removed bool
}

func (p *portEntry) clone() Port {
	out := p.Port
	out.FixedIPs = slices.Clone(p.FixedIPs)
	out.Tags = slices.Clone(p.Tags)
	return out
}

// AddPort adds a port and returns it as stored, with its MAC address and
// fixed IPs allocated when not given (see Port). A MAC or an address
// already used on the network is an *InUseError; a network without a free
// address an *ExhaustedError.
func (s *Store) AddPort(p Port) (Port, error) {
	now := s.clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	e, err := s.addPort(p, now)
	if err != nil {
		return Port{}, err
	}
	return e.clone(), s.persistPorts(e)
}

// addPort adds a port; s.mu is held for writing. On error nothing changed.
func (s *Store) addPort(p Port, now time.Time) (*portEntry, error) {
	if p.ID == "" {
		p.ID = newUUID4().String()
	}
	if !ValidUUID(p.ID) {
		return nil, &InvalidError{Field: "id", Reason: quote(p.ID) + " is not a lowercase dashed UUID"}
	}
	if _, ok := s.cat.ports[p.ID]; ok {
		return nil, &ConflictError{Kind: "port", ID: p.ID}
	}
	n, ok := s.cat.networks[p.NetworkID]
	if !ok {
		return nil, &NotFoundError{Kind: "network", ID: p.NetworkID}
	}
	if p.ProjectID == "" {
		p.ProjectID = n.ProjectID
	}
	if !ValidProjectID(p.ProjectID) {
		return nil, &InvalidError{Field: "project_id", Reason: quote(p.ProjectID) + " is not 32 lowercase hex digits or a dashed UUID"}
	}
	if p.MACAddress == "" {
		p.MACAddress = newMAC(n.macs)
	} else {
		hw, err := net.ParseMAC(p.MACAddress)
		if err != nil || len(hw) != 6 {
			return nil, &InvalidError{Field: "mac_address", Reason: quote(p.MACAddress) + " is not a MAC address"}
		}
		p.MACAddress = hw.String()
		if n.macs[p.MACAddress] {
			return nil, &InUseError{Kind: "mac address", ID: p.MACAddress, NetworkID: n.ID}
		}
	}
	ips, err := s.assignIPs(n, p.ID, p.MACAddress, p.FixedIPs)
	if err != nil {
		return nil, err
	}
	p.FixedIPs = ips
	p.Tags = slices.Clone(p.Tags)
	p.Status = PortDown
	if p.DeviceID != "" {
		p.Status = PortActive
	}
	if p.RevisionNumber == 0 {
		p.RevisionNumber = 1
	}
	if p.Created.IsZero() {
		p.Created = now
	}
	if p.Updated.IsZero() {
		p.Updated = p.Created
	}
	e := &portEntry{Port: p}
	n.macs[p.MACAddress] = true
	s.cat.ports[p.ID] = e
	s.catalogChanged()
	s.cat.portOrder = append(s.cat.portOrder, e)
	if p.DeviceID != "" {
		s.cat.byDevice[p.DeviceID] = append(s.cat.byDevice[p.DeviceID], e)
	}
	return e, nil
}

// newMAC returns a random MAC under Neutron's base_mac (fa:16:3e) that
// the network does not use yet.
func newMAC(used map[string]bool) string {
	for {
		r := uint32(uuid4.Uint64())
		mac := net.HardwareAddr{0xfa, 0x16, 0x3e, byte(r >> 16), byte(r >> 8), byte(r)}.String()
		if !used[mac] {
			return mac
		}
	}
}

// assignIPs takes the addresses a new port asks for (want), or allocates
// its default ones, on network n; s.mu is held. On error it takes nothing.
func (s *Store) assignIPs(n *networkEntry, port, mac string, want []FixedIP) ([]FixedIP, error) {
	var got []FixedIP
	var taken []struct {
		sn   *subnetEntry
		addr netip.Addr
	}
	take := func(sn *subnetEntry, addr netip.Addr) {
		sn.alloc.take(addr, port)
		taken = append(taken, struct {
			sn   *subnetEntry
			addr netip.Addr
		}{sn, addr})
		got = append(got, FixedIP{SubnetID: sn.ID, IPAddress: addr.String()})
	}
	fail := func(err error) ([]FixedIP, error) {
		for _, t := range taken {
			t.sn.alloc.release(t.addr)
		}
		return nil, err
	}
	if len(want) == 0 {
		var v4, v6, needV4, needV6 bool
		for _, sn := range n.subnets {
			switch {
			case sn.slaac():
				addr, _ := eui64(sn.prefix, mac)
				if holder, used := sn.alloc.used[addr]; used {
					return fail(&InUseError{Kind: "ip address", ID: addr.String(), NetworkID: n.ID, DeviceID: s.deviceOf(holder)})
				}
				take(sn, addr)
			case sn.IPVersion == 4:
				needV4 = true
				if !v4 {
					if addr, ok := sn.alloc.allocate(port); ok {
						sn.alloc.release(addr)
						take(sn, addr)
						v4 = true
					}
				}
			default:
				needV6 = true
				if !v6 {
					if addr, ok := sn.alloc.allocate(port); ok {
						sn.alloc.release(addr)
						take(sn, addr)
						v6 = true
					}
				}
			}
		}
		if needV4 && !v4 || needV6 && !v6 {
			return fail(&ExhaustedError{NetworkID: n.ID})
		}
		return got, nil
	}
	for _, w := range want {
		var sn *subnetEntry
		if w.SubnetID != "" {
			sn = s.cat.subnets[w.SubnetID]
			if sn == nil || sn.NetworkID != n.ID {
				return fail(&NotFoundError{Kind: "subnet", ID: w.SubnetID})
			}
		}
		if w.IPAddress == "" {
			if sn == nil {
				return fail(&InvalidError{Field: "fixed_ips", Reason: "an item needs a subnet_id or an ip_address"})
			}
			if sn.slaac() {
				addr, _ := eui64(sn.prefix, mac)
				take(sn, addr)
				continue
			}
			addr, ok := sn.alloc.allocate(port)
			if !ok {
				return fail(&ExhaustedError{NetworkID: n.ID})
			}
			sn.alloc.release(addr)
			take(sn, addr)
			continue
		}
		addr, err := netip.ParseAddr(w.IPAddress)
		if err != nil || addr.Zone() != "" {
			return fail(&InvalidError{Field: "fixed_ips", Reason: quote(w.IPAddress) + " is not an IP address"})
		}
		if sn == nil {
			for _, c := range n.subnets {
				if c.prefix.Contains(addr) {
					sn = c
					break
				}
			}
		}
		if sn == nil || !sn.prefix.Contains(addr) {
			return fail(&InvalidError{Field: "fixed_ips", Reason: addr.String() + " is not a valid IP for any of the subnets on network " + n.ID})
		}
		first, last := prefixRange(sn.prefix)
		if addr.Is4() && sn.prefix.Bits() < 31 && (addr == first || addr == last) {
			return fail(&InvalidError{Field: "fixed_ips", Reason: addr.String() + " is the network or broadcast address of " + sn.CIDR})
		}
		if addr == sn.gateway {
			return fail(&InUseError{Kind: "ip address", ID: addr.String(), NetworkID: n.ID})
		}
		if holder, used := sn.alloc.used[addr]; used {
			return fail(&InUseError{Kind: "ip address", ID: addr.String(), NetworkID: n.ID, DeviceID: s.deviceOf(holder)})
		}
		for _, t := range taken {
			if t.addr == addr {
				return fail(&InUseError{Kind: "ip address", ID: addr.String(), NetworkID: n.ID})
			}
		}
		take(sn, addr)
	}
	return got, nil
}

// deviceOf returns the device_id of the port with the given id.
func (s *Store) deviceOf(port string) string {
	if e := s.cat.ports[port]; e != nil {
		return e.DeviceID
	}
	return ""
}

// Port returns the port with the given id, whoever may see it.
func (s *Store) Port(id string) (Port, error) {
	s.rlock() // a server deleted by now has let its ports go
	defer s.mu.RUnlock()
	e, ok := s.cat.ports[id]
	if !ok {
		return Port{}, &NotFoundError{Kind: "port", ID: id}
	}
	return e.clone(), nil
}

// Ports returns every port, in the order they were added.
func (s *Store) Ports() []Port { return s.ListPorts(Viewer{Admin: true}) }

// PortFor returns the port with the given id if v may see it (see
// ListPorts); any other is a *NotFoundError.
func (s *Store) PortFor(id string, v Viewer) (Port, error) {
	s.rlock() // a server deleted by now has let its ports go
	defer s.mu.RUnlock()
	e, ok := s.cat.ports[id]
	if !ok || !s.portVisible(e, v) {
		return Port{}, &NotFoundError{Kind: "port", ID: id}
	}
	return e.clone(), nil
}

// ListPorts returns the ports v may see, in the order they were added: an
// admin every port, others their own and those on their networks.
func (s *Store) ListPorts(v Viewer) []Port {
	s.rlock() // a server deleted by now has let its ports go
	defer s.mu.RUnlock()
	out := make([]Port, 0, len(s.cat.ports))
	for _, e := range s.cat.portOrder {
		if !e.removed && s.portVisible(e, v) {
			out = append(out, e.clone())
		}
	}
	return out
}

func (s *Store) portVisible(p *portEntry, v Viewer) bool {
	if v.Admin || v.ProjectID != "" && p.ProjectID == v.ProjectID {
		return true
	}
	n := s.cat.networks[p.NetworkID]
	return n != nil && v.ProjectID != "" && n.ProjectID == v.ProjectID
}

// ServerPorts returns the ports bound to a device (a server's id), in the
// order they were bound: what Nova's network info cache, and so the
// server's addresses, are made of. It is a map lookup.
func (s *Store) ServerPorts(deviceID string) []Port {
	s.rlock() // a server deleted by now has let its ports go
	defer s.mu.RUnlock()
	entries := s.cat.byDevice[deviceID]
	out := make([]Port, len(entries))
	for i, e := range entries {
		out[i] = e.clone()
	}
	return out
}

// RemovePort deletes a port and frees its addresses.
func (s *Store) RemovePort(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.cat.ports[id]
	if !ok {
		return &NotFoundError{Kind: "port", ID: id}
	}
	s.removePort(e)
	return s.persistPortRemoved(id)
}

// removePort deletes e; s.mu is held for writing.
func (s *Store) removePort(e *portEntry) {
	if n := s.cat.networks[e.NetworkID]; n != nil {
		delete(n.macs, e.MACAddress)
	}
	for _, ip := range e.FixedIPs {
		if sn := s.cat.subnets[ip.SubnetID]; sn != nil {
			if addr, err := netip.ParseAddr(ip.IPAddress); err == nil {
				sn.alloc.release(addr)
			}
		}
	}
	s.unbindIndex(e)
	delete(s.cat.ports, e.ID)
	s.catalogChanged()
	e.removed = true
	s.cat.portsRemoved++
	if s.cat.portsRemoved > len(s.cat.portOrder)/2 {
		kept := s.cat.portOrder[:0]
		for _, p := range s.cat.portOrder {
			if !p.removed {
				kept = append(kept, p)
			}
		}
		clear(s.cat.portOrder[len(kept):])
		s.cat.portOrder, s.cat.portsRemoved = kept, 0
	}
}

// unbindIndex removes e from the index of its device.
func (s *Store) unbindIndex(e *portEntry) {
	if e.DeviceID == "" {
		return
	}
	s.catalogChanged()
	list := s.cat.byDevice[e.DeviceID]
	if i := slices.Index(list, e); i >= 0 {
		list = slices.Delete(list, i, i+1)
	}
	if len(list) == 0 {
		delete(s.cat.byDevice, e.DeviceID)
	} else {
		s.cat.byDevice[e.DeviceID] = list
	}
}

// releaseServerPorts does what Nova's deallocate_for_instance does when a
// server is deleted: its ports are deleted, but those given to it
// (PreserveOnDelete), which are unbound and kept. s.mu is held for writing.
func (s *Store) releaseServerPorts(serverID string, now time.Time) {
	for _, e := range slices.Clone(s.cat.byDevice[serverID]) {
		if !e.PreserveOnDelete {
			s.removePort(e)
			continue
		}
		s.unbindIndex(e)
		e.DeviceID, e.DeviceOwner, e.Status = "", "", PortDown
		e.PreserveOnDelete = false
		e.RevisionNumber++
		e.Updated = now
	}
}
