package state_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/novastub/novastub/state"
)

func consoleOutput(t *testing.T, st *state.Store, id string) string {
	t.Helper()
	out, err := st.ConsoleOutput(id)
	require.NoError(t, err)
	return out
}

// A created server's console prints as it builds, on the clock: nothing
// while it is scheduled, then the firmware, the kernel, cloud-init with
// its address, and, as it becomes ACTIVE, a login prompt naming it.
func TestConsoleOutputGrowsAsTheServerBoots(t *testing.T) {
	st, clock, project := lifecycleStore(t, "compute-1")
	net, err := st.AddNetwork(state.Network{Name: "private", ProjectID: project})
	require.NoError(t, err)
	_, err = st.AddSubnet(state.Subnet{NetworkID: net.ID, CIDR: "10.0.0.0/26"})
	require.NoError(t, err)
	srv, err := st.CreateServer(state.ServerRequest{Name: "Web Server_1", ProjectID: project,
		Networks: []state.NetworkRequest{{NetworkID: net.ID}}})
	require.NoError(t, err)

	assert.Equal(t, "", consoleOutput(t, st, srv.ID), "scheduling: no guest yet")
	clock.Advance(time.Second) // the scheduler places it: the guest starts
	first := consoleOutput(t, st, srv.ID)
	assert.Equal(t, "SeaBIOS (version 1.16.3-debian-1.16.3-2)\r\n", first)

	var sizes []int
	for i := 0; i < 5; i++ {
		clock.Advance(time.Second)
		out := consoleOutput(t, st, srv.ID)
		require.True(t, strings.HasPrefix(out, first), "the log only grows")
		sizes = append(sizes, len(out))
		st1, _ := status(t, st, srv.ID)
		if i < 4 {
			assert.Equal(t, "BUILD", st1)
			assert.NotContains(t, out, "login:")
		}
	}
	for i := 1; i < len(sizes); i++ {
		assert.Greater(t, sizes[i], sizes[i-1])
	}
	got, _ := status(t, st, srv.ID)
	require.Equal(t, "ACTIVE", got)
	out := consoleOutput(t, st, srv.ID)
	assert.True(t, strings.HasSuffix(out, "\r\nweb-server-1 login: "), out)
	assert.Contains(t, out, "[    0.250000] Linux version 6.1.0-28-amd64")
	assert.Contains(t, out, "systemd[1]: Hostname set to <web-server-1>.")
	ports := st.ServerPorts(srv.ID)
	require.Len(t, ports, 1)
	assert.Contains(t, out, "|   eth0 | True |                     "+ports[0].FixedIPs[0].IPAddress+" | 255.255.255.192 | global | "+ports[0].MACAddress+" |")
	assert.Contains(t, out, "cloud-init[412]: Cloud-init v. 22.4.2 running 'init' at Fri, 02 Jan 2026 03:04:08 +0000. Up 2.00 seconds.")

	clock.Advance(time.Hour)
	assert.Equal(t, out, consoleOutput(t, st, srv.ID), "a booted guest is quiet")
}

// Stop prints the shutdown; start and a hard reboot boot again; a soft
// reboot shuts down and restarts; every boot ends in a login prompt.
func TestConsoleOutputFollowsTheLifecycle(t *testing.T) {
	st, clock, project := lifecycleStore(t, "compute-1")
	srv := addServer(t, st, state.Server{ID: srv1, Name: "db", ProjectID: project, Host: "compute-1"})
	booted := consoleOutput(t, st, srv.ID)
	require.True(t, strings.HasSuffix(booted, "db login: "), "an ACTIVE server added has booted")
	assert.Equal(t, 1, strings.Count(booted, "SeaBIOS"))

	_, err := st.StartAction(srv.ID, state.ActionStop)
	require.NoError(t, err)
	clock.Advance(2 * time.Second)
	out := consoleOutput(t, st, srv.ID)
	assert.True(t, strings.HasPrefix(out, booted+"\r\n[  OK  ] Removed slice system-modprobe.slice.\r\n"), out)
	assert.Regexp(t, `\[ +\d+\.\d{6}\] reboot: Power down\r\n$`, out)

	_, err = st.StartAction(srv.ID, state.ActionStart)
	require.NoError(t, err)
	clock.Advance(time.Second)
	mid := consoleOutput(t, st, srv.ID)
	assert.Equal(t, 2, strings.Count(mid, "SeaBIOS"))
	assert.False(t, strings.HasSuffix(mid, "login: "), "half way through the boot")
	clock.Advance(time.Second)
	assert.True(t, strings.HasSuffix(consoleOutput(t, st, srv.ID), "db login: "))

	_, err = st.StartAction(srv.ID, state.ActionReboot)
	require.NoError(t, err)
	clock.Advance(2 * time.Second)
	out = consoleOutput(t, st, srv.ID)
	assert.Contains(t, out, "] reboot: Restarting system\r\nSeaBIOS")
	assert.Equal(t, 3, strings.Count(out, "SeaBIOS"))
	assert.True(t, strings.HasSuffix(out, "db login: "))

	_, err = st.StartAction(srv.ID, state.ActionHardReboot)
	require.NoError(t, err)
	clock.Advance(2 * time.Second)
	out = consoleOutput(t, st, srv.ID)
	assert.Equal(t, 4, strings.Count(out, "SeaBIOS"))
	assert.Equal(t, 1, strings.Count(out, "Restarting system"), "a hard reboot resets the guest")
}

