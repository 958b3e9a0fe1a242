package state

import (
	"bufio"
	"container/heap"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"slices"
	"time"

	"github.com/google/uuid"
)

// replayResult tells what reading a state file found.
type replayResult struct {
	records   int   // records read, header and snapshot included
	size      int64 // bytes kept: the end of the last good record
	snapBytes int64 // the snapshot's bytes, header to end record
	torn      *FileError
}

// replay reads a state file into s, an empty store no one else uses yet.
// A bad record is a *FileError; an unfinished last record, or a last one
// that fails its checksum (the change being written when the process
// died), is cut off: res.torn says where, and res.size is where the good
// records end.
func (s *Store) replay(r io.Reader, path string) (res replayResult, err error) {
	lr := &lineReader{path: path, r: bufio.NewReaderSize(r, 64<<10)}
	inSnapshot, snapRecords := true, 0
	for {
		payload, err := lr.read()
		if err == io.EOF {
			break
		}
		var fe *FileError
		atEnd := false
		if errors.As(err, &fe) && !inSnapshot {
			_, peek := lr.r.Peek(1)
			atEnd = peek == io.EOF && lr.line > 1
		}
		switch {
		case err == errTorn && (lr.line == 1 || inSnapshot):
			return res, lr.errorf(nil, "the file ends within its snapshot (%d bytes of an unfinished record): it was cut short or is no state file", lr.next-lr.offset)
		case err == errTorn:
			res.torn = lr.errorf(nil, "an unfinished record of %d bytes (the change being written when the stub stopped)", lr.next-lr.offset)
		case atEnd:
			res.torn = lr.errorf(nil, "the last record fails its check (%s): a change cut short as the stub stopped", fe.Reason)
		case err != nil:
			return res, err
		}
		if res.torn != nil {
			break
		}
		op, data, err := decodeLine(payload)
		if err != nil {
			return res, lr.errorf(err, "malformed record: %v", err)
		}
		res.records++
		switch {
		case lr.line == 1:
			if op != opHeader {
				return res, lr.errorf(nil, "no header (%q record): this is no novastub state file", op)
			}
			err = s.replayHeader(data)
		case op == opHeader:
			err = errors.New("a second header")
		case op == opSnapshotEnd:
			var end snapshotEndRecord
			if err = decodeStrict(data, &end); err == nil && (!inSnapshot || end.Records != snapRecords) {
				err = fmt.Errorf("the snapshot has %d records, its end says %d (or it ended before)", snapRecords, end.Records)
			}
			inSnapshot = false
			res.snapBytes = lr.next
		default:
			if inSnapshot {
				snapRecords++
			}
			err = s.replayRecord(op, data)
		}
		if err != nil {
			var fe *FileError
			if errors.As(err, &fe) {
				return res, err
			}
			return res, lr.errorf(err, "%s record: %v", op, err)
		}
		res.size = lr.next
	}
	if lr.line == 0 {
		return res, &FileError{Path: path, Reason: "the file is empty: no header (delete it to start from the seed)"}
	}
	if inSnapshot {
		return res, &FileError{Path: path, Line: lr.line, Offset: lr.offset, Reason: "the snapshot has no end record: the file was cut short"}
	}
	s.rebuildTimers()
	s.tokenGen.Add(1)
	return res, nil
}

func (s *Store) replayHeader(data json.RawMessage) error {
	var h headerRecord
	if err := decodeStrict(data, &h); err != nil {
		return err
	}
	if h.Format != stateFormat {
		return fmt.Errorf("the format is %q, not %q: this is no novastub state file", h.Format, stateFormat)
	}
	if h.Version != stateVersion {
		return fmt.Errorf("version %d of the state file, this novastub reads version %d", h.Version, stateVersion)
	}
	if h.NextHost < 0 {
		return errors.New("a negative next_host")
	}
	if err := s.replayProtocols(h.Protocols); err != nil {
		return err
	}
	s.seq, s.nextHost = h.Seq, h.NextHost
	if h.Clock != nil {
		s.restoreClock(*h.Clock)
	}
	return nil
}

