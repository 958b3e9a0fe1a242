package state_test

import (
	"bytes"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/novastub/novastub/state"
)

const (
	netID     = "3c6b5d8e-1f2a-4b7c-9d0e-2a3b4c5d6e7f"
	subnet4ID = "4d7c6e9f-2a3b-4c8d-8e1f-3b4c5d6e7f80"
	subnet6ID = "5e8d7fa0-3b4c-4d9e-9f20-4c5d6e7f8091"
	imageID   = "0f6a2c1e-8b5d-4e7a-9c3f-1d2e3f4a5b6c"
	portA     = "81b0adc3-6e7f-4021-8253-7f8091a2b3c4"
	portB     = "92c1bed4-7f80-4132-9364-8091a2b3c4d5"
)

// persistSeed is a model with an object of every kind a seed holds.
func persistSeed(t testing.TB) *state.Seed {
	t.Helper()
	seed, err := state.ParseSeed([]byte(`{
	  "projects": [{"id": "` + projA + `", "name": "demo"}, {"id": "` + projDashed + `", "name": "dashed", "domain_id": "other"}],
	  "hosts": [{"name": "compute-1"}, {"name": "bm-1", "console_types": []},
	            {"name": "serial-1", "console_types": ["serial"], "serial_ports_exhausted": true}],
	  "console_protocols": ["vnc", "serial", "spice"],
	  "tokens": [{"token": "static-token", "project_id": "` + projA + `", "roles": ["member"]},
	             {"token": "expiring", "project_id": "` + projB + `", "expires_at": "2030-01-01T00:00:00Z"}],
	  "users": [{"name": "admin", "password": "secret", "roles": {"demo": ["admin"]}}],
	  "images": [{"id": "` + imageID + `", "name": "cirros", "visibility": "public", "tags": [],
	              "properties": {"os_distro": "cirros"}, "members": [{"project_id": "` + projB + `", "status": "pending"}]}],
	  "flavors": [{"id": "1", "name": "m1.tiny", "vcpus": 1, "ram": 512, "disk": 1, "extra_specs": {"hw:cpu_policy": "dedicated"}},
	              {"id": "2", "name": "m1.private", "vcpus": 2, "ram": 1024, "disk": 10, "is_public": false, "projects": ["` + projA + `"]}],
	  "networks": [{"id": "` + netID + `", "name": "private", "project_id": "` + projA + `", "mtu": 1442,
	                "subnets": [{"id": "` + subnet4ID + `", "name": "v4", "cidr": "10.0.0.0/24", "gateway_ip": null,
	                             "allocation_pools": [{"start": "10.0.0.10", "end": "10.0.0.200"}], "dns_nameservers": ["8.8.8.8"]},
	                            {"id": "` + subnet6ID + `", "name": "v6", "cidr": "fd00::/64", "ipv6_ra_mode": "slaac", "ipv6_address_mode": "slaac"}]}],
	  "servers": [{"id": "` + srv1 + `", "name": "vm1", "project_id": "` + projA + `", "host": "compute-1", "image_id": "` + imageID + `", "flavor_id": "1"},
	              {"id": "` + srv2 + `", "name": "off", "project_id": "` + projA + `", "status": "SHUTOFF", "console_output": "hello\r\n"}],
	  "ports": [{"id": "` + portA + `", "network_id": "private", "device_id": "` + srv1 + `", "mac_address": "fa:16:3e:2c:4d:01"},
	            {"id": "` + portB + `", "network_id": "` + netID + `", "project_id": "` + projA + `", "tags": ["spare"]}]
	}`))
	require.NoError(t, err)
	return seed
}

// view is everything a client can see of a store, read through its API.
type view struct {
	Now         time.Time
	Projects    []state.Project
	Hosts       []state.Host
	Protocols   []state.Protocol
	Tokens      []state.AuthToken
	Users       []state.User
	Images      []state.Image
	Flavors     []state.Flavor
	Networks    []state.Network
	Subnets     []state.Subnet
	Ports       []state.Port
	Servers     []state.Server
	ServerPorts map[string][]state.Port
	Output      map[string]string
	Consoles    map[string]*state.ConsoleToken // nil: not found
}

