package state

import "slices"

// Host is a compute host. Its hypervisor supports some console types: a
// libvirt host supports VNC, SPICE and serial, a bare-metal (ironic) host
// supports none, which makes Nova answer 501 for a console.
type Host struct {
	// Name is the compute host's name, as OS-EXT-SRV-ATTR:host shows it.
	Name string `json:"name"`
	// ConsoleTypes lists the console types the hypervisor supports. Nil
	// means every type; an empty, non-nil slice means none.
	ConsoleTypes []ConsoleType `json:"console_types,omitempty"`
	// SerialPortsExhausted makes every serial console on the host fail as
	// libvirt's does when [serial_console] port_range is used up.
	SerialPortsExhausted bool `json:"serial_ports_exhausted,omitempty"`
}

// Supports reports whether the host's hypervisor can serve console type t.
func (h Host) Supports(t ConsoleType) bool {
	if h.ConsoleTypes == nil {
		return true
	}
	for _, ct := range h.ConsoleTypes {
		if ct == t {
			return true
		}
	}
	return false
}

// AddHost adds a compute host.
func (s *Store) AddHost(h Host) error {
	if h.Name == "" {
		return &InvalidError{Field: "name", Reason: "a host needs a name"}
	}
	for _, t := range h.ConsoleTypes {
		if !t.Valid() {
			return &InvalidError{Field: "console_types", Reason: quote(string(t)) + " is not a Nova console type"}
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.hosts[h.Name]; ok {
		return &ConflictError{Kind: "host", ID: h.Name}
	}
	s.hosts[h.Name] = h.clone()
	s.hostNames.number(h.Name)
	s.hostOrder = append(s.hostOrder, h.Name)
	return s.persistHost(h)
}

// Host returns the compute host with the given name.
func (s *Store) Host(name string) (Host, error) {
	s.mu.RLock()
	h, ok := s.hosts[name]
	s.mu.RUnlock()
	if !ok {
		return Host{}, &NotFoundError{Kind: "host", ID: name}
	}
	return h.clone(), nil
}

// Hosts returns every host, in the order they were added.
func (s *Store) Hosts() []Host {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]Host, 0, len(s.hostOrder))
	for _, n := range s.hostOrder {
		out = append(out, s.hosts[n].clone())
	}
	return out
}

// UpdateHost changes a host in place: fn gets a copy to edit (its name
// cannot change). Use it to make a host's serial ports run out, or to
// change the console types its hypervisor supports. fn runs under the
// store's lock: it must not call the store.
func (s *Store) UpdateHost(name string, fn func(*Host)) (Host, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	h, ok := s.hosts[name]
	if !ok {
		return Host{}, &NotFoundError{Kind: "host", ID: name}
	}
	h = h.clone()
	fn(&h)
	if h.Name != name {
		return Host{}, &InvalidError{Field: "name", Reason: "a host's name cannot change"}
	}
	for _, t := range h.ConsoleTypes {
		if !t.Valid() {
			return Host{}, &InvalidError{Field: "console_types", Reason: quote(string(t)) + " is not a Nova console type"}
		}
	}
	s.hosts[name] = h.clone()
	return h, s.persistHost(h)
}

// clone returns a copy of h that shares no memory with it, keeping nil (every
// console type) apart from empty (none).
func (h Host) clone() Host {
	h.ConsoleTypes = slices.Clone(h.ConsoleTypes)
	return h
}