// replayRecord applies one record of the log (or of the snapshot).
func (s *Store) replayRecord(op string, data json.RawMessage) error {
	switch op {
	case opProject:
		var p Project
		if err := decodeStrict(data, &p); err != nil {
			return err
		}
		return s.restoreProject(p)
	case opHost:
		var h SeedHost
		if err := decodeStrict(data, &h); err != nil {
			return err
		}
		return s.restoreHost(h)
	case opToken:
		var t AuthToken
		if err := decodeStrict(data, &t); err != nil {
			return err
		}
		if t.Token == "" {
			return errors.New("a token cannot be empty")
		}
		s.tokens[sha256.Sum256([]byte(t.Token))] = t
	case opTokenRemoved:
		var r tokenRemovedRecord
		if err := decodeStrict(data, &r); err != nil {
			return err
		}
		var sum [sha256.Size]byte
		if len(r.SHA256) != 2*sha256.Size {
			return fmt.Errorf("sha256 %q is not 64 hex digits", r.SHA256)
		}
		if _, err := hex.Decode(sum[:], []byte(r.SHA256)); err != nil {
			return fmt.Errorf("sha256 %q is not 64 hex digits", r.SHA256)
		}
		delete(s.tokens, sum)
	case opUser:
		var u User
		if err := decodeStrict(data, &u); err != nil {
			return err
		}
		if u.Name == "" {
			return errors.New("a user needs a name")
		}
		if u.Domain == "" {
			u.Domain = DefaultDomainName
		}
		s.users[u.Domain+"/"+u.Name] = u
	case opImage:
		var im Image
		if err := decodeStrict(data, &im); err != nil {
			return err
		}
		return s.restoreImage(im)
	case opFlavor:
		var f Flavor
		if err := decodeStrict(data, &f); err != nil {
			return err
		}
		return s.restoreFlavor(f)
	case opNetwork:
		var n Network
		if err := decodeStrict(data, &n); err != nil {
			return err
		}
		return s.restoreNetwork(n)
	case opSubnet:
		var r subnetRecord
		if err := decodeStrict(data, &r); err != nil {
			return err
		}
		return s.restoreSubnet(r)
	case opPorts:
		var ports []Port
		if err := decodeStrict(data, &ports); err != nil {
			return err
		}
		for _, p := range ports {
			if err := s.restorePort(p); err != nil {
				return err
			}
		}
	case opPortRemoved:
		var r idRecord
		if err := decodeStrict(data, &r); err != nil {
			return err
		}
		if e, ok := s.cat.ports[r.ID]; ok {
			s.removePort(e)
		}
	case opDevice:
		var r deviceRecord
		if err := decodeStrict(data, &r); err != nil {
			return err
		}
		return s.restoreDevice(r)
	case opServer:
		var r serverRecord
		if err := decodeStrict(data, &r); err != nil {
			return err
		}
		return s.restoreServer(r)
	case opServerRemoved:
		var r serverRemovedRecord
		if err := decodeStrict(data, &r); err != nil {
			return err
		}
		if e, ok := s.servers.get(r.ID); ok {
			s.removeServer(e)
			s.releaseServerPorts(r.ID, time.Unix(0, r.At).In(s.clock.Now().Location()))
		}
	case opOutput:
		var r outputRecord
		if err := decodeStrict(data, &r); err != nil {
			return err
		}
		e, ok := s.servers.get(r.ID)
		if !ok {
			return fmt.Errorf("no server %q", r.ID)
		}
		if r.Text != nil && len(*r.Text) > MaxConsoleOutput {
			return fmt.Errorf("a console text longer than %d bytes", MaxConsoleOutput)
		}
		if e.log == nil {
			e.log = &consoleLog{}
		}
		e.log.text = r.Text
	case opConsole:
		var r consoleRecord
		if err := decodeStrict(data, &r); err != nil {
			return err
		}
		return s.restoreConsole(r)
	case opConsoleRevoked:
		var r serverIDRecord
		if err := decodeStrict(data, &r); err != nil {
			return err
		}
		s.consoles.removeIf(func(e consoleEntry) bool { return s.entryServerID(e) == r.ServerID })
	case opProtocols:
		var ps []Protocol
		if err := decodeStrict(data, &ps); err != nil {
			return err
		}
		return s.replayProtocols(ps)
	case opClock:
		var c clockRecord
		if err := decodeStrict(data, &c); err != nil {
			return err
		}
		s.restoreClock(c)
	default:
		return fmt.Errorf("unknown kind of record %q (a newer novastub's file?)", op)
	}
	return nil
}

func (s *Store) replayProtocols(ps []Protocol) error {
	for _, p := range ps {
		if !ValidProtocol(p) {
			return fmt.Errorf("%q is not vnc, spice, serial, mks or rdp", p)
		}
	}
	s.protocols.Store(protocolBits(ps))
	return nil
}

