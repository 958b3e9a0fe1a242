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
	ServerID string
	Type     ConsoleType
	Host     string
	Port     int
	TLSPort  int // non-zero only for spice-direct
	// InternalAccessPath is empty (JSON null) for the console types the
	// model serves.
	InternalAccessPath string
	IssuedAt           time.Time
	ExpiresAt          time.Time
}

// ConsoleRequest asks for a console, as the compute API's get_*_console
// calls do.
type ConsoleRequest struct {
	// ProjectID is the caller's project: a server of another project is
	// not found, unless AllProjects is set (an admin's view).
	ProjectID   string
	AllProjects bool
	ServerID    string
	Type        ConsoleType
}
