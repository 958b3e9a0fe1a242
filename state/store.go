package state

import (
	"crypto/sha256"
	"crypto/subtle"
	"slices"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
)

// Defaults of the Store's options.
const (
	// DefaultConsoleTTL is Nova's [consoleauth] token_ttl.
	DefaultConsoleTTL = 600 * time.Second
	// DefaultMaxConsoleTokens bounds the console tokens kept at once.
	DefaultMaxConsoleTokens = 100000
)

// Option configures a Store.
type Option func(*Store)

// WithClock makes the store read time from c. Default: SystemClock.
func WithClock(c Clock) Option { return func(s *Store) { s.clock = c } }

// WithConsoleTTL sets how long a console token stays valid. Default:
// DefaultConsoleTTL (600 s, Nova's default).
func WithConsoleTTL(d time.Duration) Option { return func(s *Store) { s.consoleTTL = d } }

// WithMaxConsoleTokens bounds how many console tokens the store keeps; past
// it the oldest is dropped even before it expires, so that a stub under
// load does not grow without end (Nova keeps them all, in its database).
// Default: DefaultMaxConsoleTokens.
func WithMaxConsoleTokens(n int) Option { return func(s *Store) { s.maxConsoles = n } }

// WithProtocols sets which console protocols the cloud has enabled, as
// Nova's [vnc] enabled, [spice] enabled, [serial_console] enabled and
// [mks] enabled do. Default: VNC only, as Nova.
func WithProtocols(p ...Protocol) Option {
	return func(s *Store) {
		s.protocols = make(map[Protocol]bool, len(p))
		for _, x := range p {
			s.protocols[x] = true
		}
	}
}

// Store holds the model. All methods are safe for concurrent use; every
// lookup by id or token is a map access. Getters return copies: change the
// model through the Store's methods.
type Store struct {
	clock       Clock
	consoleTTL  time.Duration
	maxConsoles int
	protocols   map[Protocol]bool

	mu        sync.RWMutex
	projects  map[string]Project
	projOrder []string
	hosts     map[string]Host
	hostOrder []string
	servers   map[string]*serverEntry
	byProject map[string]*projectServers
	seq       uint64
	timers    timerHeap // the next step of every server in a transition
	timings   Timings
	nextHost  int               // round robin of the scheduler
	hostIndex map[string]uint32 // position in hostNames
	hostNames []string          // every host a console entry names, by number
	consoles  consoleRing
	tokens    map[[sha256.Size]byte]AuthToken
	tokenGen  atomic.Uint64   // changes with every change of tokens
	users     map[string]User // by domain + "/" + name
}

// consoleEntry is a stored console token. It holds no pointers, so that
// the garbage collector never scans the console map, however many tokens
// it holds: strings become a uuid, indexes and Unix nanoseconds. serverSeq
// is the seq of the server entry the token was issued for, so that a server
// removed and added again under the same id does not bring its old tokens
// back.
type consoleEntry struct {
	server    uuid.UUID
	serverSeq uint64
	host      uint32 // index in hostNames
	typ       uint8  // index in consoleTypeList
	protocol  uint8  // index in protocolList
	port      int32
	tlsPort   int32
	issued    int64
	expires   int64
}

// New returns an empty Store.
func New(opts ...Option) *Store {
	s := &Store{
		clock:       SystemClock{},
		consoleTTL:  DefaultConsoleTTL,
		maxConsoles: DefaultMaxConsoleTokens,
		protocols:   map[Protocol]bool{ProtocolVNC: true},
		timings:     DefaultTimings(),
	}
	for _, o := range opts {
		o(s)
	}
	s.reset()
	return s
}