// restoreClock puts the store's clock where the file says, when it is of
// the kind the file knows (a store opened on another clock keeps it).
func (s *Store) restoreClock(c clockRecord) {
	switch clock := s.clock.(type) {
	case *OffsetClock:
		if c.Offset != nil {
			clock.setOffset(*c.Offset)
		}
	case *ManualClock:
		if c.Now != nil {
			now := *c.Now
			clock.now.Store(&now)
		}
	}
}

func (s *Store) restoreProject(p Project) error {
	if !ValidProjectID(p.ID) {
		return fmt.Errorf("project id %q is not 32 lowercase hex digits or a dashed UUID", p.ID)
	}
	if _, ok := s.projects[p.ID]; !ok {
		s.projOrder = append(s.projOrder, p.ID)
	}
	s.projects[p.ID] = p
	return nil
}

func (s *Store) restoreHost(sh SeedHost) error {
	h := Host{Name: sh.Name, SerialPortsExhausted: sh.SerialPortsExhausted}
	if sh.ConsoleTypes != nil {
		h.ConsoleTypes = append([]ConsoleType{}, (*sh.ConsoleTypes)...)
	}
	if h.Name == "" {
		return errors.New("a host needs a name")
	}
	for _, t := range h.ConsoleTypes {
		if !t.Valid() {
			return fmt.Errorf("%q is not a Nova console type", t)
		}
	}
	if _, ok := s.hosts[h.Name]; !ok {
		s.hostNames.number(h.Name)
		s.hostOrder = append(s.hostOrder, h.Name)
	}
	s.hosts[h.Name] = h
	return nil
}

func (s *Store) restoreImage(im Image) error {
	if im.ID == "" {
		return errors.New("an image needs an id")
	}
	if err := checkImage(&im, time.Time{}); err != nil {
		return err
	}
	if _, ok := s.cat.images[im.ID]; ok {
		return fmt.Errorf("image %s twice", im.ID)
	}
	s.cat.images[im.ID] = &im
	s.cat.imageOrder = append(s.cat.imageOrder, &im)
	return nil
}

func (s *Store) restoreFlavor(f Flavor) error {
	if f.ID == "" {
		return errors.New("a flavor needs an id")
	}
	if err := checkFlavor(&f); err != nil {
		return err
	}
	if _, ok := s.cat.flavors[f.ID]; ok {
		return fmt.Errorf("flavor %s twice", f.ID)
	}
	for _, e := range s.cat.flavorOrder {
		if e.Name == f.Name {
			return fmt.Errorf("flavor name %q twice", f.Name)
		}
	}
	s.cat.flavorSeq = max(s.cat.flavorSeq, f.InternalID)
	s.cat.flavors[f.ID] = &f
	s.cat.flavorOrder = append(s.cat.flavorOrder, &f)
	return nil
}

func (s *Store) restoreNetwork(n Network) error {
	switch {
	case !ValidUUID(n.ID):
		return fmt.Errorf("network id %q is not a lowercase dashed UUID", n.ID)
	case !ValidProjectID(n.ProjectID):
		return fmt.Errorf("network project_id %q is not 32 lowercase hex digits or a dashed UUID", n.ProjectID)
	}
	if _, ok := s.cat.networks[n.ID]; ok {
		return fmt.Errorf("network %s twice", n.ID)
	}
	n.Subnets = nil // the subnet records add them
	e := &networkEntry{Network: n, macs: map[string]bool{}}
	s.cat.networks[n.ID] = e
	s.cat.networkOrder = append(s.cat.networkOrder, e)
	return nil
}

func (s *Store) restoreSubnet(r subnetRecord) error {
	sn := r.Subnet
	if !ValidUUID(sn.ID) {
		return fmt.Errorf("subnet id %q is not a lowercase dashed UUID", sn.ID)
	}
	e, err := newSubnetEntry(sn)
	if err != nil {
		return err
	}
	n, ok := s.cat.networks[sn.NetworkID]
	if !ok {
		return fmt.Errorf("no network %q for subnet %s", sn.NetworkID, sn.ID)
	}
	if _, ok := s.cat.subnets[sn.ID]; ok {
		return fmt.Errorf("subnet %s twice", sn.ID)
	}
	for _, other := range n.subnets {
		if other.prefix.Overlaps(e.prefix) {
			return fmt.Errorf("subnet %s overlaps subnet %s", sn.ID, other.ID)
		}
	}
	if r.NetworkRevision > 0 {
		n.RevisionNumber = r.NetworkRevision
	}
	n.subnets = append(n.subnets, e)
	s.cat.subnets[e.ID] = e
	s.cat.subnetOrder = append(s.cat.subnetOrder, e)
	return nil
}

