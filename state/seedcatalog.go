package state

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// The seed file's catalog sections: images, flavors, networks (with their
// subnets) and ports, with the names the OpenStack APIs give their fields.

// SeedImage is an image in a seed file (see Image for the defaults).
type SeedImage struct {
	ID              string            `json:"id,omitempty"`               // a lowercase dashed UUID; generated when left out
	Name            string            `json:"name"`                       // the image's name
	Status          string            `json:"status,omitempty"`           // Glance's status; left out, active
	Visibility      string            `json:"visibility,omitempty"`       // public, private, shared (left out) or community
	Owner           string            `json:"owner,omitempty"`            // the owning project's id
	DiskFormat      string            `json:"disk_format,omitempty"`      // qcow2, raw, ...
	ContainerFormat string            `json:"container_format,omitempty"` // bare, ...
	MinDisk         int               `json:"min_disk,omitempty"`         // GiB
	MinRAM          int               `json:"min_ram,omitempty"`          // MiB
	Size            int64             `json:"size,omitempty"`             // bytes
	VirtualSize     int64             `json:"virtual_size,omitempty"`     // bytes
	Checksum        string            `json:"checksum,omitempty"`         // MD5 of the data
	OSHashAlgo      string            `json:"os_hash_algo,omitempty"`     // sha512
	OSHashValue     string            `json:"os_hash_value,omitempty"`    // the data's hash
	Protected       bool              `json:"protected,omitempty"`        // cannot be deleted
	Hidden          bool              `json:"os_hidden,omitempty"`        // left out of lists
	Tags            []string          `json:"tags,omitempty"`             // the image's tags
	Properties      map[string]string `json:"properties,omitempty"`       // custom properties
	Members         []ImageMember     `json:"members,omitempty"`          // projects a shared image is shared with
	CreatedAt       *time.Time        `json:"created_at,omitempty"`       // left out, when loaded
	UpdatedAt       *time.Time        `json:"updated_at,omitempty"`       // left out, created_at
}

// SeedFlavor is a flavor in a seed file (see Flavor for the defaults).
type SeedFlavor struct {
	ID          string            `json:"id"`                    // the flavorid ("1", "m1.tiny", ...)
	Name        string            `json:"name"`                  // unique
	VCPUs       int               `json:"vcpus"`                 // at least 1
	RAM         int               `json:"ram"`                   // MiB, at least 1
	Disk        int               `json:"disk"`                  // root disk, GiB
	Ephemeral   int               `json:"ephemeral,omitempty"`   // GiB
	Swap        int               `json:"swap,omitempty"`        // MiB
	RXTXFactor  float64           `json:"rxtx_factor,omitempty"` // left out, 1.0
	IsPublic    *bool             `json:"is_public,omitempty"`   // left out, true
	Disabled    bool              `json:"disabled,omitempty"`    // hidden from non-admin lists
	Description string            `json:"description,omitempty"` // shown from 2.55
	ExtraSpecs  map[string]string `json:"extra_specs,omitempty"` // hw:cpu_policy, ...
	Projects    []string          `json:"projects,omitempty"`    // the access list of a private flavor
}

// SeedNetwork is a network in a seed file, with its subnets (see Network
// for the defaults).
type SeedNetwork struct {
	ID                  string       `json:"id,omitempty"`                    // a lowercase dashed UUID; generated when left out
	Name                string       `json:"name"`                            // the network's name
	ProjectID           string       `json:"project_id"`                      // the owning project
	Description         string       `json:"description,omitempty"`           // free text
	AdminStateUp        *bool        `json:"admin_state_up,omitempty"`        // left out, true
	Status              string       `json:"status,omitempty"`                // left out, ACTIVE
	MTU                 int          `json:"mtu,omitempty"`                   // left out, 1500
	Shared              bool         `json:"shared,omitempty"`                // shared with every project
	External            bool         `json:"router:external,omitempty"`       // an external network
	PortSecurityEnabled *bool        `json:"port_security_enabled,omitempty"` // left out, true
	IsDefault           bool         `json:"is_default,omitempty"`            // the default external network
	Tags                []string     `json:"tags,omitempty"`                  // the network's tags
	Subnets             []SeedSubnet `json:"subnets,omitempty"`               // its subnets
	CreatedAt           *time.Time   `json:"created_at,omitempty"`            // left out, when loaded
	UpdatedAt           *time.Time   `json:"updated_at,omitempty"`            // left out, created_at
}

