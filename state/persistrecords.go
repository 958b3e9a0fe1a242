package state

import (
	"crypto/sha256"
	"encoding/hex"
	"sort"
	"time"

	"github.com/google/uuid"
)

// The records of the state file. Each is one line: {"op": kind, "data":
// ...}, the data an object of the model as the store holds it (the
// exported Go types, with their Go field names: Image, Flavor, Network,
// Subnet, Port, Server) or one of the types below. A record replaces what
// it names (a put) or removes it; replaying the records in order rebuilds
// the model. The snapshot at the start of the file is the same records,
// one per object, ended by snapshotEnd.
const (
	opHeader         = "header"           // headerRecord: the file's first line
	opSnapshotEnd    = "snapshot-end"     // snapshotEndRecord: the end of the snapshot
	opProject        = "project"          // Project
	opHost           = "host"             // SeedHost (which tells no console types from every type)
	opToken          = "token"            // AuthToken
	opTokenRemoved   = "token-removed"    // tokenRemovedRecord
	opUser           = "user"             // User
	opImage          = "image"            // Image
	opFlavor         = "flavor"           // Flavor
	opNetwork        = "network"          // Network (its Subnets are the subnet records')
	opSubnet         = "subnet"           // subnetRecord
	opPorts          = "ports"            // []Port: put, in order (a bound port goes last in its device's list)
	opPortRemoved    = "port-removed"     // idRecord
	opDevice         = "device"           // deviceRecord: the order of a device's ports
	opServer         = "server"           // serverRecord
	opServerRemoved  = "server-removed"   // serverRemovedRecord: the server and what goes with it
	opOutput         = "output"           // outputRecord: a console's text set or reset
	opConsole        = "console"          // consoleRecord: a console token issued
	opConsoleRevoked = "consoles-revoked" // serverIDRecord: a server's console tokens revoked
	opProtocols      = "protocols"        // []Protocol enabled
	opClock          = "clock"            // clockRecord: where the clock is
)

// headerRecord opens the file: what it is, and the store's counters and
// settings as they were when the snapshot was written.
type headerRecord struct {
	Format    string       `json:"format"`
	Version   int          `json:"version"`
	Written   time.Time    `json:"written"` // wall time, for people
	Clock     *clockRecord `json:"clock,omitempty"`
	Seq       uint64       `json:"seq"`       // the last server's creation number
	NextHost  int          `json:"next_host"` // the scheduler's round robin
	Protocols []Protocol   `json:"protocols"`
}

// snapshotEndRecord ends the snapshot, with the number of records it has
// (header and end excluded), so that a short one is seen.
type snapshotEndRecord struct {
	Records int `json:"records"`
}

// clockRecord is where a clock the store can move is: an OffsetClock's
// offset from the wall clock, or a ManualClock's time.
type clockRecord struct {
	Offset *time.Duration `json:"offset,omitempty"`
	Now    *time.Time     `json:"now,omitempty"`
}

type tokenRemovedRecord struct {
	SHA256 string `json:"sha256"` // the token's digest: a secret is written once
}

type idRecord struct {
	ID string `json:"id"`
}

type serverIDRecord struct {
	ServerID string `json:"server_id"`
}

// subnetRecord is a subnet added, and its network's revision after it.
type subnetRecord struct {
	Subnet
	NetworkRevision int `json:"network_revision,omitempty"` // 0: as it is
}

// deviceRecord orders the ports bound to a device, as the snapshot writes
// it (the ports records bind them in the order of the ports).
type deviceRecord struct {
	DeviceID string   `json:"device_id"`
	Ports    []string `json:"ports"`
}

// serverRecord is a server as the store holds it: the Server, its
// creation number, the rest of the transition it is in (the first step due
// at an absolute time on the store's clock, so that steps due while the
// stub was down apply when it starts) and its console log.
type serverRecord struct {
	Server
	Seq      uint64       `json:"seq"`
	Due      int64        `json:"due,omitempty"` // Unix ns the first step is due at
	Steps    []stepRecord `json:"steps,omitempty"`
	Log      []logRecord  `json:"log,omitempty"`
	Output   *string      `json:"output,omitempty"`    // the console text set (snapshot only; see outputRecord)
	NextHost int          `json:"next_host"`           // the scheduler's round robin after this change
	Ports    []Port       `json:"new_ports,omitempty"` // ports made with the server (CreateServer)
}

