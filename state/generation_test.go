package state_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/novastub/novastub/state"
)

// Every change of the catalog changes CatalogGeneration, which a cache of
// server views relies on; a change of a server alone, a console or a token
// does not.
func TestCatalogGeneration(t *testing.T) {
	st := state.New()
	p := mustProject(t, st, "p")
	require.NoError(t, st.AddHost(state.Host{Name: "h"}))
	changes := func(what string, f func()) {
		t.Helper()
		before := st.CatalogGeneration()
		f()
		assert.NotEqual(t, before, st.CatalogGeneration(), "%s changes the catalog generation", what)
	}
	keeps := func(what string, f func()) {
		t.Helper()
		before := st.CatalogGeneration()
		f()
		assert.Equal(t, before, st.CatalogGeneration(), "%s leaves the catalog generation", what)
	}
	netID := "3c6b5d8e-1f2a-4b7c-9d0e-2a3b4c5d6e7f"
	changes("AddFlavor", func() {
		_, err := st.AddFlavor(state.Flavor{ID: "1", Name: "m1.tiny", VCPUs: 1, RAM: 512, Disk: 1})
		require.NoError(t, err)
	})
	changes("AddImage", func() {
		_, err := st.AddImage(state.Image{Name: "cirros"})
		require.NoError(t, err)
	})
	changes("AddNetwork", func() {
		_, err := st.AddNetwork(state.Network{ID: netID, Name: "private", ProjectID: p})
		require.NoError(t, err)
	})
	changes("AddSubnet", func() {
		_, err := st.AddSubnet(state.Subnet{NetworkID: netID, CIDR: "10.0.0.0/24"})
		require.NoError(t, err)
	})
	var srv state.Server
	keeps("AddServer", func() {
		var err error
		srv, err = st.AddServer(state.Server{Name: "vm", ProjectID: p, Host: "h"})
		require.NoError(t, err)
	})
	keeps("StartAction", func() {
		_, err := st.StartAction(srv.ID, state.ActionStop)
		require.NoError(t, err)
	})
	keeps("CreateConsole", func() {
		_, err := st.UpdateServer(srv.ID, func(s *state.Server) { s.VMState, s.TaskState = state.VMActive, state.TaskNone })
		require.NoError(t, err)
		_, err = st.CreateConsole(state.ConsoleRequest{ProjectID: p, ServerID: srv.ID, Type: state.ConsoleNoVNC})
		require.NoError(t, err)
	})
	changes("AllocatePorts", func() {
		_, err := st.AllocatePorts(srv.ID, state.Viewer{ProjectID: p}, []state.NetworkRequest{{NetworkID: netID}})
		require.NoError(t, err)
	})
	var port state.Port
	changes("AddPort", func() {
		var err error
		port, err = st.AddPort(state.Port{NetworkID: netID})
		require.NoError(t, err)
	})
	changes("AllocatePorts of a port given", func() {
		_, err := st.AllocatePorts(srv.ID, state.Viewer{ProjectID: p}, []state.NetworkRequest{{PortID: port.ID}})
		require.NoError(t, err)
	})
	changes("RemoveServer (its ports go)", func() { require.NoError(t, st.RemoveServer(srv.ID)) })
	changes("RemovePort", func() { require.NoError(t, st.RemovePort(port.ID)) })
	changes("Load", func() { require.NoError(t, st.Load(&state.Seed{})) })
	changes("Reset", st.Reset)
}