// SeedSubnet is a subnet of a SeedNetwork (see Subnet for the defaults).
type SeedSubnet struct {
	ID          string `json:"id,omitempty"`          // a lowercase dashed UUID; generated when left out
	Name        string `json:"name,omitempty"`        // the subnet's name
	ProjectID   string `json:"project_id,omitempty"`  // left out, the network's
	Description string `json:"description,omitempty"` // free text
	CIDR        string `json:"cidr"`                  // 10.0.0.0/26, fd00::/64
	IPVersion   int    `json:"ip_version,omitempty"`  // left out, the CIDR's
	// GatewayIP is the raw JSON value: left out means the CIDR's first
	// address, null no gateway, a string that address.
	GatewayIP       json.RawMessage  `json:"gateway_ip,omitempty"`
	AllocationPools []AllocationPool `json:"allocation_pools,omitempty"`  // left out, the whole CIDR
	EnableDHCP      *bool            `json:"enable_dhcp,omitempty"`       // left out, true
	DNSNameservers  []string         `json:"dns_nameservers,omitempty"`   // addresses
	HostRoutes      []HostRoute      `json:"host_routes,omitempty"`       // routes
	IPv6RAMode      string           `json:"ipv6_ra_mode,omitempty"`      // slaac, dhcpv6-stateful, dhcpv6-stateless
	IPv6AddressMode string           `json:"ipv6_address_mode,omitempty"` // likewise
	Tags            []string         `json:"tags,omitempty"`              // the subnet's tags
	CreatedAt       *time.Time       `json:"created_at,omitempty"`        // left out, when loaded
	UpdatedAt       *time.Time       `json:"updated_at,omitempty"`        // left out, created_at
}

// SeedPort is a port in a seed file (see Port for the defaults). A port
// whose device_id is a server's id is that server's: it shows in its
// addresses and goes with it.
type SeedPort struct {
	ID        string `json:"id,omitempty"` // a lowercase dashed UUID; generated when left out
	Name      string `json:"name,omitempty"`
	NetworkID string `json:"network_id"` // the network's id, or its name if no network has that id
	ProjectID string `json:"project_id,omitempty"`
	// Description is free text.
	Description string `json:"description,omitempty"`
	MACAddress  string `json:"mac_address,omitempty"` // left out, generated
	// FixedIPs are the port's addresses; left out, allocated. A subnet_id
	// may be a subnet's name on the port's network.
	FixedIPs []FixedIP `json:"fixed_ips,omitempty"`
	DeviceID string    `json:"device_id,omitempty"` // the server it is bound to
	// DeviceOwner left out is compute:nova for a port with a device_id.
	DeviceOwner      string     `json:"device_owner,omitempty"`
	AdminStateUp     *bool      `json:"admin_state_up,omitempty"`     // left out, true
	PreserveOnDelete bool       `json:"preserve_on_delete,omitempty"` // kept (unbound) when its server goes
	Tags             []string   `json:"tags,omitempty"`               // the port's tags
	CreatedAt        *time.Time `json:"created_at,omitempty"`         // left out, when loaded
	UpdatedAt        *time.Time `json:"updated_at,omitempty"`         // left out, created_at
}

// fieldError turns an error of an Add method into one that names the seed
// field: prefix + "." + the field, the section's names for references.
func fieldError(prefix string, err error, refs map[string]string) error {
	var inv *InvalidError
	var nf *NotFoundError
	var cf *ConflictError
	var iu *InUseError
	switch {
	case errors.As(err, &inv):
		return &InvalidError{Field: prefix + "." + inv.Field, Reason: inv.Reason, Err: inv.Err}
	case errors.As(err, &nf):
		return &InvalidError{Field: prefix + "." + refs[nf.Kind], Reason: fmt.Sprintf("no %s %q in this seed", nf.Kind, nf.ID), Err: err}
	case errors.As(err, &cf):
		return &InvalidError{Field: prefix, Reason: fmt.Sprintf("duplicate %s %q", cf.Kind, cf.ID), Err: err}
	case errors.As(err, &iu):
		field := "fixed_ips"
		if iu.Kind == "mac address" {
			field = "mac_address"
		}
		return &InvalidError{Field: prefix + "." + field, Reason: fmt.Sprintf("%s %s is already used on network %s", iu.Kind, iu.ID, iu.NetworkID), Err: err}
	}
	return &InvalidError{Field: prefix, Reason: err.Error(), Err: err}
}