type stepRecord struct {
	Wait   time.Duration `json:"wait"`
	VM     VMState       `json:"vm_state,omitempty"`
	Task   TaskState     `json:"task_state,omitempty"`
	Power  PowerState    `json:"power_state,omitempty"`
	Host   hostChange    `json:"host,omitempty"`
	Remove bool          `json:"remove,omitempty"`
}

type logRecord struct {
	Kind logKind       `json:"kind"`
	At   int64         `json:"at"` // Unix ns
	Dur  time.Duration `json:"dur"`
}

// serverRemovedRecord is a server gone (deleted, or removed): its ports go
// as releaseServerPorts lets them go at At (Unix ns).
type serverRemovedRecord struct {
	ID string `json:"id"`
	At int64  `json:"at"`
}

// outputRecord sets a server's console text, or (null) goes back to the
// generated log.
type outputRecord struct {
	ID   string  `json:"id"`
	Text *string `json:"text"`
}

// consoleRecord is a console token as the store keeps it.
type consoleRecord struct {
	Token     string      `json:"token"`
	ServerID  string      `json:"server_id"`
	ServerSeq uint64      `json:"server_seq,omitempty"` // 0: a server outside the store
	Host      string      `json:"host"`
	Type      ConsoleType `json:"type"`
	Protocol  Protocol    `json:"protocol"`
	Port      int32       `json:"port"`
	TLSPort   int32       `json:"tls_port,omitempty"`
	Issued    int64       `json:"issued"`  // Unix ns
	Expires   int64       `json:"expires"` // Unix ns
}

// The hooks: each change of a persisted store writes its record before the
// call that made it returns, with the store's lock held; a store without a
// state file (New) skips them. They return ErrStateNotWritten when the
// record could not be written.

func (s *Store) persistProject(p Project) error {
	if s.persist == nil {
		return nil
	}
	return s.persist.append(opProject, p)
}

func (s *Store) persistHost(h Host) error {
	if s.persist == nil {
		return nil
	}
	return s.persist.append(opHost, seedHostOf(h))
}

func seedHostOf(h Host) SeedHost {
	sh := SeedHost{Name: h.Name, SerialPortsExhausted: h.SerialPortsExhausted}
	if h.ConsoleTypes != nil {
		types := append([]ConsoleType{}, h.ConsoleTypes...)
		sh.ConsoleTypes = &types
	}
	return sh
}

func (s *Store) persistToken(t AuthToken) error {
	if s.persist == nil {
		return nil
	}
	return s.persist.append(opToken, t)
}

func (s *Store) persistTokenRemoved(sum [sha256.Size]byte) error {
	if s.persist == nil {
		return nil
	}
	return s.persist.append(opTokenRemoved, tokenRemovedRecord{SHA256: hex.EncodeToString(sum[:])})
}

func (s *Store) persistUser(u User) error {
	if s.persist == nil {
		return nil
	}
	return s.persist.append(opUser, u)
}

func (s *Store) persistImage(im *Image) error {
	if s.persist == nil {
		return nil
	}
	return s.persist.append(opImage, im)
}

func (s *Store) persistFlavor(f *Flavor) error {
	if s.persist == nil {
		return nil
	}
	return s.persist.append(opFlavor, f)
}

func (s *Store) persistNetwork(n *networkEntry) error {
	if s.persist == nil {
		return nil
	}
	return s.persist.append(opNetwork, n.clone())
}

func (s *Store) persistSubnet(sn *subnetEntry, n *networkEntry) error {
	if s.persist == nil {
		return nil
	}
	return s.persist.append(opSubnet, subnetRecord{Subnet: sn.clone(), NetworkRevision: n.RevisionNumber})
}

// persistPorts writes ports made or changed (bound to a server), in the
// order they were bound.
func (s *Store) persistPorts(ports ...*portEntry) error {
	if s.persist == nil || len(ports) == 0 {
		return nil
	}
	return s.persist.append(opPorts, portsOf(ports))
}