func viewOf(t *testing.T, st *state.Store, consoles ...string) view {
	t.Helper()
	v := view{Now: st.Clock().Now(), Projects: st.Projects(), Hosts: st.Hosts(), Protocols: st.Protocols(),
		Tokens: st.Tokens(), Users: st.Users(), Images: st.Images(), Flavors: st.Flavors(),
		Networks: st.Networks(), Subnets: st.Subnets(), Ports: st.Ports(), Servers: st.Servers(),
		ServerPorts: map[string][]state.Port{}, Output: map[string]string{}, Consoles: map[string]*state.ConsoleToken{}}
	for _, srv := range v.Servers {
		v.ServerPorts[srv.ID] = st.ServerPorts(srv.ID)
		out, err := st.ConsoleOutput(srv.ID)
		require.NoError(t, err)
		v.Output[srv.ID] = out
	}
	for _, tok := range consoles {
		if ct, err := st.ConsoleToken(tok); err == nil {
			v.Consoles[tok] = &ct
		} else {
			v.Consoles[tok] = nil
		}
	}
	return v
}

// openPersisted opens a store on path with a ManualClock at t0 (which the
// file moves to where it was), closed when the test ends.
func openPersisted(t *testing.T, path string, seed *state.Seed, opts ...state.Option) (*state.Store, *state.ManualClock) {
	t.Helper()
	clock := state.NewManualClock(t0)
	st, err := state.Open(path, seed, append([]state.Option{state.WithClock(clock), state.WithSync(state.SyncNever())}, opts...)...)
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	return st, clock
}

