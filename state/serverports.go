package state

import (
	"net/netip"
	"slices"
	"time"
)

// NetworkRequest is one item of a server create's "networks": a new port
// on a network (with a fixed IP, or any), or an existing port to bind.
type NetworkRequest struct {
	// NetworkID is the network a new port goes on; ignored with PortID.
	NetworkID string
	// FixedIP, when set, is the address the new port gets.
	FixedIP string
	// PortID, when set, is an existing, unbound port of the caller's to
	// give to the server; it is kept when the server is deleted.
	PortID string
}

// CheckNetworkRequests checks a server create's networks as Nova's API does
// with Neutron before it accepts the server (validate_networks), without
// changing anything. Its errors:
//
//   - *NotFoundError of kind "network" or "port": missing, or not visible
//     to v (Nova's NetworkNotFound, PortNotFound).
//   - *ForbiddenError of kind "external network": a non-admin asking for
//     an external network (Nova's ExternalNetworkAttachForbidden).
//   - *NoSubnetError: the network has no subnet (NetworkRequiresSubnet).
//   - *InUseError of kind "port": the port is bound (PortInUse); of kind
//     "ip address": the fixed IP is taken (FixedIpAlreadyInUse, with the
//     DeviceID holding it).
//   - *InvalidError of field "fixed_ip": not an address of any of the
//     network's subnets (Nova's FixedIpInvalidOnHost path).
func (s *Store) CheckNetworkRequests(v Viewer, reqs []NetworkRequest) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	_, err := s.checkNetworkRequests(v, reqs)
	return err
}

// checkNetworkRequests checks reqs and returns the network of each; s.mu
// is held.
func (s *Store) checkNetworkRequests(v Viewer, reqs []NetworkRequest) ([]*networkEntry, error) {
	nets := make([]*networkEntry, len(reqs))
	for i, r := range reqs {
		if r.PortID != "" {
			p, ok := s.cat.ports[r.PortID]
			if !ok || !s.portVisible(p, v) {
				return nil, &NotFoundError{Kind: "port", ID: r.PortID}
			}
			if p.DeviceID != "" {
				return nil, &InUseError{Kind: "port", ID: p.ID, NetworkID: p.NetworkID, DeviceID: p.DeviceID}
			}
			nets[i] = s.cat.networks[p.NetworkID]
			continue
		}
		n, ok := s.cat.networks[r.NetworkID]
		if !ok || !networkVisible(n, v) {
			return nil, &NotFoundError{Kind: "network", ID: r.NetworkID}
		}
		if n.External && !v.Admin && n.ProjectID != v.ProjectID {
			return nil, &ForbiddenError{Kind: "external network", ID: n.ID}
		}
		if len(n.subnets) == 0 {
			return nil, &NoSubnetError{NetworkID: n.ID}
		}
		if r.FixedIP != "" {
			addr, err := netip.ParseAddr(r.FixedIP)
			var in *subnetEntry
			if err == nil {
				for _, sn := range n.subnets {
					if sn.prefix.Contains(addr) {
						in = sn
						break
					}
				}
			}
			if in == nil {
				return nil, &InvalidError{Field: "fixed_ip", Reason: quote(r.FixedIP) + " is not a valid IP for any of the subnets on network " + n.ID}
			}
			if holder, used := in.alloc.used[addr]; used {
				return nil, &InUseError{Kind: "ip address", ID: addr.String(), NetworkID: n.ID, DeviceID: s.deviceOf(holder)}
			}
		}
		nets[i] = n
	}
	return nets, nil
}

