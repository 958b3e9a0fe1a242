package state

import (
	"time"
)

// Protocol is a remote-console protocol, the unit Nova enables and disables
// per cloud ([vnc] enabled, [spice] enabled, ...).
type Protocol string

// Nova's console protocols.
const (
	ProtocolVNC    Protocol = "vnc"
	ProtocolSPICE  Protocol = "spice"
	ProtocolSerial Protocol = "serial"
	ProtocolMKS    Protocol = "mks"
	ProtocolRDP    Protocol = "rdp"
)

// ConsoleType is a console type a client asks for, such as "novnc".
type ConsoleType string

// Nova's console types.
const (
	ConsoleNoVNC       ConsoleType = "novnc"
	ConsoleXVPVNC      ConsoleType = "xvpvnc"
	ConsoleSPICEHTML5  ConsoleType = "spice-html5"
	ConsoleSPICEDirect ConsoleType = "spice-direct"
	ConsoleSerial      ConsoleType = "serial"
	ConsoleWebMKS      ConsoleType = "webmks"
	ConsoleRDPHTML5    ConsoleType = "rdp-html5"
)

// consoleTypes maps each console type to its protocol and to where the
// hypervisor serves it (the port the console proxy connects to on the
// compute host, as the libvirt and VMware drivers answer).
var consoleTypes = map[ConsoleType]struct {
	protocol Protocol
	port     int
	tlsPort  int
}{
	ConsoleNoVNC:       {ProtocolVNC, 5900, 0},
	ConsoleXVPVNC:      {ProtocolVNC, 5900, 0},
	ConsoleSPICEHTML5:  {ProtocolSPICE, 5900, 0},
	ConsoleSPICEDirect: {ProtocolSPICE, 5900, 5901},
	ConsoleSerial:      {ProtocolSerial, 10000, 0},
	ConsoleWebMKS:      {ProtocolMKS, 902, 0},
	ConsoleRDPHTML5:    {ProtocolRDP, 3389, 0},
}

// consoleTypeList numbers the console types for compact storage.
var consoleTypeList = []ConsoleType{ConsoleNoVNC, ConsoleXVPVNC, ConsoleSPICEHTML5, ConsoleSPICEDirect,
	ConsoleSerial, ConsoleWebMKS, ConsoleRDPHTML5}

// protocolList numbers the protocols for compact storage.
var protocolList = []Protocol{ProtocolVNC, ProtocolSPICE, ProtocolSerial, ProtocolMKS, ProtocolRDP}

func protocolIndex(p Protocol) uint8 {
	for i, x := range protocolList {
		if x == p {
			return uint8(i)
		}
	}
	return 0
}

func consoleTypeIndex(t ConsoleType) uint8 {
	for i, x := range consoleTypeList {
		if x == t {
			return uint8(i)
		}
	}
	return 0
}

// protocolTypes are the types Nova's compute manager serves per protocol
// (nova/compute/manager.py, get_vnc_console and the like); a serial console
// checks no type.
var protocolTypes = map[Protocol][]ConsoleType{
	ProtocolVNC:   {ConsoleNoVNC},
	ProtocolSPICE: {ConsoleSPICEHTML5, ConsoleSPICEDirect},
	ProtocolMKS:   {ConsoleWebMKS},
	ProtocolRDP:   {ConsoleRDPHTML5},
}

// Serves reports whether Nova's compute manager serves console type t over
// protocol p: any type for serial, else one of the protocol's own.
func (p Protocol) Serves(t ConsoleType) bool {
	if p == ProtocolSerial {
		return true
	}
	for _, x := range protocolTypes[p] {
		if x == t {
			return true
		}
	}
	return false
}

// Protocol returns the protocol console type t belongs to, or "" for a type
// Nova does not know.
func (t ConsoleType) Protocol() Protocol { return consoleTypes[t].protocol }

// Valid reports whether t is one of Nova's console types.
func (t ConsoleType) Valid() bool {
	_, ok := consoleTypes[t]
	return ok
}

// ConsoleToken is an authorisation to connect to one server's console,
// Nova's ConsoleAuthToken: the token in a console URL is looked up to find
// where to connect.
type ConsoleToken struct {
	// Token is the random dashed uuid4 carried in the console URL.
	Token    string
	ServerID string // the server whose console it opens
	// Protocol is the protocol the console speaks; Type is the type the
	// client asked for, which for a serial console may be any.
	Protocol Protocol
	Type     ConsoleType // the console type asked for
	Host     string      // the compute host the console proxy connects to
	Port     int         // the port there
	TLSPort  int         // non-zero only for spice-direct
	// InternalAccessPath is empty (JSON null) for the console types the
	// model serves.
	InternalAccessPath string
	IssuedAt           time.Time // when the token was issued, on the store's clock
	ExpiresAt          time.Time // when it stops working
}

// ConsoleRequest asks for a console, as the compute API's get_*_console
// calls do.
type ConsoleRequest struct {
	// ProjectID is the caller's project: a server of another project is
	// not found, unless AllProjects is set (an admin's view).
	ProjectID   string
	AllProjects bool   // whether the caller sees every project's servers (an admin)
	ServerID    string // the server whose console is asked for
	// Protocol, when set, is the protocol the client asked for (the
	// remote-consoles API names both); Type must then be one of the
	// protocol's types, as Nova's compute manager checks (a serial console
	// takes any type). Left empty, the protocol is Type's.
	Protocol Protocol
	Type     ConsoleType // the console type asked for
}