// TestPersistRoundTrip changes a store in every way there is, with
// transitions under way, and checks that a store opened on its file
// again is the same, by everything its API shows, then again after the
// file was compacted into a snapshot.
func TestPersistRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cloud.state")
	st, clock := openPersisted(t, path, persistSeed(t))

	_, err := st.AddProject(state.Project{ID: projB, Name: "other"})
	require.NoError(t, err)
	require.NoError(t, st.AddHost(state.Host{Name: "compute-2", ConsoleTypes: []state.ConsoleType{state.ConsoleNoVNC}}))
	_, err = st.UpdateHost("compute-1", func(h *state.Host) { h.SerialPortsExhausted = true })
	require.NoError(t, err)
	require.NoError(t, st.AddToken(state.AuthToken{Token: "issued", ProjectID: projA, Roles: []string{"admin"},
		UserID: "u1", UserName: "admin", UserDomain: "Default", IssuedAt: t0, ExpiresAt: t0.Add(time.Hour),
		Methods: state.MethodPassword | state.MethodToken, AuditID: "audit1", ParentAuditID: "audit0"}))
	require.NoError(t, st.AddToken(state.AuthToken{Token: "revoked", ProjectID: projA}))
	require.NoError(t, st.RemoveToken("revoked"))
	_, err = st.AddUser(state.User{Name: "bob", Password: "pw", Domain: "corp", Roles: map[string][]string{"other": {"reader"}}})
	require.NoError(t, err)
	_, err = st.AddImage(state.Image{Name: "second", Owner: projB, Tags: []string{"a"}})
	require.NoError(t, err)
	_, err = st.AddFlavor(state.Flavor{ID: "big", Name: "m1.big", VCPUs: 8, RAM: 8192, Disk: 80})
	require.NoError(t, err)
	n2, err := st.AddNetwork(state.Network{Name: "second", ProjectID: projB, Shared: true, Tags: []string{}})
	require.NoError(t, err)
	_, err = st.AddSubnet(state.Subnet{NetworkID: n2.ID, CIDR: "192.168.0.0/28"})
	require.NoError(t, err)
	gone, err := st.AddPort(state.Port{NetworkID: n2.ID})
	require.NoError(t, err)
	require.NoError(t, st.RemovePort(gone.ID))
	require.NoError(t, st.SetProtocols(state.ProtocolVNC, state.ProtocolSerial, state.ProtocolMKS))

	// A server created with a new port and an existing one, scheduled
	// and spawning; one being stopped; one deleted with its ports (the
	// preserved one stays, unbound); one rebooting.
	created, err := st.CreateServer(state.ServerRequest{Name: "new", ProjectID: projA, UserID: "u1", ImageID: imageID, FlavorID: "1",
		Networks: []state.NetworkRequest{{NetworkID: netID}, {PortID: portB}}})
	require.NoError(t, err)
	victim, err := st.CreateServer(state.ServerRequest{Name: "victim", ProjectID: projA, Networks: []state.NetworkRequest{{NetworkID: netID, FixedIP: "10.0.0.99"}}})
	require.NoError(t, err)
	rebooting := addServer(t, st, state.Server{Name: "rebooting", ProjectID: projB, Host: "compute-2"})
	clock.Advance(time.Second) // both scheduled: spawning on a host
	_, err = st.StartAction(srv1, state.ActionStop)
	require.NoError(t, err)
	_, err = st.StartAction(rebooting.ID, state.ActionReboot)
	require.NoError(t, err)
	_, err = st.SetServerStatus(srv2, "ERROR", nil, nil)
	require.NoError(t, err)
	_, err = st.UpdateServer(srv2, func(s *state.Server) { s.Fault = "boom"; s.Name = "renamed" })
	require.NoError(t, err)
	require.NoError(t, st.SetConsoleOutput(rebooting.ID, "set text"))
	require.NoError(t, st.ResetConsoleOutput(srv2))
	_, err = st.StartAction(victim.ID, state.ActionDelete)
	require.NoError(t, err)

	// Console tokens: of the store's servers, of a server outside it,
	// and revoked ones.
	tok1, err := st.CreateConsole(state.ConsoleRequest{ProjectID: projB, ServerID: rebooting.ID, Type: state.ConsoleNoVNC})
	require.NoError(t, err)
	foreign, err := st.IssueConsole(state.Server{ID: "42", Name: "elsewhere", Host: "esx-9", VMState: state.VMActive},
		state.ConsoleRequest{Type: state.ConsoleWebMKS})
	require.NoError(t, err)
	revoked, err := st.IssueConsole(state.Server{ID: "43", Host: "esx-9", VMState: state.VMActive}, state.ConsoleRequest{Type: state.ConsoleNoVNC})
	require.NoError(t, err)
	require.Equal(t, 1, st.RevokeServerConsoles("43"))
	clock.Advance(1500 * time.Millisecond) // the victim is gone; new spawns on; the stop not done
	consoles := []string{tok1.Token, foreign.Token, revoked.Token}

	want := viewOf(t, st, consoles...)
	require.Len(t, want.Servers, 4, "the victim is gone")
	assert.Equal(t, "spawning", string(want.Servers[2].TaskState), "the new server is spawning")
	require.Len(t, want.ServerPorts[created.ID], 2)
	assert.NotNil(t, want.Consoles[tok1.Token])
	assert.NotNil(t, want.Consoles[foreign.Token])
	assert.Nil(t, want.Consoles[revoked.Token])
	require.NoError(t, st.Close())

	again, clock2 := openPersisted(t, path, nil)
	assert.Equal(t, want, viewOf(t, again, consoles...), "reopened from the log")

	// The transitions go on from where they were, on the restored clock.
	clock2.Advance(time.Hour)
	later := viewOf(t, again, consoles...)
	for _, srv := range later.Servers {
		assert.Equal(t, state.TaskNone, srv.TaskState, srv.Name)
	}
	assert.Equal(t, "SHUTOFF", later.Servers[0].Status())
	assert.Equal(t, "ACTIVE", later.Servers[2].Status())
	assert.Nil(t, later.Consoles[tok1.Token], "expired an hour later")
	require.NoError(t, again.Close())

	// The same through a snapshot: Load of the model compacts the file
	// into one, and what cannot come through a seed stays as it is.
	third, _ := openPersisted(t, path, nil, state.WithCompactAfter(1))
	assert.Equal(t, later, viewOf(t, third, consoles...))
	_, err = third.StartAction(srv1, state.ActionStart) // past the bound: compacts
	require.NoError(t, err)
	want = viewOf(t, third, consoles...)
	require.NoError(t, third.Close())
	fourth, _ := openPersisted(t, path, nil)
	assert.Equal(t, want, viewOf(t, fourth, consoles...), "reopened from a compacted file")
}

// TestPersistTransitionsDueWhileDown: a transition whose steps came due
// while the store was closed has moved on when it opens again, its times
// those of the steps, not of the opening.
func TestPersistTransitionsDueWhileDown(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cloud.state")
	st, clock := openPersisted(t, path, persistSeed(t))
	srv, err := st.CreateServer(state.ServerRequest{Name: "new", ProjectID: projA})
	require.NoError(t, err)
	require.NoError(t, st.Close())

	// Another process would have a wall clock that moved on.
	clock2 := state.NewManualClock(t0)
	again, err := state.Open(path, nil, state.WithClock(clock2))
	require.NoError(t, err)
	defer again.Close()
	assert.Equal(t, clock.Now(), clock2.Now(), "the clock is where it was")
	clock2.Advance(time.Minute)
	got, err := again.Server(srv.ID)
	require.NoError(t, err)
	assert.Equal(t, "ACTIVE", got.Status())
	assert.Equal(t, "compute-1", got.Host)
	assert.Equal(t, t0.Add(6*time.Second), got.LaunchedAt, "launched when its spawn was due")
}

