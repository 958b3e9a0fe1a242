package state

import (
	"context"
	"regexp"
	"regexp/syntax"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"
)

// serverEntry is a stored server.
type serverEntry struct {
	Server
	seq   uint64      // creation order
	pos   int         // index in its project's list
	steps []step      // the rest of the transition it is in, if any (steps[0].due is set)
	log   *consoleLog // its console log; nil until it prints
}

// projectServers lists one project's servers, with their names beside
// them so that a name filter scans contiguous memory and copies only what
// matches, and an index of them by name, for a filter that asks for one
// name exactly (^name$).
type projectServers struct {
	entries []*serverEntry
	names   []string
	// byName holds one server of each name. sameName holds the others
	// that share a name with it, by the name's hash (nameHash), nil
	// until there are any.
	byName   nameIndex
	sameName map[uint64]map[*serverEntry]struct{}
	// substrings finds the names that hold a literal, for a filter
	// that is a plain name (Nova's search).
	substrings substringIndex
}

func (s *Store) insertServer(e *serverEntry) {
	ps := s.byProject[e.ProjectID]
	if ps == nil {
		ps = &projectServers{}
		s.byProject[e.ProjectID] = ps
	}
	e.pos = len(ps.entries)
	ps.entries = append(ps.entries, e)
	ps.names = append(ps.names, e.Name)
	ps.index(e)
	s.servers.put(e)
}

func (s *Store) removeServer(e *serverEntry) {
	ps := s.byProject[e.ProjectID]
	ps.unindex(e)
	last := len(ps.entries) - 1
	if moved := ps.entries[last]; moved != e {
		// The last server takes e's place, in the lists and the index.
		if slot, ok := ps.byName.findPos(last, nameHash(moved.Name)); ok {
			ps.byName.slots[slot] = uint32(e.pos + 1)
		}
		ps.entries[e.pos], ps.names[e.pos] = moved, ps.names[last]
		moved.pos = e.pos
	}
	ps.entries[last], ps.names[last] = nil, ""
	ps.entries, ps.names = ps.entries[:last], ps.names[:last]
	if last == 0 {
		delete(s.byProject, e.ProjectID)
	}
	s.servers.remove(e.ID)
}

// index adds e, at its place in the lists, to the index by name.
func (ps *projectServers) index(e *serverEntry) {
	h := nameHash(e.Name)
	if _, taken := ps.byName.find(e.Name, h, ps.names); !taken {
		ps.byName.insert(e.pos, h, ps.names)
		ps.substrings.added(e.Name)
		return
	}
	if ps.sameName == nil {
		ps.sameName = map[uint64]map[*serverEntry]struct{}{}
	}
	others := ps.sameName[h]
	if others == nil {
		others = map[*serverEntry]struct{}{}
		ps.sameName[h] = others
	}
	others[e] = struct{}{}
}

// unindex removes e, still at its place in the lists, from the index by
// name.
func (ps *projectServers) unindex(e *serverEntry) {
	h := nameHash(e.Name)
	others := ps.sameName[h]
	if slot, ok := ps.byName.findPos(e.pos, h); ok {
		promoted := false
		for other := range others { // another of the name takes its place
			if other.Name == e.Name {
				ps.byName.slots[slot] = uint32(other.pos + 1)
				delete(others, other)
				promoted = true
				break
			}
		}
		if !promoted {
			ps.byName.remove(slot, ps.names)
			ps.substrings.removed()
		}
	} else {
		delete(others, e)
	}
	if others != nil && len(others) == 0 {
		delete(ps.sameName, h)
	}
}

// named appends the project's servers named name exactly, in no order.
func (ps *projectServers) named(name string, out []*serverEntry) []*serverEntry {
	h := nameHash(name)
	if slot, ok := ps.byName.find(name, h, ps.names); ok {
		out = append(out, ps.entries[ps.byName.slots[slot]-1])
	}
	for e := range ps.sameName[h] {
		if e.Name == name {
			out = append(out, e)
		}
	}
	return out
}