// restorePort puts a port as the record has it: a new one goes last in the
// order of ports, a known one changes in place; a bound one goes last
// among its device's ports unless it was bound to that device already.
func (s *Store) restorePort(p Port) error {
	if !ValidUUID(p.ID) {
		return fmt.Errorf("port id %q is not a lowercase dashed UUID", p.ID)
	}
	n, ok := s.cat.networks[p.NetworkID]
	if !ok {
		return fmt.Errorf("no network %q for port %s", p.NetworkID, p.ID)
	}
	hw, err := net.ParseMAC(p.MACAddress)
	if err != nil || len(hw) != 6 || hw.String() != p.MACAddress {
		return fmt.Errorf("port %s: %q is not a MAC address in lowercase colon form", p.ID, p.MACAddress)
	}
	e, known := s.cat.ports[p.ID]
	if known { // let go of what it holds, then take what it holds now
		if old := s.cat.networks[e.NetworkID]; old != nil {
			delete(old.macs, e.MACAddress)
		}
		for _, ip := range e.FixedIPs {
			if sn := s.cat.subnets[ip.SubnetID]; sn != nil {
				if addr, err := netip.ParseAddr(ip.IPAddress); err == nil {
					sn.alloc.release(addr)
				}
			}
		}
	}
	if n.macs[p.MACAddress] {
		return fmt.Errorf("port %s: MAC %s is used twice on network %s", p.ID, p.MACAddress, n.ID)
	}
	for _, ip := range p.FixedIPs {
		sn := s.cat.subnets[ip.SubnetID]
		if sn == nil || sn.NetworkID != n.ID {
			return fmt.Errorf("port %s: no subnet %q on network %s", p.ID, ip.SubnetID, n.ID)
		}
		addr, err := netip.ParseAddr(ip.IPAddress)
		if err != nil || addr.Zone() != "" || !sn.prefix.Contains(addr) || addr.String() != ip.IPAddress {
			return fmt.Errorf("port %s: %q is not an address of subnet %s", p.ID, ip.IPAddress, sn.ID)
		}
		if holder, used := sn.alloc.used[addr]; used && holder != p.ID {
			return fmt.Errorf("port %s: address %s is port %s's", p.ID, addr, holder)
		}
		sn.alloc.take(addr, p.ID)
	}
	n.macs[p.MACAddress] = true
	p.FixedIPs = slices.Clone(p.FixedIPs)
	p.Tags = slices.Clone(p.Tags)
	if !known {
		e = &portEntry{Port: p}
		s.cat.ports[p.ID] = e
		s.cat.portOrder = append(s.cat.portOrder, e)
	} else if e.DeviceID != p.DeviceID {
		s.unbindIndex(e)
	}
	wasBound := known && e.DeviceID == p.DeviceID
	e.Port = p
	if p.DeviceID != "" && !wasBound {
		s.cat.byDevice[p.DeviceID] = append(s.cat.byDevice[p.DeviceID], e)
	}
	return nil
}

// restoreDevice orders a device's ports as the record lists them: the
// same ports as it has.
func (s *Store) restoreDevice(r deviceRecord) error {
	have := s.cat.byDevice[r.DeviceID]
	if len(have) != len(r.Ports) {
		return fmt.Errorf("device %q has %d ports, the record lists %d", r.DeviceID, len(have), len(r.Ports))
	}
	ordered := make([]*portEntry, len(r.Ports))
	for i, id := range r.Ports {
		e := s.cat.ports[id]
		if e == nil || e.DeviceID != r.DeviceID || slices.Contains(ordered[:i], e) {
			return fmt.Errorf("port %q is not bound to device %q once", id, r.DeviceID)
		}
		ordered[i] = e
	}
	s.cat.byDevice[r.DeviceID] = ordered
	return nil
}