func portsOf(entries []*portEntry) []Port {
	out := make([]Port, len(entries))
	for i, e := range entries {
		out[i] = e.clone()
	}
	return out
}

func (s *Store) persistPortRemoved(id string) error {
	if s.persist == nil {
		return nil
	}
	return s.persist.append(opPortRemoved, idRecord{ID: id})
}

// persistServer writes server e as it is now; s.mu is held.
func (s *Store) persistServer(e *serverEntry) error {
	if s.persist == nil {
		return nil
	}
	return s.persist.append(opServer, s.serverRecordOf(e, false))
}

// persistCreated writes a server made by CreateServer with its ports.
func (s *Store) persistCreated(e *serverEntry) error {
	if s.persist == nil {
		return nil
	}
	r := s.serverRecordOf(e, false)
	r.Ports = portsOf(s.cat.byDevice[e.ID])
	return s.persist.append(opServer, r)
}

func (s *Store) serverRecordOf(e *serverEntry, withOutput bool) serverRecord {
	r := serverRecord{Server: e.Server, Seq: e.seq, NextHost: s.nextHost}
	if len(e.steps) > 0 {
		r.Due = e.steps[0].due
		r.Steps = make([]stepRecord, len(e.steps))
		for i, st := range e.steps {
			r.Steps[i] = stepRecord{Wait: st.wait, VM: st.vm, Task: st.task, Power: st.power, Host: st.host, Remove: st.remove}
		}
	}
	if e.log != nil {
		r.Log = make([]logRecord, len(e.log.events))
		for i, ev := range e.log.events {
			r.Log[i] = logRecord{Kind: ev.kind, At: ev.at, Dur: ev.dur}
		}
		if withOutput {
			r.Output = e.log.text
		}
	}
	return r
}

// persistServerGone writes that server id went at at, with its ports.
func (s *Store) persistServerGone(id string, at time.Time) error {
	if s.persist == nil {
		return nil
	}
	return s.persist.append(opServerRemoved, serverRemovedRecord{ID: id, At: at.UnixNano()})
}

func (s *Store) persistOutput(id string, text *string) error {
	if s.persist == nil {
		return nil
	}
	return s.persist.append(opOutput, outputRecord{ID: id, Text: text})
}

// persistWith makes a change and writes its record in one step under the
// persister's lock, so that records reach the file in the order their
// changes reach memory: for changes made under s.mu's read lock, which two
// callers hold at once (console tokens, under s.consoleMu, which change
// takes). Lock order: s.mu, the persister's, s.consoleMu, as a compaction
// takes them. Without a state file it only makes the change: the record
// is not even built.
func (s *Store) persistWith(change func(), record func() (op string, data any)) error {
	if s.persist == nil {
		change()
		return nil
	}
	return s.persist.appendWith(func() (string, any) {
		change()
		return record()
	})
}

func consoleRecordOf(key uuid.UUID, e consoleEntry, serverID, host string) consoleRecord {
	return consoleRecord{Token: key.String(), ServerID: serverID, ServerSeq: e.serverSeq,
		Host: host, Type: consoleTypeList[e.typ], Protocol: protocolList[e.protocol],
		Port: e.port, TLSPort: e.tlsPort, Issued: e.issued, Expires: e.expires}
}

// persistProtocols writes the protocols enabled, read as the record is
// written, so that the last record has the last setting.
func (s *Store) persistProtocols() error {
	if s.persist == nil {
		return nil
	}
	p := s.persist
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.appendLocked(opProtocols, s.Protocols())
}

// persistClock writes where the clock is, read as the record is written:
// the clock calls it whenever it moves.
func (s *Store) persistClock() {
	p := s.persist
	p.mu.Lock()
	defer p.mu.Unlock()
	if c := s.clockRecord(); c != nil {
		if err := p.appendLocked(opClock, c); err != nil {
			s.logger.Error("the clock's move is not in the state file", "err", err)
		}
	}
}