// distinctNames returns each name of the project's servers once, in the
// order of the lists (whose names were made in about that order, so that
// reading them goes through memory in order). The result is the
// project's own names slice when no two servers share a name: the caller
// must not change it.
func (ps *projectServers) distinctNames() []string {
	if len(ps.sameName) == 0 {
		return ps.names
	}
	names := make([]string, 0, ps.byName.count)
	for i, name := range ps.names {
		if others := ps.sameName[nameHash(name)]; others != nil {
			if _, another := others[ps.entries[i]]; another {
				continue // the index by name has another of this name
			}
		}
		names = append(names, name)
	}
	return names
}

// AddServer adds a server and returns it as stored. An empty ID gets a
// uuid4; an empty VMState means active (with PowerRunning when PowerState is
// unset); Created and Updated are stamped from the clock. The project, and
// the host when given, must exist. A server without a FlavorID gets the
// store's DefaultFlavor, when it has one. The server stays in its state
// until changed: only servers created with CreateServer move on by
// themselves. Its console log is made up to match its state (a server
// with a host that is running or stopped has booted).
func (s *Store) AddServer(srv Server) (Server, error) {
	if srv.ID == "" {
		srv.ID = uuid.NewString()
	}
	if srv.VMState == "" {
		srv.VMState = VMActive
		if srv.PowerState == PowerNoState {
			srv.PowerState = PowerRunning
		}
	}
	now := s.clock.Now()
	srv.Created, srv.Updated = now, now
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advance(now)
	if err := s.checkServer(srv); err != nil {
		return Server{}, err
	}
	if srv.FlavorID == "" {
		if f := s.defaultFlavor(); f != nil {
			srv.FlavorID = f.ID
		}
	}
	if _, ok := s.servers.get(srv.ID); ok {
		return Server{}, &ConflictError{Kind: "server", ID: srv.ID}
	}
	s.seq++
	e := &serverEntry{Server: srv, seq: s.seq}
	s.insertServer(e)
	e.seedLog(s.timings, now)
	return srv, s.persistServer(e)
}

// checkServer validates a server against the model; s.mu is held.
func (s *Store) checkServer(srv Server) error {
	if !ValidUUID(srv.ID) {
		return &InvalidError{Field: "id", Reason: quote(srv.ID) + " is not a lowercase dashed UUID"}
	}
	if _, ok := s.projects[srv.ProjectID]; !ok {
		return &NotFoundError{Kind: "project", ID: srv.ProjectID}
	}
	if !ValidVMState(srv.VMState) {
		return &InvalidError{Field: "vm_state", Reason: quote(string(srv.VMState)) + " is not a Nova vm_state"}
	}
	if !ValidTaskState(srv.TaskState) {
		return &InvalidError{Field: "task_state", Reason: quote(string(srv.TaskState)) + " is not a Nova task_state"}
	}
	if srv.Host != "" {
		if _, ok := s.hosts[srv.Host]; !ok {
			return &NotFoundError{Kind: "host", ID: srv.Host}
		}
	}
	return nil
}

// Server returns the server with the given id, of any project.
func (s *Store) Server(id string) (Server, error) {
	s.rlock()
	defer s.mu.RUnlock()
	e, ok := s.servers.get(id)
	if !ok {
		return Server{}, &NotFoundError{Kind: "server", ID: id}
	}
	return e.Server, nil
}

// Servers returns every server, in the order they were added.
func (s *Store) Servers() []Server {
	s.rlock()
	defer s.mu.RUnlock()
	entries := s.servers.inOrder()
	out := make([]Server, len(entries))
	for i, e := range entries {
		out[i] = e.Server // copied under the lock: UpdateServer writes e.Server
	}
	return out
}