// TestPersistOffsetClock: the offset the control plane gave the wall
// clock is kept, so time does not jump back after a restart.
func TestPersistOffsetClock(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cloud.state")
	clock := state.NewOffsetClock()
	st, err := state.Open(path, persistSeed(t), state.WithClock(clock))
	require.NoError(t, err)
	clock.Advance(48 * time.Hour)
	before := clock.Now()
	require.NoError(t, st.Close())

	clock2 := state.NewOffsetClock()
	again, err := state.Open(path, nil, state.WithClock(clock2))
	require.NoError(t, err)
	defer again.Close()
	assert.Equal(t, 48*time.Hour, clock2.Offset())
	assert.False(t, clock2.Now().Before(before))
}

// TestPersistSeedWithExistingFile: an existing state file wins over the
// seed, and the logger says so.
func TestPersistSeedWithExistingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cloud.state")
	st, _ := openPersisted(t, path, persistSeed(t))
	_, err := st.AddProject(state.Project{ID: projB, Name: "other"})
	require.NoError(t, err)
	require.NoError(t, st.Close())

	var logs bytes.Buffer
	other := &state.Seed{Projects: []state.Project{{ID: projDashed, Name: "another"}}}
	again, _ := openPersisted(t, path, other, state.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	assert.Len(t, again.Projects(), 3, "the file's projects, not the seed's")
	assert.Contains(t, logs.String(), "state restored")
	assert.Contains(t, logs.String(), "seed=\"not loaded")
}

// TestPersistLoadAndReset: Load and Reset are kept, as a new snapshot in
// place of the log.
func TestPersistLoadAndReset(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cloud.state")
	st, _ := openPersisted(t, path, persistSeed(t))
	for range 50 {
		_, err := st.StartAction(srv1, state.ActionHardReboot)
		require.NoError(t, err)
	}
	grown := fileSize(t, path)
	small := &state.Seed{Projects: []state.Project{{ID: projB, Name: "small"}}, Hosts: []state.SeedHost{{Name: "h"}}}
	require.NoError(t, st.Load(small))
	assert.Less(t, fileSize(t, path), grown, "the log went with the model it described")
	require.NoError(t, st.Close())

	again, _ := openPersisted(t, path, nil)
	assert.Equal(t, []state.Project{{ID: projB, Name: "small", DomainID: "default"}}, again.Projects())
	assert.Empty(t, again.Servers())
	again.Reset()
	require.NoError(t, again.Close())

	third, _ := openPersisted(t, path, persistSeed(t))
	assert.Empty(t, third.Projects(), "reset is kept (and the seed not loaded)")
	assert.Empty(t, third.Hosts())
}

func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path)
	require.NoError(t, err)
	return fi.Size()
}