func timeOr(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return *t
}

func timePtr(t time.Time) *time.Time { return &t }

// fillCatalog loads the catalog sections of seed into s, an empty store
// that no one else uses yet.
func (s *Store) fillCatalog(seed *Seed) error {
	if seed.ConsoleProtocols != nil {
		ps := make([]Protocol, len(*seed.ConsoleProtocols))
		for i, p := range *seed.ConsoleProtocols {
			if !ValidProtocol(Protocol(p)) {
				return &InvalidError{Field: fmt.Sprintf("console_protocols[%d]", i), Reason: quote(p) + " is not vnc, spice, serial, mks or rdp"}
			}
			ps[i] = Protocol(p)
		}
		s.protocolsSet = protocolBits(ps)
	}
	for i, si := range seed.Images {
		im := Image{ID: si.ID, Name: si.Name, Status: si.Status, Visibility: ImageVisibility(si.Visibility),
			Owner: si.Owner, DiskFormat: si.DiskFormat, ContainerFormat: si.ContainerFormat,
			MinDisk: si.MinDisk, MinRAM: si.MinRAM, Size: si.Size, VirtualSize: si.VirtualSize,
			Checksum: si.Checksum, OSHashAlgo: si.OSHashAlgo, OSHashValue: si.OSHashValue,
			Protected: si.Protected, Hidden: si.Hidden, Tags: si.Tags, Properties: si.Properties,
			Members: si.Members, Created: timeOr(si.CreatedAt), Updated: timeOr(si.UpdatedAt)}
		if _, err := s.AddImage(im); err != nil {
			return fieldError(fmt.Sprintf("images[%d]", i), err, nil)
		}
	}
	for i, sf := range seed.Flavors {
		f := Flavor{ID: sf.ID, Name: sf.Name, VCPUs: sf.VCPUs, RAM: sf.RAM, Disk: sf.Disk, Ephemeral: sf.Ephemeral,
			Swap: sf.Swap, RXTXFactor: sf.RXTXFactor, Private: sf.IsPublic != nil && !*sf.IsPublic,
			Disabled: sf.Disabled, Description: sf.Description, ExtraSpecs: sf.ExtraSpecs, Projects: sf.Projects}
		if sf.ID == "" {
			return &InvalidError{Field: fmt.Sprintf("flavors[%d].id", i), Reason: "required"}
		}
		if _, err := s.AddFlavor(f); err != nil {
			return fieldError(fmt.Sprintf("flavors[%d]", i), err, nil)
		}
	}
	for i, sn := range seed.Networks {
		at := fmt.Sprintf("networks[%d]", i)
		n := Network{ID: sn.ID, Name: sn.Name, ProjectID: sn.ProjectID, Description: sn.Description,
			AdminStateDown: sn.AdminStateUp != nil && !*sn.AdminStateUp, Status: sn.Status, MTU: sn.MTU,
			Shared: sn.Shared, External: sn.External, IsDefault: sn.IsDefault, Tags: sn.Tags,
			PortSecurityDisabled: sn.PortSecurityEnabled != nil && !*sn.PortSecurityEnabled,
			Created:              timeOr(sn.CreatedAt), Updated: timeOr(sn.UpdatedAt)}
		if sn.ProjectID == "" {
			return &InvalidError{Field: at + ".project_id", Reason: "required"}
		}
		added, err := s.AddNetwork(n)
		if err != nil {
			return fieldError(at, err, nil)
		}
		for j, ss := range sn.Subnets {
			sub := Subnet{ID: ss.ID, Name: ss.Name, NetworkID: added.ID, ProjectID: ss.ProjectID,
				Description: ss.Description, CIDR: ss.CIDR, IPVersion: ss.IPVersion,
				AllocationPools: ss.AllocationPools, DHCPDisabled: ss.EnableDHCP != nil && !*ss.EnableDHCP,
				DNSNameservers: ss.DNSNameservers, HostRoutes: ss.HostRoutes, IPv6RAMode: ss.IPv6RAMode,
				IPv6AddressMode: ss.IPv6AddressMode, Tags: ss.Tags,
				Created: timeOr(ss.CreatedAt), Updated: timeOr(ss.UpdatedAt)}
			sat := fmt.Sprintf("%s.subnets[%d]", at, j)
			if ss.CIDR == "" {
				return &InvalidError{Field: sat + ".cidr", Reason: "required"}
			}
			if ss.GatewayIP != nil {
				var gw *string
				if err := json.Unmarshal(ss.GatewayIP, &gw); err != nil {
					return &InvalidError{Field: sat + ".gateway_ip", Reason: "expected a string or null", Err: err}
				}
				if gw == nil {
					sub.NoGateway = true
				} else {
					sub.GatewayIP = *gw
					if *gw == "" {
						return &InvalidError{Field: sat + ".gateway_ip", Reason: `"" is not an address (null means no gateway)`}
					}
				}
			}
			if _, err := s.AddSubnet(sub); err != nil {
				return fieldError(sat, err, nil)
			}
		}
	}
	return nil
}