func (s *Store) reset() {
	s.projects = map[string]Project{}
	s.projOrder = nil
	s.hosts = map[string]Host{}
	s.hostOrder = nil
	s.hostIndex = map[string]uint32{}
	s.hostNames = nil
	s.servers = map[string]*serverEntry{}
	s.byProject = map[string]*projectServers{}
	s.timers = nil
	s.consoles = newConsoleRing(s.maxConsoles)
	s.tokens = map[[sha256.Size]byte]AuthToken{}
	s.tokenGen.Add(1)
	s.users = map[string]User{}
}

// Reset empties the store: no projects, hosts, servers, tokens or users.
func (s *Store) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reset()
}

// Clock returns the clock the store reads.
func (s *Store) Clock() Clock { return s.clock }

// ConsoleTTL returns how long console tokens live.
func (s *Store) ConsoleTTL() time.Duration { return s.consoleTTL }

// ProtocolEnabled reports whether console protocol p is enabled.
func (s *Store) ProtocolEnabled(p Protocol) bool { return s.protocols[p] }

// AddProject adds a project; an empty ID gets a generated Keystone-style
// one. It returns the project as stored.
func (s *Store) AddProject(p Project) (Project, error) {
	if p.ID == "" {
		p.ID = NewProjectID()
	}
	if !ValidProjectID(p.ID) {
		return Project{}, &InvalidError{Field: "id", Reason: quote(p.ID) + " is not 32 lowercase hex digits or a dashed UUID"}
	}
	if p.DomainID == "" {
		p.DomainID = "default"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.projects[p.ID]; ok {
		return Project{}, &ConflictError{Kind: "project", ID: p.ID}
	}
	s.projects[p.ID] = p
	s.projOrder = append(s.projOrder, p.ID)
	return p, nil
}

// Project returns the project with the given id.
func (s *Store) Project(id string) (Project, error) {
	s.mu.RLock()
	p, ok := s.projects[id]
	s.mu.RUnlock()
	if !ok {
		return Project{}, &NotFoundError{Kind: "project", ID: id}
	}
	return p, nil
}

// Projects returns every project, in the order they were added.
func (s *Store) Projects() []Project {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]Project, 0, len(s.projOrder))
	for _, id := range s.projOrder {
		out = append(out, s.projects[id])
	}
	return out
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
	s.hostNameIndex(h.Name)
	s.hostOrder = append(s.hostOrder, h.Name)
	return nil
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

// SetServerState sets a server's vm_state and task_state.
func (s *Store) SetServerState(id string, vm VMState, task TaskState) (Server, error) {
	return s.UpdateServer(id, func(srv *Server) { srv.VMState, srv.TaskState = vm, task })
}

// UpdateHost changes a host in place: fn gets a copy to edit (its name
// cannot change). Use it to make a host's serial ports run out, or to
// change the console types its hypervisor supports.
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
	return h, nil
}

// CreateConsole checks that the server can give a console of the requested
// type and issues a console token for it, in the order Nova checks:
// the server is looked up (NotFoundError, also for another project's server
// unless AllProjects), must have a host (NotReadyError), must not be
// deleting or migrating (InvalidStateError), the protocol must be enabled
// (ConsoleUnavailableError), the type must be one the protocol serves
// (ConsoleTypeInvalidError, checked only when the request names its
// Protocol), a serial console needs a free port on the host
// (PortsExhaustedError), and the host's hypervisor must support the type
// (NotImplementedError).
func (s *Store) CreateConsole(req ConsoleRequest) (ConsoleToken, error) {
	now := s.clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advance(now)
	e, ok := s.servers[req.ServerID]
	if !ok || !req.AllProjects && e.ProjectID != req.ProjectID {
		return ConsoleToken{}, &NotFoundError{Kind: "server", ID: req.ServerID}
	}
	return s.issueConsole(&e.Server, e.seq, req, now)
}