// AllocatePorts gives a server its ports, as Nova's allocate_for_instance
// does: a new port (owned by the server's project, device_owner
// DeviceOwnerCompute) on each requested network, or the requested
// existing port bound to it. It is all or nothing: on error (those of
// CheckNetworkRequests, for viewer v, or an *ExhaustedError) no port is
// made or bound.
func (s *Store) AllocatePorts(serverID string, v Viewer, reqs []NetworkRequest) ([]Port, error) {
	e, now, err := s.lockServer(serverID)
	defer s.mu.Unlock()
	if err != nil {
		return nil, err
	}
	entries, err := s.allocatePorts(&e.Server, v, reqs, now)
	if err != nil {
		return nil, err
	}
	out := make([]Port, len(entries))
	for i, p := range entries {
		out[i] = p.clone()
	}
	return out, s.persistPorts(entries...)
}

// allocatePorts does AllocatePorts for srv; s.mu is held for writing.
func (s *Store) allocatePorts(srv *Server, v Viewer, reqs []NetworkRequest, now time.Time) ([]*portEntry, error) {
	if _, err := s.checkNetworkRequests(v, reqs); err != nil {
		return nil, err
	}
	prior := slices.Clone(s.cat.byDevice[srv.ID])
	var made []*portEntry
	for _, r := range reqs {
		if r.PortID != "" {
			continue
		}
		p := Port{NetworkID: r.NetworkID, ProjectID: srv.ProjectID, DeviceID: srv.ID, DeviceOwner: DeviceOwnerCompute}
		if r.FixedIP != "" {
			p.FixedIPs = []FixedIP{{IPAddress: r.FixedIP}}
		}
		e, err := s.addPort(p, now)
		if err != nil {
			for _, m := range made {
				s.removePort(m)
			}
			return nil, err
		}
		made = append(made, e)
	}
	var out []*portEntry
	next := 0
	for _, r := range reqs {
		if r.PortID == "" {
			out = append(out, made[next])
			next++
			continue
		}
		e := s.cat.ports[r.PortID]
		e.DeviceID, e.DeviceOwner, e.Status = srv.ID, DeviceOwnerCompute, PortActive
		e.PreserveOnDelete = true
		e.RevisionNumber++
		e.Updated = now
		s.cat.byDevice[srv.ID] = append(s.cat.byDevice[srv.ID], e)
		out = append(out, e)
	}
	// The index lists the server's ports in request order, after those
	// it had before.
	s.cat.byDevice[srv.ID] = append(prior, out...)
	s.catalogChanged()
	return out, nil
}

// ServerAddress is a fixed IP of one of a server's ports.
type ServerAddress struct {
	Version int    // 4 or 6
	Addr    string // the address
	MAC     string // the port's MAC address
}

// ServerNetwork is a server's addresses on the networks of one name.
type ServerNetwork struct {
	Name      string          // the network's name (Nova's label)
	Addresses []ServerAddress // in the order of the server's ports
}

// ServerAddresses returns a server's fixed IPs as Nova's network info
// cache groups them (common.get_networks_for_instance_from_nw_info): by
// network name, each name once at the place of its first port, the ports
// in the order they were bound. A server without ports has none.
func (s *Store) ServerAddresses(serverID string) []ServerNetwork {
	s.rlock()
	defer s.mu.RUnlock()
	ports := s.cat.byDevice[serverID]
	if len(ports) == 0 {
		return nil
	}
	out := make([]ServerNetwork, 0, 1)
	for _, p := range ports {
		name := ""
		if n := s.cat.networks[p.NetworkID]; n != nil {
			name = n.Name
		}
		i := 0
		for i < len(out) && out[i].Name != name {
			i++
		}
		if i == len(out) {
			out = append(out, ServerNetwork{Name: name})
		}
		for _, ip := range p.FixedIPs {
			version := 4
			if sn := s.cat.subnets[ip.SubnetID]; sn != nil {
				version = sn.IPVersion
			} else if a, err := netip.ParseAddr(ip.IPAddress); err == nil && a.Is6() {
				version = 6
			}
			out[i].Addresses = append(out[i].Addresses, ServerAddress{Version: version, Addr: ip.IPAddress, MAC: p.MACAddress})
		}
	}
	return out
}