// ServerFilter selects servers for ListServers.
type ServerFilter struct {
	// ProjectID limits the list to one project; "" lists every project's.
	ProjectID string
	// Name, when set, is a regular expression that keeps the servers whose
	// name it matches anywhere (re.search, as Nova's name filter). A
	// pattern that does not compile, is a regular expression longer than
	// MaxNameRegexpBytes or would compile to a huge program matches
	// nothing.
	Name string
	// VMStates, when set, keep servers in one of them, and TaskStates,
	// when set, servers in one of those: what a Nova status filter
	// becomes (StatusFilter).
	VMStates   []VMState
	TaskStates []TaskState
	// Marker, when set, starts the list after the server with that id.
	Marker string
	// Limit caps the number of servers returned; 0 means no cap.
	Limit int
}

// ListServers returns the servers f selects, newest first (Nova's default
// sort: created_at descending). Only the matching servers are copied. A
// name filter that is one name exactly (^name$) is answered from an index
// by name; a literal otherwise (a plain name, as clients send, or one
// anchored at one end), in a project of 256 servers or more, from an
// index of the names' substrings, built by the first such search (about 5
// bytes a byte of the names); any other filter scans the project's names
// without touching the servers.
// A Marker that is not among the selected servers is a NotFoundError of
// kind "marker".
func (s *Store) ListServers(f ServerFilter) ([]Server, error) {
	lit, atStart, atEnd, isLiteral := literalPattern(f.Name)
	isExact := isLiteral && atStart && atEnd
	// A literal with at most one anchor, the plain name clients send
	// among them, is found by each big project's index of substrings.
	searched := isLiteral && lit != "" && !isExact
	var match func(string) bool
	if !isExact {
		match = nameMatcher(f.Name)
	}
	s.rlock()
	defer s.mu.RUnlock()
	var matched []*serverEntry
	keep := func(e *serverEntry) {
		if f.VMStates != nil && !slices.Contains(f.VMStates, e.VMState) ||
			f.TaskStates != nil && !slices.Contains(f.TaskStates, e.TaskState) {
			return
		}
		matched = append(matched, e)
	}
	// keepFrom keeps those of matched[start:], just found, that pass:
	// keep writes them back in place, behind the loop's reading.
	keepFrom := func(start int) {
		found := matched[start:]
		matched = matched[:start]
		for _, e := range found {
			keep(e)
		}
	}
	scan := func(ps *projectServers) {
		if isExact {
			// ^name$: the index has them, however many servers
			// the project has.
			start := len(matched)
			matched = ps.named(lit, matched)
			keepFrom(start)
			return
		}
		if searched && len(ps.names) >= indexSubstringsFrom {
			start := len(matched)
			matched = ps.substrings.search(ps, lit, atStart, atEnd, matched)
			keepFrom(start)
			return
		}
		for i, name := range ps.names {
			if match != nil && !match(name) {
				continue
			}
			keep(ps.entries[i])
		}
	}
	if f.ProjectID != "" {
		if ps := s.byProject[f.ProjectID]; ps != nil {
			scan(ps)
		}
	} else {
		for _, ps := range s.byProject {
			scan(ps)
		}
	}
	sort.Slice(matched, func(i, j int) bool { return matched[i].seq > matched[j].seq })
	if searched {
		matched = slices.Compact(matched) // a search may find a server twice
	}
	if f.Marker != "" {
		found := false
		for i, e := range matched {
			if e.ID == f.Marker {
				matched, found = matched[i+1:], true
				break
			}
		}
		if !found {
			return nil, &NotFoundError{Kind: "marker", ID: f.Marker}
		}
	}
	if f.Limit > 0 && len(matched) > f.Limit {
		matched = matched[:f.Limit]
	}
	out := make([]Server, len(matched))
	for i, e := range matched {
		out[i] = e.Server
	}
	return out, nil
}