// restoreServer puts a server as the record has it, with its transition
// and its console log (its console text, set by its own records, stays).
func (s *Store) restoreServer(r serverRecord) error {
	srv := r.Server
	if err := s.checkServer(srv); err != nil {
		return err
	}
	if r.NextHost < 0 {
		return errors.New("a negative next_host")
	}
	steps := make([]step, len(r.Steps))
	for i, st := range r.Steps {
		if st.Wait < 0 || st.Host > clearHost || !st.Remove && !ValidVMState(st.VM) || !ValidTaskState(st.Task) {
			return fmt.Errorf("server %s: step %d is no step of a transition", srv.ID, i)
		}
		steps[i] = step{wait: st.Wait, vm: st.VM, task: st.Task, power: st.Power, host: st.Host, remove: st.Remove}
	}
	if len(r.Log) > maxLogEvents {
		return fmt.Errorf("server %s: a console log of %d events (at most %d)", srv.ID, len(r.Log), maxLogEvents)
	}
	if r.Output != nil && len(*r.Output) > MaxConsoleOutput {
		return fmt.Errorf("server %s: a console text longer than %d bytes", srv.ID, MaxConsoleOutput)
	}
	events := make([]logEvent, len(r.Log))
	for i, ev := range r.Log {
		if ev.Kind < logBoot || ev.Kind > logReboot || ev.Dur < 0 {
			return fmt.Errorf("server %s: console log event %d is no boot, shutdown or reboot", srv.ID, i)
		}
		events[i] = logEvent{kind: ev.Kind, at: ev.At, dur: ev.Dur}
	}
	for _, p := range r.Ports {
		if err := s.restorePort(p); err != nil {
			return err
		}
	}
	e, known := s.servers.get(srv.ID)
	switch {
	case !known:
		e = &serverEntry{Server: srv}
		s.insertServer(e)
	case e.ProjectID != srv.ProjectID || e.Name != srv.Name:
		s.removeServer(e)
		e.Server = srv
		s.insertServer(e)
	default:
		e.Server = srv
	}
	e.seq, e.steps = r.Seq, steps
	if len(steps) == 0 {
		e.steps = nil
	} else {
		e.steps[0].due = r.Due
	}
	var text *string
	if e.log != nil {
		text = e.log.text
	}
	if r.Output != nil {
		text = r.Output
	}
	e.log = nil
	if len(events) > 0 || text != nil {
		e.log = &consoleLog{text: text, events: events}
	}
	s.seq = max(s.seq, r.Seq)
	s.nextHost = r.NextHost
	return nil
}

// restoreConsole keeps a console token under its own value.
func (s *Store) restoreConsole(r consoleRecord) error {
	key, err := uuid.Parse(r.Token)
	if err != nil || !ValidUUID(r.Token) {
		return fmt.Errorf("console token %q is not a lowercase dashed UUID", r.Token)
	}
	typ, proto := slices.Index(consoleTypeList, r.Type), slices.Index(protocolList, r.Protocol)
	switch {
	case r.ServerID == "":
		return errors.New("a console token needs a server_id")
	case typ < 0:
		return fmt.Errorf("%q is not a Nova console type", r.Type)
	case proto < 0:
		return fmt.Errorf("%q is not a console protocol", r.Protocol)
	case r.Expires < r.Issued:
		return errors.New("a console token that expires before it is issued")
	}
	e := consoleEntry{serverSeq: r.ServerSeq, host: s.hostNames.number(r.Host), typ: uint8(typ),
		protocol: uint8(proto), port: r.Port, tlsPort: r.TLSPort, issued: r.Issued, expires: r.Expires}
	if ValidUUID(r.ServerID) {
		e.server, _ = uuid.Parse(r.ServerID)
	} else {
		e.foreign = s.foreignIDs.number(r.ServerID) + 1
	}
	s.countEvictions(s.consoles.restore(key, e))
	return nil
}

// restore keeps e under key, as put does under a new one: the tokens
// expired by e's issue are dropped, and the oldest live one when the store
// is full. A token already held keeps its place.
func (t *consoleTokens) restore(key uuid.UUID, e consoleEntry) (evicted int) {
	w := t.window()
	if _, n, ok := t.index.find(key, &w); ok {
		t.at(n).entry = e
		return 0
	}
	_, evicted = t.put(key, e, e.issued) // key is free: put keeps it
	return evicted
}

// rebuildTimers sets the timers of the servers in a transition, from the
// due time of each one's next step.
func (s *Store) rebuildTimers() {
	s.timers = s.timers[:0]
	s.servers.each(func(e *serverEntry) {
		if len(e.steps) > 0 {
			s.timers = append(s.timers, timer{at: e.steps[0].due, entry: e, steps: &e.steps[0]})
		}
	})
	heap.Init(&s.timers)
}