// A server's log is made up to match the state it is added or set in.
func TestConsoleOutputOfServersSetOutright(t *testing.T) {
	st, _, project := lifecycleStore(t, "compute-1")
	building := addServer(t, st, state.Server{Name: "b", ProjectID: project, VMState: state.VMBuilding, TaskState: state.TaskScheduling})
	assert.Equal(t, "", consoleOutput(t, st, building.ID))
	stopped := addServer(t, st, state.Server{Name: "s", ProjectID: project, Host: "compute-1", VMState: state.VMStopped, PowerState: state.PowerShutdown})
	out := consoleOutput(t, st, stopped.ID)
	assert.Contains(t, out, "s login: \r\n[  OK  ]")
	assert.True(t, strings.HasSuffix(out, "reboot: Power down\r\n"), out)

	// Set running by hand: it has booted again.
	_, err := st.SetServerStatus(stopped.ID, "ACTIVE", nil, nil)
	require.NoError(t, err)
	out = consoleOutput(t, st, stopped.ID)
	assert.Equal(t, 2, strings.Count(out, "SeaBIOS"))
	assert.True(t, strings.HasSuffix(out, "s login: "))
	// Shelved offloaded: the log went with the host.
	_, err = st.SetServerStatus(stopped.ID, "SHELVED_OFFLOADED", nil, nil)
	require.NoError(t, err)
	assert.Equal(t, "", consoleOutput(t, st, stopped.ID))
}

func TestSetConsoleOutput(t *testing.T) {
	st, clock, project := lifecycleStore(t, "compute-1")
	srv := addServer(t, st, state.Server{ID: srv1, Name: "vm", ProjectID: project, Host: "compute-1"})
	require.NoError(t, st.SetConsoleOutput(srv.ID, "FAKE CONSOLE OUTPUT\nANOTHER\nLAST LINE"))
	_, err := st.StartAction(srv.ID, state.ActionReboot)
	require.NoError(t, err)
	clock.Advance(time.Minute)
	assert.Equal(t, "FAKE CONSOLE OUTPUT\nANOTHER\nLAST LINE", consoleOutput(t, st, srv.ID), "the text set stays")

	seed := st.Snapshot()
	require.NotNil(t, seed.Servers[0].ConsoleOutput)
	assert.Equal(t, "FAKE CONSOLE OUTPUT\nANOTHER\nLAST LINE", *seed.Servers[0].ConsoleOutput)
	again := state.New()
	require.NoError(t, again.Load(seed))
	assert.Equal(t, "FAKE CONSOLE OUTPUT\nANOTHER\nLAST LINE", consoleOutput(t, again, srv.ID))

	require.NoError(t, st.ResetConsoleOutput(srv.ID))
	assert.Contains(t, consoleOutput(t, st, srv.ID), "vm login: ")
	assert.Nil(t, st.Snapshot().Servers[0].ConsoleOutput)

	requireOnly(t, st.SetConsoleOutput(srv2, "x"), state.ErrNotFound)
	requireOnly(t, st.ResetConsoleOutput(srv2), state.ErrNotFound)
	_, err = st.ConsoleOutput(srv2)
	requireOnly(t, err, state.ErrNotFound)
	err = st.SetConsoleOutput(srv.ID, strings.Repeat("x", state.MaxConsoleOutput+1))
	requireOnly(t, err, state.ErrInvalid)
}

func TestSeedConsoleOutput(t *testing.T) {
	seed, err := state.ParseSeed([]byte(`{"projects": [{"id": "` + projA + `", "name": "demo"}], "hosts": [{"name": "compute-1"}],
		"servers": [{"id": "` + srv1 + `", "name": "vm1", "project_id": "` + projA + `", "console_output": "hello\nworld"}]}`))
	require.NoError(t, err)
	st := state.New()
	require.NoError(t, st.Load(seed))
	assert.Equal(t, "hello\nworld", consoleOutput(t, st, srv1))

	seed, err = state.ParseSeed([]byte(`{"projects": [{"id": "` + projA + `", "name": "demo"}], "hosts": [{"name": "compute-1"}],
		"servers": [{"id": "` + srv1 + `", "name": "vm1", "project_id": "` + projA + `", "console_output": 5}]}`))
	require.Nil(t, seed)
	assert.EqualError(t, err, `servers[0].console_output: expected a string, got number`)
}

