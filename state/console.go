package state

import (
	"time"

	"github.com/google/uuid"
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

// consoleEntry is a stored console token. It holds no pointers, so that
// the garbage collector never scans the console map, however many tokens
// it holds: strings become a uuid, indexes and Unix nanoseconds. serverSeq
// is the seq of the server entry the token was issued for, so that a server
// removed and added again under the same id does not bring its old tokens
// back.
type consoleEntry struct {
	server    uuid.UUID
	foreign   uint32 // for a server id that is no UUID: 1 + its number in foreignIDs; 0 otherwise
	serverSeq uint64
	host      uint32 // its number in hostNames
	typ       uint8  // index in consoleTypeList
	protocol  uint8  // index in protocolList
	revoked   bool   // gone from the index, its place in the ring waiting for the head
	port      int32
	tlsPort   int32
	issued    int64
	expires   int64
}

// CreateConsole checks that the server can give a console of the requested
// type and issues a console token for it, in the order Nova checks:
// the server is looked up (NotFoundError, also for another project's server
// unless AllProjects, and for a DELETED one, which Nova's lookup does not
// find), must have a host (NotReadyError), must not be
// deleting or migrating (InvalidStateError), the protocol must be enabled
// (ConsoleUnavailableError), the type must be one the protocol serves
// (ConsoleTypeInvalidError, checked only when the request names its
// Protocol), a serial console needs a free port on the host
// (PortsExhaustedError), and the host's hypervisor must support the type
// (NotImplementedError).
func (s *Store) CreateConsole(req ConsoleRequest) (ConsoleToken, error) {
	now := s.clock.Now()
	s.rlock()
	defer s.mu.RUnlock()
	e, ok := s.servers.get(req.ServerID)
	if !ok || !req.AllProjects && e.ProjectID != req.ProjectID || e.VMState == VMDeleted {
		return ConsoleToken{}, &NotFoundError{Kind: "server", ID: req.ServerID}
	}
	return s.issueConsole(&e.Server, e.seq, req, now)
}

// IssueConsole issues a console token for srv, a server already looked up
// (from the store, or from the caller's own data), after the checks
// CreateConsole makes once it has found a server: host, task_state,
// protocol, type, ports and the host's support (a host the store does not
// know supports every type). A server of the caller's own data may have
// any non-empty id (an integer, say), and its VMState must be one of
// Nova's or empty (unknown: Nova's UNKNOWN status), else the error is an
// *InvalidError naming the field; a DELETED one is not found, as Nova's
// lookup does not find it. The store cannot tell when such a server goes:
// revoke its tokens with RevokeServerConsoles, or look it up again when a
// token is used (as fakenova does).
func (s *Store) IssueConsole(srv Server, req ConsoleRequest) (ConsoleToken, error) {
	switch {
	case srv.ID == "":
		return ConsoleToken{}, &InvalidError{Field: "id", Reason: "a server needs an id"}
	case srv.VMState != "" && !ValidVMState(srv.VMState):
		return ConsoleToken{}, &InvalidError{Field: "vm_state", Reason: quote(string(srv.VMState)) + " is not a Nova vm_state (server " + quote(srv.ID) + ")"}
	case !ValidTaskState(srv.TaskState):
		return ConsoleToken{}, &InvalidError{Field: "task_state", Reason: quote(string(srv.TaskState)) + " is not a Nova task_state (server " + quote(srv.ID) + ")"}
	case srv.VMState == VMDeleted:
		return ConsoleToken{}, &NotFoundError{Kind: "server", ID: srv.ID}
	}
	now := s.clock.Now()
	s.mu.RLock()
	defer s.mu.RUnlock()
	var seq uint64
	if e, ok := s.servers.get(srv.ID); ok {
		seq = e.seq // the store's own: its tokens end with it
	}
	return s.issueConsole(&srv, seq, req, now)
}

// issueConsole checks srv and issues its token; seq 0 marks a server from
// outside the store. s.mu is held, for reading at least: the token itself
// is kept under s.consoleMu, so that consoles are issued side by side with
// every other reader of the store (a list that scans a million servers, a
// lookup) and one another.
func (s *Store) issueConsole(srv *Server, seq uint64, req ConsoleRequest, now time.Time) (ConsoleToken, error) {
	if srv.Host == "" {
		return ConsoleToken{}, &NotReadyError{ServerID: srv.ID}
	}
	if srv.TaskState == TaskDeleting || srv.TaskState == TaskMigrating {
		return ConsoleToken{}, &InvalidStateError{ServerID: srv.ID, Attr: "task_state", State: string(srv.TaskState)}
	}
	protocol := req.Protocol
	if protocol == "" {
		protocol = req.Type.Protocol()
	}
	if !s.ProtocolEnabled(protocol) {
		return ConsoleToken{}, &ConsoleUnavailableError{Type: req.Type}
	}
	info, known := consoleTypes[req.Type]
	if req.Protocol != "" && !protocol.Serves(req.Type) || req.Protocol == "" && !known {
		return ConsoleToken{}, &ConsoleTypeInvalidError{Type: req.Type}
	}
	host, hostKnown := s.hosts[srv.Host]
	if protocol == ProtocolSerial && host.SerialPortsExhausted {
		return ConsoleToken{}, &PortsExhaustedError{Host: srv.Host}
	}
	served := req.Type
	if protocol == ProtocolSerial {
		// Nova's serial console ignores the type asked for.
		served, info = ConsoleSerial, consoleTypes[ConsoleSerial]
	}
	if hostKnown && !host.Supports(served) {
		return ConsoleToken{}, &NotImplementedError{Host: srv.Host, Type: served}
	}
	entry := consoleEntry{
		serverSeq: seq,
		typ:       consoleTypeIndex(req.Type),
		protocol:  protocolIndex(protocol),
		port:      int32(info.port),
		tlsPort:   int32(info.tlsPort),
		issued:    now.UnixNano(),
		expires:   now.Add(s.consoleTTL).UnixNano(),
	}
	var isUUID bool
	entry.server, isUUID = parseUUID(srv.ID)
	key := newUUID4() // drawn before the lock, which only checks it is free
	s.consoles.index.touch(key)
	err := s.persistWith(func() {
		s.consoleMu.Lock()
		defer s.consoleMu.Unlock()
		entry.host = s.hostNames.number(srv.Host)
		if !isUUID {
			entry.foreign = s.foreignIDs.number(srv.ID) + 1
		}
		var evicted int
		key, evicted = s.consoles.put(key, entry, entry.issued)
		s.countEvictions(evicted)
	}, func() (string, any) { return opConsole, consoleRecordOf(key, entry, srv.ID, srv.Host) })
	return consoleToken(key, entry, srv.ID, srv.Host, now.Location()), err
}

// names numbers strings that console entries refer to (host names, and
// server ids that are no UUIDs), so that an entry holds no pointers: a name
// keeps its number for the store's life.
type names struct {
	index map[string]uint32
	list  []string
}

// number returns the number of name, giving it the next one if it has none.
func (n *names) number(name string) uint32 {
	if i, ok := n.index[name]; ok {
		return i
	}
	if n.index == nil {
		n.index = map[string]uint32{}
	}
	i := uint32(len(n.list))
	n.index[name] = i
	n.list = append(n.list, name)
	return i
}

// entryServerID is the id of the server an entry was issued for.
// s.consoleMu is held.
func (s *Store) entryServerID(e consoleEntry) string {
	if e.foreign != 0 {
		return s.foreignIDs.list[e.foreign-1]
	}
	return e.server.String()
}

// consoleToken turns a stored entry back into a ConsoleToken.
// serverID is e.server as a string, host the name of e.host.
func consoleToken(key uuid.UUID, e consoleEntry, serverID, host string, loc *time.Location) ConsoleToken {
	return ConsoleToken{
		Token:     key.String(),
		ServerID:  serverID,
		Protocol:  protocolList[e.protocol],
		Type:      consoleTypeList[e.typ],
		Host:      host,
		Port:      int(e.port),
		TLSPort:   int(e.tlsPort),
		IssuedAt:  time.Unix(0, e.issued).In(loc),
		ExpiresAt: time.Unix(0, e.expires).In(loc),
	}
}

// ConsoleToken returns the console token with the given value, if it has
// not expired and its server still exists.
func (s *Store) ConsoleToken(token string) (ConsoleToken, error) {
	now := s.clock.Now()
	notFound := &NotFoundError{Kind: "console token", ID: token}
	key, ok := parseUUID(token)
	if !ok {
		return ConsoleToken{}, notFound
	}
	s.rlock()
	defer s.mu.RUnlock()
	s.consoleMu.Lock()
	t, ok := s.consoles.get(key)
	var serverID, host string
	if ok {
		serverID, host = s.entryServerID(t), s.hostNames.list[t.host]
	}
	s.consoleMu.Unlock()
	if !ok || now.UnixNano() >= t.expires {
		return ConsoleToken{}, notFound
	}
	if e, ok := s.servers.get(serverID); t.serverSeq != 0 && (!ok || e.seq != t.serverSeq) {
		return ConsoleToken{}, notFound
	}
	return consoleToken(key, t, serverID, host, now.Location()), nil
}

// RevokeServerConsoles revokes every console token of the server with the
// given id, as Nova does when it deletes a server
// (ComputeManager._clean_instance_console_tokens), and returns how many it
// revoked: for code that keeps servers outside the store (a
// fakenova.ServerSource) and learns that one is gone. The store's own
// servers need no call: their tokens end with them.
func (s *Store) RevokeServerConsoles(serverID string) int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	n := 0
	// A failure to write is kept for the next change to report.
	_ = s.persistWith(func() {
		s.consoleMu.Lock()
		defer s.consoleMu.Unlock()
		n = s.consoles.removeIf(func(e consoleEntry) bool { return s.entryServerID(e) == serverID })
	}, func() (string, any) { return opConsoleRevoked, serverIDRecord{ServerID: serverID} })
	return n
}
