package state

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// FuzzStateFile reads any bytes as a state file: never a panic, and either
// a *FileError or a store whose model is whole (every server's project and
// host, every port's network and subnets exist). Half the inputs are taken
// as lines of JSON that get their checksums, so that the records' contents
// are fuzzed, not only the framing.
func FuzzStateFile(f *testing.F) {
	st := New(WithClock(NewManualClock(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))))
	seed, err := ParseSeed([]byte(`{"projects": [{"id": "1ab83fbf1b594600bfa618dc33694dd6", "name": "demo"}],
	  "hosts": [{"name": "compute-1"}, {"name": "bm-1", "console_types": []}],
	  "tokens": [{"token": "t", "project_id": "1ab83fbf1b594600bfa618dc33694dd6"}],
	  "users": [{"name": "u", "password": "p", "roles": {"demo": ["admin"]}}],
	  "images": [{"id": "0f6a2c1e-8b5d-4e7a-9c3f-1d2e3f4a5b6c", "name": "cirros"}],
	  "flavors": [{"id": "1", "name": "m1.tiny", "vcpus": 1, "ram": 512, "disk": 1}],
	  "networks": [{"id": "3c6b5d8e-1f2a-4b7c-9d0e-2a3b4c5d6e7f", "name": "private", "project_id": "1ab83fbf1b594600bfa618dc33694dd6",
	                "subnets": [{"cidr": "10.0.0.0/26"}]}],
	  "servers": [{"id": "365313c5-5d0c-4c43-af05-16f765c0f2bc", "name": "vm1", "project_id": "1ab83fbf1b594600bfa618dc33694dd6", "console_output": "x"}],
	  "ports": [{"network_id": "private", "device_id": "365313c5-5d0c-4c43-af05-16f765c0f2bc"}]}`))
	if err != nil {
		f.Fatal(err)
	}
	if err := st.Load(seed); err != nil {
		f.Fatal(err)
	}
	path := filepath.Join(f.TempDir(), "seed.state")
	p, err := Open(path, seed, WithClock(NewManualClock(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))))
	if err != nil {
		f.Fatal(err)
	}
	if _, err := p.CreateServer(ServerRequest{Name: "n", ProjectID: "1ab83fbf1b594600bfa618dc33694dd6",
		Networks: []NetworkRequest{{NetworkID: "3c6b5d8e-1f2a-4b7c-9d0e-2a3b4c5d6e7f"}}}); err != nil {
		f.Fatal(err)
	}
	if _, err := p.CreateConsole(ConsoleRequest{ProjectID: "1ab83fbf1b594600bfa618dc33694dd6",
		ServerID: "365313c5-5d0c-4c43-af05-16f765c0f2bc", Type: ConsoleNoVNC}); err != nil {
		f.Fatal(err)
	}
	if err := p.RemoveServer("365313c5-5d0c-4c43-af05-16f765c0f2bc"); err != nil {
		f.Fatal(err)
	}
	if err := p.Close(); err != nil {
		f.Fatal(err)
	}
	file, err := os.ReadFile(path)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(file)
	f.Add(file[:len(file)-5])
	// The same records without their checksums, for the framing mode.
	var plain []byte
	for _, line := range bytes.SplitAfter(file, []byte("\n")) {
		if len(line) > 9 {
			plain = append(plain, line[9:]...)
		}
	}
	f.Add(append([]byte{1}, plain...))
	f.Add([]byte{})
	f.Add([]byte("00000000 {}\n"))
	f.Fuzz(readAnyBytes)
}

// readAnyBytes is FuzzStateFile's body.
func readAnyBytes(t *testing.T, data []byte) {
	if len(data) > 0 && data[0] == 1 {
		data = frameLines(data[1:])
	}
	s := New(WithClock(NewManualClock(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))), WithMaxConsoleTokens(50))
	res, err := s.replay(bytes.NewReader(data), "fuzz.state")
	if err != nil {
		var fe *FileError
		if !errors.As(err, &fe) {
			t.Fatalf("replay: %T %v", err, err)
		}
		return
	}
	if res.size > int64(len(data)) || res.snapBytes > res.size {
		t.Fatalf("sizes: %+v of %d bytes", res, len(data))
	}
	if err := s.checkWhole(); err != nil {
		t.Fatal(err)
	}
	// The store works: it serves, changes and writes itself.
	s.mu.Lock()
	s.advance(s.clock.Now().Add(time.Hour))
	s.mu.Unlock()
	_ = s.Snapshot()
	servers, _ := s.ListServers(ServerFilter{})
	for _, srv := range servers {
		_, _ = s.ConsoleOutput(srv.ID)
		_ = s.ServerAddresses(srv.ID)
		_, _ = s.StartAction(srv.ID, ActionDelete)
	}
	var buf bytes.Buffer
	sw := &snapshotWriter{p: newPersister("fuzz", SyncNever(), 0), w: bufio.NewWriter(&buf)}
	s.mu.RLock()
	s.writeSnapshot(sw)
	s.mu.RUnlock()
	if sw.err != nil {
		t.Fatal(sw.err)
	}
	_ = sw.w.Flush()
	again := New(WithClock(NewManualClock(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))), WithMaxConsoleTokens(50))
	if _, err := again.replay(&buf, "again.state"); err != nil {
		t.Fatalf("the snapshot of a store read from a file does not read: %v", err)
	}
}

// frameLines gives each line of data its checksum, as the state file's
// writer does.
func frameLines(data []byte) []byte {
	var out []byte
	for len(data) > 0 {
		line, rest, found := bytes.Cut(data, []byte("\n"))
		data = rest
		out = fmt.Appendf(out, "%08x ", crc32.Checksum(line, crcTable))
		out = append(out, line...)
		if found {
			out = append(out, '\n')
		}
	}
	return out
}

// checkWhole finds a reference of the model to something it does not
// have.
func (s *Store) checkWhole() error {
	var err error
	s.servers.each(func(e *serverEntry) {
		if err == nil {
			err = s.checkServerWhole(e)
		}
	})
	if err != nil {
		return err
	}
	for id, e := range s.cat.ports {
		if _, ok := s.cat.networks[e.NetworkID]; !ok {
			return fmt.Errorf("port %s: no network %s", id, e.NetworkID)
		}
		for _, ip := range e.FixedIPs {
			if _, ok := s.cat.subnets[ip.SubnetID]; !ok {
				return fmt.Errorf("port %s: no subnet %s", id, ip.SubnetID)
			}
		}
	}
	for device, ports := range s.cat.byDevice {
		for _, e := range ports {
			if e.DeviceID != device || e.removed {
				return fmt.Errorf("port %s is in device %s's index", e.ID, device)
			}
		}
	}
	return nil
}

// checkServerWhole finds a reference of server e to something the model
// does not have, or e not found by its id.
func (s *Store) checkServerWhole(e *serverEntry) error {
	if stored, _ := s.servers.get(e.ID); stored != e {
		return fmt.Errorf("server %s: not found by its id", e.ID)
	}
	if _, ok := s.projects[e.ProjectID]; !ok {
		return fmt.Errorf("server %s: no project %s", e.ID, e.ProjectID)
	}
	if _, ok := s.hosts[e.Host]; e.Host != "" && !ok {
		return fmt.Errorf("server %s: no host %s", e.ID, e.Host)
	}
	if ps := s.byProject[e.ProjectID]; ps == nil || ps.entries[e.pos] != e {
		return fmt.Errorf("server %s: not in its project's index", e.ID)
	}
	return nil
}