func (s *Store) clockRecord() *clockRecord {
	switch c := s.clock.(type) {
	case *OffsetClock:
		off := c.Offset()
		return &clockRecord{Offset: &off}
	case *ManualClock:
		now := c.Now()
		return &clockRecord{Now: &now}
	}
	return nil
}

// persistAll writes the whole model as a new state file (a snapshot), in
// place of the log: after Load and Reset, and to compact the log. s.mu is
// held (for writing, or for reading while nothing else changes the model).
func (s *Store) persistAll() error {
	if s.persist == nil {
		return nil
	}
	s.persist.mu.Lock()
	defer s.persist.mu.Unlock()
	return s.persist.replaceFile(s.writeSnapshot)
}

// writeSnapshot writes every object of the model, in an order that
// replaying rebuilds it in: each kind in the order the store keeps it,
// what others refer to first. s.mu and the persister's mu are held.
func (s *Store) writeSnapshot(sw *snapshotWriter) {
	sw.put(opHeader, headerRecord{Format: stateFormat, Version: stateVersion, Written: time.Now().UTC(),
		Clock: s.clockRecord(), Seq: s.seq, NextHost: s.nextHost, Protocols: s.Protocols()})
	start := sw.count
	for _, id := range s.projOrder {
		sw.put(opProject, s.projects[id])
	}
	for _, name := range s.hostOrder {
		sw.put(opHost, seedHostOf(s.hosts[name]))
	}
	tokens := make([]AuthToken, 0, len(s.tokens))
	now := s.clock.Now()
	for _, t := range s.tokens {
		if !t.Expired(now) {
			tokens = append(tokens, t)
		}
	}
	sort.Slice(tokens, func(i, j int) bool { return tokens[i].Token < tokens[j].Token })
	for _, t := range tokens {
		sw.put(opToken, t)
	}
	users := make([]User, 0, len(s.users))
	for _, u := range s.users {
		users = append(users, u)
	}
	sort.Slice(users, func(i, j int) bool { return users[i].Domain+"/"+users[i].Name < users[j].Domain+"/"+users[j].Name })
	for _, u := range users {
		sw.put(opUser, u)
	}
	for _, im := range s.cat.imageOrder {
		sw.put(opImage, im)
	}
	for _, f := range s.cat.flavorOrder {
		sw.put(opFlavor, f)
	}
	for _, n := range s.cat.networkOrder {
		sw.put(opNetwork, n.clone())
	}
	for _, sn := range s.cat.subnetOrder {
		sw.put(opSubnet, subnetRecord{Subnet: sn.clone()})
	}
	const portsPerRecord = 64
	var batch []*portEntry
	for _, e := range s.cat.portOrder {
		if e.removed {
			continue
		}
		if batch = append(batch, e); len(batch) == portsPerRecord {
			sw.put(opPorts, portsOf(batch))
			batch = batch[:0]
		}
	}
	if len(batch) > 0 {
		sw.put(opPorts, portsOf(batch))
	}
	devices := make([]string, 0)
	for device, ports := range s.cat.byDevice {
		if len(ports) > 1 {
			devices = append(devices, device)
		}
	}
	sort.Strings(devices)
	for _, device := range devices {
		r := deviceRecord{DeviceID: device}
		for _, e := range s.cat.byDevice[device] {
			r.Ports = append(r.Ports, e.ID)
		}
		sw.put(opDevice, r)
	}
	for _, e := range s.servers.inOrder() {
		sw.put(opServer, s.serverRecordOf(e, true))
	}
	// The tokens are copied under consoleMu and written after it: lookups
	// need not wait for the disk. Issues and revocations wait for the
	// persister's lock, held, and so come after the snapshot.
	s.consoleMu.Lock()
	var consoles []consoleRecord
	s.consoles.eachLive(func(key uuid.UUID, e consoleEntry) {
		if e.expires > now.UnixNano() {
			consoles = append(consoles, consoleRecordOf(key, e, s.entryServerID(e), s.hostNames.list[e.host]))
		}
	})
	s.consoleMu.Unlock()
	for _, r := range consoles {
		sw.put(opConsole, r)
	}
	sw.put(opSnapshotEnd, snapshotEndRecord{Records: sw.count - start})
}