// TestPersistTornTail: a last record cut short (the process died as it
// was written) is cut off with a warning naming where; the rest is there,
// and the file goes on from a clean end.
func TestPersistTornTail(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cloud.state")
	st, _ := openPersisted(t, path, persistSeed(t))
	_, err := st.AddProject(state.Project{ID: projB, Name: "kept"})
	require.NoError(t, err)
	require.NoError(t, st.AddHost(state.Host{Name: "torn-host"}))
	require.NoError(t, st.Close())
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	lastStart := bytes.LastIndexByte(data[:len(data)-1], '\n') + 1
	lines := bytes.Count(data, []byte("\n"))
	require.NoError(t, os.WriteFile(path, data[:len(data)-7], 0o600)) // mid-record

	var logs bytes.Buffer
	again, _ := openPersisted(t, path, nil, state.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	_, err = again.Project(projB)
	assert.NoError(t, err, "the record before the torn one is there")
	_, err = again.Host("torn-host")
	assert.ErrorIs(t, err, state.ErrNotFound, "the torn record is not")
	assert.Contains(t, logs.String(), "the last record was cut off")
	assert.Contains(t, logs.String(), "offset="+itoa(lastStart))
	assert.Contains(t, logs.String(), "line="+itoa(lines))
	assert.Equal(t, int64(lastStart), fileSize(t, path), "cut at the start of the torn record")

	require.NoError(t, again.AddHost(state.Host{Name: "after"}))
	require.NoError(t, again.Close())
	third, _ := openPersisted(t, path, nil)
	_, err = third.Host("after")
	assert.NoError(t, err, "appends go on after the cut")
}

func itoa(n int) string { return strconv.Itoa(n) }

// TestPersistCorrupt: a damaged record anywhere but at the end, or a file
// that is no state file, is an error naming the line and offset and what
// is wrong; Open returns no store.
func TestPersistCorrupt(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "cloud.state")
	st, _ := openPersisted(t, path, persistSeed(t))
	for range 5 {
		_, err := st.StartAction(srv1, state.ActionHardReboot)
		require.NoError(t, err)
	}
	require.NoError(t, st.Close())
	good, err := os.ReadFile(path)
	require.NoError(t, err)
	lines := bytes.SplitAfter(good, []byte("\n"))
	lines = lines[:len(lines)-1] // the empty rest after the last newline
	offsetOf := func(line int) int {
		n := 0
		for _, l := range lines[:line-1] {
			n += len(l)
		}
		return n
	}
	last := len(lines)

	for _, tc := range []struct {
		name    string
		damage  func() []byte
		line    int
		message string
	}{
		{"a flipped byte in a change", func() []byte {
			d := bytes.Clone(good)
			d[offsetOf(last-2)+40] ^= 0x20
			return d
		}, last - 2, "checksum mismatch"},
		{"a flipped byte in the snapshot", func() []byte {
			d := bytes.Clone(good)
			d[offsetOf(3)+30] ^= 0x01
			return d
		}, 3, "checksum mismatch"},
		{"a line lost in the snapshot", func() []byte {
			return bytes.Join(append(append([][]byte{}, lines[:4]...), lines[5:]...), nil)
		}, 0, "the snapshot has"},
		{"a line without its checksum", func() []byte {
			d := bytes.Clone(good)
			copy(d[offsetOf(last-1):], "zzzzzzzz")
			return d
		}, last - 1, "not 8 hex digits"},
		{"cut within the snapshot", func() []byte { return good[:offsetOf(4)+10] }, 4, "ends within its snapshot"},
		{"a seed file", func() []byte { return []byte(`{"projects": []}` + "\n") }, 1, "not a record"},
		{"empty", func() []byte { return nil }, 0, "the file is empty"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "-"))
			require.NoError(t, os.WriteFile(p, tc.damage(), 0o600))
			st, err := state.Open(p, persistSeed(t))
			require.Error(t, err)
			assert.Nil(t, st)
			var fe *state.FileError
			require.True(t, errors.As(err, &fe), "%T %v", err, err)
			assert.Contains(t, fe.Reason, tc.message)
			assert.Equal(t, p, fe.Path)
			if tc.line > 0 {
				assert.Equal(t, tc.line, fe.Line)
				assert.Equal(t, int64(offsetOf(tc.line)), fe.Offset)
				assert.Contains(t, err.Error(), "line "+itoa(tc.line)+" (byte offset "+itoa(offsetOf(tc.line))+")")
			}
		})
	}
}

// TestPersistCompaction: the log is compacted as it grows, so a store
// changed many times keeps a file about the size of its model, and
// nothing is lost on the way.
func TestPersistCompaction(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cloud.state")
	st, clock := openPersisted(t, path, persistSeed(t), state.WithCompactAfter(16<<10))
	written, biggest := int64(0), int64(0)
	for i := range 240 {
		action := state.ActionStop
		if i%2 == 1 {
			action = state.ActionStart
		}
		before := fileSize(t, path)
		_, err := st.StartAction(srv1, action)
		require.NoError(t, err)
		clock.Advance(3 * time.Second)
		_, err = st.Server(srv1) // the step applies and is written
		require.NoError(t, err)
		if after := fileSize(t, path); after > before {
			written += after - before
		}
		biggest = max(biggest, fileSize(t, path))
	}
	want := viewOf(t, st)
	assert.Equal(t, "ACTIVE", want.Servers[0].Status())
	assert.Greater(t, written, int64(128<<10), "the changes' records, at least")
	// At most the snapshot (7 KB) and twice the larger of it and 16 KiB,
	// and a record.
	assert.Less(t, biggest, int64(48<<10), "the file stays within its bound")
	require.NoError(t, st.Close())
	again, _ := openPersisted(t, path, nil)
	assert.Equal(t, want, viewOf(t, again))
}