// IssueConsole issues a console token for srv, a server already looked up
// (from the store, or from the caller's own data), after the checks
// CreateConsole makes once it has found a server: host, task_state,
// protocol, type, ports and the host's support (a host the store does not
// know supports every type). A token of a server the store does not hold
// stays valid until it expires: the store cannot tell when such a server
// goes. srv.ID must be a UUID.
func (s *Store) IssueConsole(srv Server, req ConsoleRequest) (ConsoleToken, error) {
	if !ValidUUID(srv.ID) {
		return ConsoleToken{}, &NotFoundError{Kind: "server", ID: srv.ID}
	}
	now := s.clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	var seq uint64
	if e, ok := s.servers[srv.ID]; ok {
		seq = e.seq // the store's own: its tokens end with it
	}
	return s.issueConsole(&srv, seq, req, now)
}

// issueConsole checks srv and issues its token; seq 0 marks a server from
// outside the store. s.mu is held.
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
	if !s.protocols[protocol] {
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
		host:      s.hostNameIndex(srv.Host),
		typ:       consoleTypeIndex(req.Type),
		protocol:  protocolIndex(protocol),
		port:      int32(info.port),
		tlsPort:   int32(info.tlsPort),
		issued:    now.UnixNano(),
		expires:   now.Add(s.consoleTTL).UnixNano(),
	}
	entry.server, _ = uuid.Parse(srv.ID) // a UUID: AddServer and IssueConsole made sure
	key := s.consoles.put(entry)
	return s.consoleToken(key, entry, srv.ID, now.Location()), nil
}

// hostNameIndex numbers a host name for a console entry: the hosts of the
// store and those of servers from outside it. s.mu is held.
func (s *Store) hostNameIndex(name string) uint32 {
	if i, ok := s.hostIndex[name]; ok {
		return i
	}
	i := uint32(len(s.hostNames))
	s.hostIndex[name] = i
	s.hostNames = append(s.hostNames, name)
	return i
}

// consoleToken turns a stored entry back into a ConsoleToken.
// serverID is e.server as a string, when the caller has it.
func (s *Store) consoleToken(key uuid.UUID, e consoleEntry, serverID string, loc *time.Location) ConsoleToken {
	return ConsoleToken{
		Token:     key.String(),
		ServerID:  serverID,
		Protocol:  protocolList[e.protocol],
		Type:      consoleTypeList[e.typ],
		Host:      s.hostNames[e.host],
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
	if !ValidUUID(token) {
		return ConsoleToken{}, notFound
	}
	key, err := uuid.Parse(token)
	if err != nil {
		return ConsoleToken{}, notFound
	}
	s.rlock()
	defer s.mu.RUnlock()
	t, ok := s.consoles.get(key)
	if !ok || now.UnixNano() >= t.expires {
		return ConsoleToken{}, notFound
	}
	serverID := t.server.String()
	if e, ok := s.servers[serverID]; t.serverSeq != 0 && (!ok || e.seq != t.serverSeq) {
		return ConsoleToken{}, notFound
	}
	return s.consoleToken(key, t, serverID, now.Location()), nil
}

// AddToken adds an API token. The store keeps it under its SHA-256, so
// lookups compare digests, not secrets.
func (s *Store) AddToken(t AuthToken) error {
	if t.Token == "" {
		return &InvalidError{Field: "token", Reason: "a token cannot be empty"}
	}
	if t.ProjectID != "" && !ValidProjectID(t.ProjectID) {
		return &InvalidError{Field: "project_id", Reason: quote(t.ProjectID) + " is not 32 lowercase hex digits or a dashed UUID"}
	}
	t.Roles = slices.Clone(t.Roles)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens[sha256.Sum256([]byte(t.Token))] = t
	s.tokenGen.Add(1)
	return nil
}

// Token returns the API token with the given value, unless it has expired.
// The comparison runs in constant time.
func (s *Store) Token(token string) (AuthToken, error) {
	sum := sha256.Sum256([]byte(token))
	s.mu.RLock()
	t, ok := s.tokens[sum]
	s.mu.RUnlock()
	if !ok || subtle.ConstantTimeCompare([]byte(t.Token), []byte(token)) != 1 ||
		!t.ExpiresAt.IsZero() && !s.clock.Now().Before(t.ExpiresAt) {
		return AuthToken{}, &NotFoundError{Kind: "token", ID: "(redacted)"}
	}
	t.Roles = slices.Clone(t.Roles)
	return t, nil
}

// TokenGeneration returns a number that changes whenever the API tokens
// do (added, removed, the store reset or loaded): what a cache of token
// lookups checks to stay true.
func (s *Store) TokenGeneration() uint64 { return s.tokenGen.Load() }

// Tokens returns every API token that has not expired.
func (s *Store) Tokens() []AuthToken {
	now := s.clock.Now()
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]AuthToken, 0, len(s.tokens))
	for _, t := range s.tokens {
		if t.ExpiresAt.IsZero() || now.Before(t.ExpiresAt) {
			t.Roles = slices.Clone(t.Roles)
			out = append(out, t)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Token < out[j].Token })
	return out
}

