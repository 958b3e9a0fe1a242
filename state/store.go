package state

import (
	"context"
	"crypto/sha256"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Defaults of the Store's options.
const (
	// DefaultConsoleTTL is Nova's [consoleauth] token_ttl.
	DefaultConsoleTTL = 600 * time.Second
	// DefaultMaxConsoleTokens bounds the console tokens kept at once:
	// about 30 MB of them, Nova's full TTL at 333 consoles a second.
	DefaultMaxConsoleTokens = 200000
)

// Option configures a Store.
type Option func(*Store)

// WithClock makes the store read time from c. Default: SystemClock.
func WithClock(c Clock) Option { return func(s *Store) { s.clock = c } }

// WithConsoleTTL sets how long a console token stays valid. Default:
// DefaultConsoleTTL (600 s, Nova's default).
func WithConsoleTTL(d time.Duration) Option { return func(s *Store) { s.consoleTTL = d } }

// WithMaxConsoleTokens bounds how many console tokens the store keeps
// (about 150 bytes each). A token lives its TTL unless the store holds n
// when another is issued: then the oldest is evicted before it expires, so
// that a stub under load does not grow without end (Nova keeps them all,
// in its database). Evictions are counted (ConsoleTokenStats) and logged
// (WithLogger). Default: DefaultMaxConsoleTokens.
func WithMaxConsoleTokens(n int) Option { return func(s *Store) { s.maxConsoles = n } }

// WithLogger sets where the store logs what a user should know, such as
// console tokens evicted before their expiry. Default: nowhere.
func WithLogger(l *slog.Logger) Option {
	return func(s *Store) {
		if l != nil {
			s.logger = l
		}
	}
}

// WithProtocols sets which console protocols the cloud has enabled, as
// Nova's [vnc] enabled, [spice] enabled, [serial_console] enabled and
// [mks] enabled do. Default: VNC only, as Nova.
func WithProtocols(p ...Protocol) Option {
	return func(s *Store) {
		s.protocolsSet = protocolBits(p)
	}
}

// Store holds the model. All methods are safe for concurrent use; every
// lookup by id or token is a hash table lookup. Getters return copies: change the
// model through the Store's methods.
type Store struct {
	clock       Clock
	consoleTTL  time.Duration
	maxConsoles int
	// protocolsSet is what WithProtocols configured; protocols is what
	// is enabled now (a seed file's console_protocols, else the
	// configured set), a bit per protocolList entry.
	protocolsSet uint32
	protocols    atomic.Uint32
	logger       *slog.Logger

	mu        sync.RWMutex
	projects  map[string]Project
	projOrder []string
	hosts     map[string]Host
	hostOrder []string
	servers   serverIDs // every server, by id
	byProject map[string]*projectServers
	seq       uint64
	timers    timerHeap // the next step of every server in a transition
	timings   Timings
	nextHost  int // round robin of the scheduler
	// consoleMu guards the console tokens, the names their entries
	// number and evictionLogged. It is taken with mu held, for reading
	// at least (a holder of mu's write lock needs it not): console
	// tokens are issued and looked up under mu's read lock, side by side
	// with every other reader of the model.
	consoleMu sync.Mutex
	hostNames names // every host a console entry names
	consoles  consoleTokens
	// foreignIDs are the ids of servers outside the store that are not
	// UUIDs, which console entries name by number.
	foreignIDs names
	// consoleEvicted counts live console tokens dropped early;
	// evictionLogged is when that was last logged (wall time).
	consoleEvicted atomic.Uint64
	evictionLogged time.Time
	tokens         map[[sha256.Size]byte]AuthToken
	tokenGen       atomic.Uint64   // changes with every change of tokens
	users          map[string]User // by domain + "/" + name
	cat            catalog         // images, flavors, networks, subnets, ports
	catalogGen     atomic.Uint64   // changes with every change of cat (CatalogGeneration)

	// persist writes every change to the state file of a store made by
	// Open; nil for one made by New.
	persist      *persister
	syncPolicy   SyncPolicy
	compactAfter int64
}

// New returns an empty Store.
func New(opts ...Option) *Store {
	s := &Store{
		clock:        SystemClock{},
		consoleTTL:   DefaultConsoleTTL,
		maxConsoles:  DefaultMaxConsoleTokens,
		protocolsSet: protocolBits([]Protocol{ProtocolVNC}),
		logger:       slog.New(discardHandler{}),
		timings:      DefaultTimings(),
		syncPolicy:   DefaultSync,
		compactAfter: DefaultCompactAfter,
	}
	for _, o := range opts {
		o(s)
	}
	s.protocols.Store(s.protocolsSet)
	s.reset()
	return s
}

func (s *Store) reset() {
	s.projects = map[string]Project{}
	s.projOrder = nil
	s.hosts = map[string]Host{}
	s.hostOrder = nil
	s.hostNames = names{}
	s.servers = serverIDs{}
	s.byProject = map[string]*projectServers{}
	s.timers = nil
	s.consoles = newConsoleTokens(s.maxConsoles)
	s.foreignIDs = names{}
	s.tokens = map[[sha256.Size]byte]AuthToken{}
	s.tokenGen.Add(1)
	s.users = map[string]User{}
	s.cat = newCatalog()
	s.catalogChanged()
}

// Reset empties the store: no projects, hosts, servers, tokens or users.
func (s *Store) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reset()
	if err := s.persistAll(); err != nil {
		s.logger.Error("the reset is not in the state file", "err", err)
	}
}

// Clock returns the clock the store reads.
func (s *Store) Clock() Clock { return s.clock }

// ConsoleTTL returns how long console tokens live.
func (s *Store) ConsoleTTL() time.Duration { return s.consoleTTL }

// ProtocolEnabled reports whether console protocol p is enabled.
func (s *Store) ProtocolEnabled(p Protocol) bool {
	bit := protocolBit(p)
	return bit != 0 && s.protocols.Load()&bit != 0
}

func quote(s string) string { return strconv.Quote(s) }

// discardHandler is a slog.Handler that drops every record.
type discardHandler struct{}

func (discardHandler) Enabled(context.Context, slog.Level) bool  { return false }
func (discardHandler) Handle(context.Context, slog.Record) error { return nil }
func (d discardHandler) WithAttrs([]slog.Attr) slog.Handler      { return d }
func (d discardHandler) WithGroup(string) slog.Handler           { return d }