// TestPersistClosed: a store whose file is closed refuses changes with
// ErrStateNotWritten rather than acknowledging what it cannot keep.
func TestPersistClosed(t *testing.T) {
	st, _ := openPersisted(t, filepath.Join(t.TempDir(), "cloud.state"), persistSeed(t))
	require.NoError(t, st.Close())
	_, err := st.StartAction(srv1, state.ActionStop)
	assert.ErrorIs(t, err, state.ErrStateNotWritten)
	assert.NoError(t, st.Close(), "closing twice is no error")
}

func TestParseSyncPolicy(t *testing.T) {
	for in, want := range map[string]string{"always": "always", "never": "never", "1s": "1s", "250ms": "250ms"} {
		p, err := state.ParseSyncPolicy(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, p.String())
	}
	for _, bad := range []string{"", "sometimes", "0s", "-1s"} {
		_, err := state.ParseSyncPolicy(bad)
		assert.Error(t, err, bad)
	}
}

// TestPersistConcurrent: changes from several goroutines, with the clock
// moving and the log compacted under them, all reach the file: a store
// opened on it again is the same.
func TestPersistConcurrent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cloud.state")
	seed := persistSeed(t)
	seed.Hosts = seed.Hosts[:1]
	st, clock := openPersisted(t, path, seed, state.WithCompactAfter(8<<10))
	var wg sync.WaitGroup
	tokens := make([][]string, 4)
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []string
			for i := range 150 {
				switch {
				case len(mine) < 4 || i%6 == 0:
					srv, err := st.CreateServer(state.ServerRequest{Name: "c", ProjectID: projA, Networks: []state.NetworkRequest{{NetworkID: netID}}})
					if assert.NoError(t, err) {
						mine = append(mine, srv.ID)
					}
				case i%6 == 1:
					assert.NoError(t, st.RemoveServer(mine[0]))
					mine = mine[1:]
				case i%6 == 2:
					if tok, err := st.CreateConsole(state.ConsoleRequest{ProjectID: projA, ServerID: mine[i%len(mine)], Type: state.ConsoleNoVNC}); err == nil {
						tokens[w] = append(tokens[w], tok.Token)
					}
				case i%6 == 3 && w == 0:
					clock.Advance(2 * time.Second)
				default:
					_, _ = st.StartAction(mine[i%len(mine)], state.ActionStop)
				}
			}
		}()
	}
	wg.Wait()
	var all []string
	for _, ts := range tokens {
		all = append(all, ts...)
	}
	want := viewOf(t, st, all...)
	require.NoError(t, st.Close())
	again, _ := openPersisted(t, path, nil)
	assert.Equal(t, want, viewOf(t, again, all...))
}

// TestPersistBadSeedWithExistingFile: a seed that does not load is an
// error even when the state file is used instead (a reset would load it).
func TestPersistBadSeedWithExistingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cloud.state")
	st, _ := openPersisted(t, path, persistSeed(t))
	require.NoError(t, st.Close())
	bad := &state.Seed{Hosts: []state.SeedHost{{Name: "h"}}, Servers: []state.SeedServer{{ID: srv1, ProjectID: projA}}}
	_, err := state.Open(path, bad)
	var inv *state.InvalidError
	require.ErrorAs(t, err, &inv)
	assert.Equal(t, "servers[0].project_id", inv.Field)
}

// Console tokens issued and revoked from many goroutines at once (under
// the store's read lock) reach the file in the order they reach memory:
// with room for 3 tokens, evictions and revocations racing with issues,
// a store opened on the file again holds exactly the tokens that were
// live, each as it was.
func TestPersistConsolesInMemoryOrder(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cloud.state")
	st, _ := openPersisted(t, path, persistSeed(t), state.WithMaxConsoleTokens(3), state.WithCompactAfter(4<<10))
	var wg sync.WaitGroup
	var mu sync.Mutex
	var all []string
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 300 {
				if w == 3 && i%3 == 0 {
					st.RevokeServerConsoles(srv1)
					continue
				}
				tok, err := st.CreateConsole(state.ConsoleRequest{ProjectID: projA, ServerID: srv1, Type: state.ConsoleNoVNC})
				if assert.NoError(t, err) {
					mu.Lock()
					all = append(all, tok.Token)
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	want := viewOf(t, st, all...)
	live := 0
	for _, c := range want.Consoles {
		if c != nil {
			live++
		}
	}
	require.LessOrEqual(t, live, 3)
	require.NoError(t, st.Close())
	again, _ := openPersisted(t, path, nil, state.WithMaxConsoleTokens(3))
	assert.Equal(t, want, viewOf(t, again, all...))
}