func TestServerHostname(t *testing.T) {
	for name, want := range map[string]string{
		"web-1":                 "web-1",
		"My Server_1.prod":      "my-server-1-prod",
		"--Ünïcode café--":      "ünïcode-café",
		"日本":                    "Server-" + srv1,
		"a!b@c#":                "abc",
		strings.Repeat("x", 70): strings.Repeat("x", 63),
	} {
		assert.Equal(t, want, state.Server{ID: srv1, Name: name}.Hostname(), name)
	}
}

// A server added without a flavor gets m1.tiny, or without one the
// smallest public, enabled flavor.
func TestDefaultFlavor(t *testing.T) {
	st, _, project := lifecycleStore(t, "compute-1")
	_, ok := st.DefaultFlavor()
	assert.False(t, ok)
	assert.Equal(t, "", addServer(t, st, state.Server{Name: "a", ProjectID: project, Host: "compute-1"}).FlavorID)
	for _, f := range []state.Flavor{
		{ID: "big", Name: "big", VCPUs: 4, RAM: 4096, Disk: 10},
		{ID: "small-private", Name: "sp", VCPUs: 1, RAM: 64, Disk: 1, Private: true},
		{ID: "small-disabled", Name: "sd", VCPUs: 1, RAM: 64, Disk: 1, Disabled: true},
		{ID: "b", Name: "small-b", VCPUs: 1, RAM: 256, Disk: 1},
		{ID: "a", Name: "small-a", VCPUs: 1, RAM: 256, Disk: 1},
	} {
		_, err := st.AddFlavor(f)
		require.NoError(t, err)
	}
	f, ok := st.DefaultFlavor()
	require.True(t, ok)
	assert.Equal(t, "a", f.ID, "the smallest public, enabled one; then by flavorid")
	_, err := st.AddFlavor(state.Flavor{ID: "1", Name: "m1.tiny", VCPUs: 1, RAM: 512, Disk: 1})
	require.NoError(t, err)
	f, _ = st.DefaultFlavor()
	assert.Equal(t, "1", f.ID, "m1.tiny when there is one")
	assert.Equal(t, "1", addServer(t, st, state.Server{Name: "b", ProjectID: project, Host: "compute-1"}).FlavorID)
	assert.Equal(t, "big", addServer(t, st, state.Server{Name: "c", ProjectID: project, Host: "compute-1", FlavorID: "big"}).FlavorID)
}

func TestServerAddresses(t *testing.T) {
	st, _, project := lifecycleStore(t, "compute-1")
	priv, err := st.AddNetwork(state.Network{Name: "private", ProjectID: project})
	require.NoError(t, err)
	_, err = st.AddSubnet(state.Subnet{NetworkID: priv.ID, CIDR: "10.0.0.0/26"})
	require.NoError(t, err)
	_, err = st.AddSubnet(state.Subnet{NetworkID: priv.ID, CIDR: "fd00:1::/64", IPv6AddressMode: state.IPv6SLAAC, IPv6RAMode: state.IPv6SLAAC})
	require.NoError(t, err)
	other, err := st.AddNetwork(state.Network{Name: "other", ProjectID: project})
	require.NoError(t, err)
	_, err = st.AddSubnet(state.Subnet{NetworkID: other.ID, CIDR: "192.168.0.0/24"})
	require.NoError(t, err)
	srv, err := st.CreateServer(state.ServerRequest{Name: "vm", ProjectID: project, Networks: []state.NetworkRequest{
		{NetworkID: priv.ID}, {NetworkID: other.ID, FixedIP: "192.168.0.50"}, {NetworkID: priv.ID}}})
	require.NoError(t, err)
	ports := st.ServerPorts(srv.ID)
	require.Len(t, ports, 3)
	nets := st.ServerAddresses(srv.ID)
	require.Len(t, nets, 2, "one entry per network name, at its first port")
	assert.Equal(t, "private", nets[0].Name)
	require.Len(t, nets[0].Addresses, 4, "both ports' v4 and v6 addresses")
	assert.Equal(t, state.ServerAddress{Version: 4, Addr: ports[0].FixedIPs[0].IPAddress, MAC: ports[0].MACAddress}, nets[0].Addresses[0])
	assert.Equal(t, 6, nets[0].Addresses[1].Version)
	assert.Equal(t, ports[2].MACAddress, nets[0].Addresses[3].MAC)
	assert.Equal(t, []state.ServerAddress{{Version: 4, Addr: "192.168.0.50", MAC: ports[1].MACAddress}}, nets[1].Addresses)
	assert.Nil(t, st.ServerAddresses(srv2))
}