// literalPattern splits a name filter that is a literal, with or without
// the anchors ^ and $, into the literal and its anchors; ok is false for
// a regular expression.
func literalPattern(pattern string) (lit string, start, end, ok bool) {
	lit = pattern
	if strings.HasPrefix(lit, "^") {
		lit, start = lit[1:], true
	}
	if strings.HasSuffix(lit, "$") && !strings.HasSuffix(lit, `\$`) {
		lit, end = lit[:len(lit)-1], true
	}
	return lit, start, end, regexp.QuoteMeta(lit) == lit
}

// nameMatcher returns the test of a name filter: a plain comparison for a
// literal pattern (with ^ and $ anchors or not), the regular expression
// otherwise; nil for no filter.
func nameMatcher(pattern string) func(string) bool {
	if pattern == "" {
		return nil
	}
	if lit, start, end, ok := literalPattern(pattern); ok {
		return func(name string) bool { return literalMatches(name, lit, start, end) }
	}
	if len(pattern) > MaxNameRegexpBytes || !smallRegexp(pattern) {
		return func(string) bool { return false }
	}
	re, err := regexp.Compile(pattern)
	if err != nil {
		return func(string) bool { return false }
	}
	return re.MatchString
}

// MaxNameRegexpBytes bounds a name filter that is a regular expression
// (one that is a literal, with or without ^ and $, has no bound of its
// own): a longer one matches nothing. Parsing a pattern costs up to 35 µs
// a byte (\pC classes), so 2 KiB cost at most 70 ms. Nova's own bound is
// its request line (8 KiB, eventlet's url_length_limit), which the fake's
// server keeps too; a name is at most 255 characters.
const MaxNameRegexpBytes = 2048

// maxRegexpSize bounds the size of a name filter's compiled program, in
// instructions, estimated before compiling it: a pattern of a few KiB of
// counted repetitions (\pL{1000}\pL{1000}...) would take hundreds of MiB
// and seconds to compile. A larger pattern matches nothing (with MySQL,
// Nova's database refuses such a REGEXP).
const maxRegexpSize = 20000

// smallRegexp reports whether pattern parses and its program would be
// within maxRegexpSize, counting each repetition's copies as compiling
// them would.
func smallRegexp(pattern string) bool {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return false
	}
	return regexpSize(re) <= maxRegexpSize
}

// regexpSize estimates the instructions re compiles to, saturating just
// above maxRegexpSize.
func regexpSize(re *syntax.Regexp) int {
	sum := 1
	for _, sub := range re.Sub {
		sum += regexpSize(sub)
		if sum > maxRegexpSize {
			return maxRegexpSize + 1
		}
	}
	switch re.Op {
	case syntax.OpLiteral:
		sum += len(re.Rune)
	case syntax.OpCharClass:
		sum += len(re.Rune) / 2 // a class's ranges cost memory as instructions do
	case syntax.OpRepeat:
		n := re.Max
		if n < 0 {
			n = re.Min + 1
		}
		if n > 0 && sum > (maxRegexpSize+1)/n {
			return maxRegexpSize + 1
		}
		sum *= max(n, 1)
	}
	return min(sum, maxRegexpSize+1)
}

// StatusFilter is Nova's task_and_vm_state_from_status for one status
// (case does not matter): the vm_states and task_states a server of that
// status may be in. tasks is nil when the status does not depend on the
// task (ACTIVE is any active server, even one rebooting). ok is false for
// a status Nova does not know, whose list is empty.
func StatusFilter(status string) (vms []VMState, tasks []TaskState, ok bool) {
	anyTask := false
	for vm, byTask := range statusMap {
		for task, st := range byTask {
			if !strings.EqualFold(st, strings.TrimSpace(status)) {
				continue
			}
			if !slices.Contains(vms, vm) {
				vms = append(vms, vm)
			}
			if task == "" {
				anyTask = true
			} else if !slices.Contains(tasks, task) {
				tasks = append(tasks, task)
			}
		}
	}
	if anyTask {
		tasks = nil
	}
	return vms, tasks, len(vms) > 0
}

