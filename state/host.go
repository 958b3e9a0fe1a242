package state

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