// fillPorts loads the seed's ports, after its servers.
func (s *Store) fillPorts(seed *Seed) error {
	for i, sp := range seed.Ports {
		at := fmt.Sprintf("ports[%d]", i)
		netID, err := s.seedNetworkID(sp.NetworkID)
		if err != nil {
			return &InvalidError{Field: at + ".network_id", Reason: err.Error()}
		}
		p := Port{ID: sp.ID, Name: sp.Name, NetworkID: netID, ProjectID: sp.ProjectID, Description: sp.Description,
			MACAddress: sp.MACAddress, DeviceID: sp.DeviceID, DeviceOwner: sp.DeviceOwner,
			AdminStateDown: sp.AdminStateUp != nil && !*sp.AdminStateUp, PreserveOnDelete: sp.PreserveOnDelete,
			Tags: sp.Tags, Created: timeOr(sp.CreatedAt), Updated: timeOr(sp.UpdatedAt)}
		if p.DeviceOwner == "" && p.DeviceID != "" {
			p.DeviceOwner = DeviceOwnerCompute
		}
		if p.ProjectID == "" && p.DeviceID != "" {
			if srv, ok := s.servers.get(p.DeviceID); ok {
				p.ProjectID = srv.ProjectID
			}
		}
		for j, ip := range sp.FixedIPs {
			if ip.SubnetID == "" {
				p.FixedIPs = append(p.FixedIPs, ip)
				continue
			}
			subID, err := s.seedSubnetID(netID, ip.SubnetID)
			if err != nil {
				return &InvalidError{Field: fmt.Sprintf("%s.fixed_ips[%d].subnet_id", at, j), Reason: err.Error()}
			}
			p.FixedIPs = append(p.FixedIPs, FixedIP{SubnetID: subID, IPAddress: ip.IPAddress})
		}
		if _, err := s.AddPort(p); err != nil {
			return fieldError(at, err, map[string]string{"network": "network_id", "subnet": "fixed_ips"})
		}
	}
	return nil
}

// seedNetworkID finds a network by id, else by name (which must be
// unique).
func (s *Store) seedNetworkID(ref string) (string, error) {
	if _, ok := s.cat.networks[ref]; ok {
		return ref, nil
	}
	var found string
	for _, n := range s.cat.networkOrder {
		if n.Name == ref {
			if found != "" {
				return "", fmt.Errorf("more than one network is named %q: use its id", ref)
			}
			found = n.ID
		}
	}
	if found == "" {
		return "", fmt.Errorf("no network %q in this seed", ref)
	}
	return found, nil
}

// seedSubnetID finds a subnet of network by id, else by name.
func (s *Store) seedSubnetID(network, ref string) (string, error) {
	n := s.cat.networks[network]
	for _, sn := range n.subnets {
		if sn.ID == ref {
			return ref, nil
		}
	}
	var found string
	for _, sn := range n.subnets {
		if sn.Name == ref {
			if found != "" {
				return "", fmt.Errorf("more than one subnet of the network is named %q: use its id", ref)
			}
			found = sn.ID
		}
	}
	if found == "" {
		return "", fmt.Errorf("no subnet %q on network %s in this seed", ref, network)
	}
	return found, nil
}

