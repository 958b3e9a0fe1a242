package state

// protocolBit is p's bit in the store's set of enabled protocols; 0 for a
// protocol Nova does not have.
func protocolBit(p Protocol) uint32 {
	for i, x := range protocolList {
		if x == p {
			return 1 << i
		}
	}
	return 0
}

func protocolBits(ps []Protocol) uint32 {
	var bits uint32
	for _, p := range ps {
		bits |= protocolBit(p)
	}
	return bits
}

// ValidProtocol reports whether p is one of Nova's console protocols.
func ValidProtocol(p Protocol) bool { return protocolBit(p) != 0 }

// Protocols returns the console protocols the cloud has enabled, in the
// order vnc, spice, serial, mks, rdp.
func (s *Store) Protocols() []Protocol {
	bits := s.protocols.Load()
	out := []Protocol{}
	for i, p := range protocolList {
		if bits&(1<<i) != 0 {
			out = append(out, p)
		}
	}
	return out
}

// SetProtocols enables exactly the given console protocols (Nova's [vnc]
// enabled, [spice] enabled, [serial_console] enabled and [mks] enabled),
// as a seed file's console_protocols does; consoles already issued keep
// working. An unknown protocol is an *InvalidError and changes nothing.
func (s *Store) SetProtocols(ps ...Protocol) error {
	for _, p := range ps {
		if !ValidProtocol(p) {
			return &InvalidError{Field: "console_protocols", Reason: quote(string(p)) + " is not vnc, spice, serial, mks or rdp"}
		}
	}
	s.protocols.Store(protocolBits(ps))
	return s.persistProtocols()
}