// RemoveToken revokes an API token.
func (s *Store) RemoveToken(token string) error {
	sum := sha256.Sum256([]byte(token))
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.tokens[sum]; !ok {
		return &NotFoundError{Kind: "token", ID: "(redacted)"}
	}
	delete(s.tokens, sum)
	s.tokenGen.Add(1)
	return nil
}

// AddUser adds a user of the fake identity service. An empty Domain means
// "Default"; an empty ID gets a generated one.
func (s *Store) AddUser(u User) (User, error) {
	if u.Name == "" {
		return User{}, &InvalidError{Field: "name", Reason: "a user needs a name"}
	}
	if u.Domain == "" {
		u.Domain = "Default"
	}
	if u.ID == "" {
		u.ID = NewProjectID()
	}
	key := u.Domain + "/" + u.Name
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.users[key]; ok {
		return User{}, &ConflictError{Kind: "user", ID: key}
	}
	u.Roles = cloneRoles(u.Roles)
	s.users[key] = u
	u.Roles = cloneRoles(u.Roles)
	return u, nil
}

// User returns the user with the given name in the given domain ("" means
// "Default").
func (s *Store) User(domain, name string) (User, error) {
	if domain == "" {
		domain = "Default"
	}
	s.mu.RLock()
	u, ok := s.users[domain+"/"+name]
	s.mu.RUnlock()
	if !ok {
		return User{}, &NotFoundError{Kind: "user", ID: name}
	}
	u.Roles = cloneRoles(u.Roles)
	return u, nil
}

// Users returns every user, sorted by domain and name.
func (s *Store) Users() []User {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]User, 0, len(s.users))
	for _, u := range s.users {
		u.Roles = cloneRoles(u.Roles)
		out = append(out, u)
	}
	sort.Slice(out, func(i, j int) bool {
		return out[i].Domain+"/"+out[i].Name < out[j].Domain+"/"+out[j].Name
	})
	return out
}

// NewProjectID returns a random id in Keystone's form: 32 lowercase hex
// digits.
func NewProjectID() string {
	u := uuid.New()
	const hex = "0123456789abcdef"
	b := make([]byte, 32)
	for i, c := range u {
		b[2*i], b[2*i+1] = hex[c>>4], hex[c&0xf]
	}
	return string(b)
}

func quote(s string) string { return strconv.Quote(s) }

// clone returns a copy of h that shares no memory with it, keeping nil (every
// console type) apart from empty (none).
func (h Host) clone() Host {
	h.ConsoleTypes = slices.Clone(h.ConsoleTypes)
	return h
}

// cloneRoles returns a deep copy of a User's Roles.
func cloneRoles(roles map[string][]string) map[string][]string {
	if roles == nil {
		return nil
	}
	out := make(map[string][]string, len(roles))
	for project, r := range roles {
		out[project] = slices.Clone(r)
	}
	return out
}