// snapshotCatalog writes the catalog into seed; s.mu is held.
func (s *Store) snapshotCatalog(seed *Seed) {
	protocols := []string{}
	for _, p := range s.Protocols() {
		protocols = append(protocols, string(p))
	}
	seed.ConsoleProtocols = &protocols
	for _, e := range s.cat.imageOrder {
		im := e.clone()
		seed.Images = append(seed.Images, SeedImage{ID: im.ID, Name: im.Name, Status: im.Status,
			Visibility: string(im.Visibility), Owner: im.Owner, DiskFormat: im.DiskFormat,
			ContainerFormat: im.ContainerFormat, MinDisk: im.MinDisk, MinRAM: im.MinRAM, Size: im.Size,
			VirtualSize: im.VirtualSize, Checksum: im.Checksum, OSHashAlgo: im.OSHashAlgo,
			OSHashValue: im.OSHashValue, Protected: im.Protected, Hidden: im.Hidden, Tags: im.Tags,
			Properties: im.Properties, Members: im.Members,
			CreatedAt: timePtr(im.Created), UpdatedAt: timePtr(im.Updated)})
	}
	for _, e := range s.cat.flavorOrder {
		f := e.clone()
		sf := SeedFlavor{ID: f.ID, Name: f.Name, VCPUs: f.VCPUs, RAM: f.RAM, Disk: f.Disk, Ephemeral: f.Ephemeral,
			Swap: f.Swap, RXTXFactor: f.RXTXFactor, Disabled: f.Disabled, Description: f.Description,
			ExtraSpecs: f.ExtraSpecs, Projects: f.Projects}
		if f.Private {
			no := false
			sf.IsPublic = &no
		}
		seed.Flavors = append(seed.Flavors, sf)
	}
	no := func(b bool) *bool {
		if !b {
			return nil
		}
		f := false
		return &f
	}
	for _, e := range s.cat.networkOrder {
		n := e.clone()
		sn := SeedNetwork{ID: n.ID, Name: n.Name, ProjectID: n.ProjectID, Description: n.Description,
			AdminStateUp: no(n.AdminStateDown), Status: n.Status, MTU: n.MTU, Shared: n.Shared, External: n.External,
			PortSecurityEnabled: no(n.PortSecurityDisabled), IsDefault: n.IsDefault, Tags: n.Tags,
			CreatedAt: timePtr(n.Created), UpdatedAt: timePtr(n.Updated)}
		for _, se := range e.subnets {
			sub := se.clone()
			gw := json.RawMessage("null")
			if !sub.NoGateway {
				gw, _ = json.Marshal(sub.GatewayIP)
			}
			sn.Subnets = append(sn.Subnets, SeedSubnet{ID: sub.ID, Name: sub.Name, ProjectID: sub.ProjectID,
				Description: sub.Description, CIDR: sub.CIDR, IPVersion: sub.IPVersion, GatewayIP: gw,
				AllocationPools: sub.AllocationPools, EnableDHCP: no(sub.DHCPDisabled),
				DNSNameservers: sub.DNSNameservers, HostRoutes: sub.HostRoutes, IPv6RAMode: sub.IPv6RAMode,
				IPv6AddressMode: sub.IPv6AddressMode, Tags: sub.Tags,
				CreatedAt: timePtr(sub.Created), UpdatedAt: timePtr(sub.Updated)})
		}
		seed.Networks = append(seed.Networks, sn)
	}
	for _, e := range s.cat.portOrder {
		if e.removed {
			continue
		}
		p := e.clone()
		seed.Ports = append(seed.Ports, SeedPort{ID: p.ID, Name: p.Name, NetworkID: p.NetworkID,
			ProjectID: p.ProjectID, Description: p.Description, MACAddress: p.MACAddress, FixedIPs: p.FixedIPs,
			DeviceID: p.DeviceID, DeviceOwner: p.DeviceOwner, AdminStateUp: no(p.AdminStateDown),
			PreserveOnDelete: p.PreserveOnDelete, Tags: p.Tags,
			CreatedAt: timePtr(p.Created), UpdatedAt: timePtr(p.Updated)})
	}
}