// UpdateServer changes a server in place: fn gets a copy to edit, and the
// edit is kept only if the result is still valid (same id, known project
// and host, a Nova vm_state). Updated is stamped from the clock. A
// transition the server was in is abandoned: the edit decides its state.
// fn runs under the store's lock: it must not call the store.
func (s *Store) UpdateServer(id string, fn func(*Server)) (Server, error) {
	e, now, err := s.lockServer(id)
	defer s.mu.Unlock()
	if err != nil {
		return Server{}, err
	}
	srv := e.Server
	fn(&srv)
	if srv.ID != id {
		return Server{}, &InvalidError{Field: "id", Reason: "a server's id cannot change"}
	}
	if err := s.checkServer(srv); err != nil {
		return Server{}, err
	}
	srv.Updated = now
	if srv.ProjectID != e.ProjectID || srv.Name != e.Name {
		s.removeServer(e)
		e.Server = srv
		s.insertServer(e)
	}
	e.Server = srv
	e.steps = nil
	e.syncLog(s.timings, now)
	return srv, s.persistServer(e)
}

// SetServerHost moves a server to host; "" leaves it without one.
func (s *Store) SetServerHost(id, host string) (Server, error) {
	return s.UpdateServer(id, func(srv *Server) { srv.Host = host })
}

// RemoveServer deletes a server at once; its console tokens stop working,
// and its ports go as Nova's deallocate_for_instance lets them go (see
// Port.PreserveOnDelete).
func (s *Store) RemoveServer(id string) error {
	e, now, err := s.lockServer(id)
	defer s.mu.Unlock()
	if err == nil {
		s.removeServer(e)
		s.releaseServerPorts(e.ID, now)
		err = s.persistServerGone(e.ID, now)
	}
	return err
}

// lockServer takes the write lock, applies the steps due by now and finds
// server id. The caller unlocks s.mu, whatever the error.
func (s *Store) lockServer(id string) (*serverEntry, time.Time, error) {
	now := s.clock.Now()
	s.mu.Lock()
	s.advance(now)
	e, ok := s.servers.get(id)
	if !ok {
		return nil, now, &NotFoundError{Kind: "server", ID: id}
	}
	return e, now, nil
}

// LookupServer returns the server with the given id, as Server does; it
// makes the Store a source of servers for the embedding middleware
// (fakenova.ServerSource). It does not block, whatever ctx says.
func (s *Store) LookupServer(_ context.Context, id string) (Server, error) {
	return s.Server(id)
}

// SetServerStatus puts a server in a Nova status, as a seed file would:
// the status's vm_state, task_state and power_state, then task (when not
// nil) and host (when not nil). Without a host given, a server whose new
// status has none (BUILD, SHELVED_OFFLOADED) loses its host, and one that
// has no host but needs one gets the store's first host.
func (s *Store) SetServerStatus(id, status string, task *TaskState, host *string) (Server, error) {
	vm, t, power, err := storeStatusStates(status)
	if err != nil {
		return Server{}, err
	}
	if task != nil {
		t = *task
	}
	var first string
	s.mu.RLock()
	if len(s.hostOrder) > 0 {
		first = s.hostOrder[0]
	}
	s.mu.RUnlock()
	return s.UpdateServer(id, func(srv *Server) {
		srv.VMState, srv.TaskState, srv.PowerState = vm, t, power
		switch {
		case host != nil:
			srv.Host = *host
		case hostless(vm):
			srv.Host = ""
		case srv.Host == "":
			srv.Host = first
		}
	})
}

// SetServerState sets a server's vm_state and task_state.
func (s *Store) SetServerState(id string, vm VMState, task TaskState) (Server, error) {
	return s.UpdateServer(id, func(srv *Server) { srv.VMState, srv.TaskState = vm, task })
}
