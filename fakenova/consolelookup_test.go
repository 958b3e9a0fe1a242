package fakenova_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/novastub/novastub/fakenova"
	"github.com/novastub/novastub/state"
)

// The console calls look the server up and issue its token in one step of
// the store; the answers stay Nova's, in Nova's order: a missing server, a
// DELETED one (where a console is asked) and another project's are Nova's
// 404, the legacy actions' policy comes before the lookup (403 for any
// id), remote-consoles' after it (404 first, then 403; and rdp's 400
// after the 404 too).
func TestConsoleLookupAnswers(t *testing.T) {
	ts := fakenova.Start(t, fakenova.WithState(state.New(state.WithProtocols(allProtocols...))))
	srv := ts.AddServer("vm")
	deleted := ts.AddServer("gone")
	_, err := ts.State.SetServerStatus(deleted.ID, "DELETED", nil, nil)
	require.NoError(t, err)
	other, err := ts.State.AddProject(state.Project{Name: "other"})
	require.NoError(t, err)
	theirs, err := ts.State.AddServer(state.Server{Name: "theirs", ProjectID: other.ID, Host: fakenova.TestHost})
	require.NoError(t, err)
	reader := "fedcba9876543210fedcba9876543210"
	require.NoError(t, ts.State.AddToken(state.AuthToken{Token: reader, ProjectID: ts.ProjectID, Roles: []string{"reader"}}))
	const missing = "9b0e6f0a-6f3c-4f47-9d3c-0f6d6a3e2b11"

	legacy := func(token, id string) exchange {
		return send(t, ts.URL, http.MethodPost, "/v2.1/"+ts.ProjectID+"/servers/"+id+"/action",
			apiHeader(token, ""), `{"os-getVNCConsole": {"type": "novnc"}}`)
	}
	remote := func(token, id, protocol, typ string) exchange {
		return send(t, ts.URL, http.MethodPost, "/v2.1/"+ts.ProjectID+"/servers/"+id+"/remote-consoles",
			apiHeader(token, "2.8"), `{"remote_console": {"protocol": "`+protocol+`", "type": "`+typ+`"}}`)
	}
	notFound := func(id string) string { return "Instance " + id + " could not be found." }

	require.Equal(t, http.StatusOK, legacy(ts.Token, srv.ID).status)
	require.Equal(t, http.StatusOK, remote(ts.Token, srv.ID, "vnc", "novnc").status)
	for _, id := range []string{missing, deleted.ID, theirs.ID} {
		assertNovaFault(t, legacy(ts.Token, id), http.StatusNotFound, "itemNotFound", notFound(id), "2.1")
		assertNovaFault(t, remote(ts.Token, id, "vnc", "novnc"), http.StatusNotFound, "itemNotFound", notFound(id), "2.8")
		if id == deleted.ID {
			continue // the store's DELETED server is found by the other checks, as before
		}
		assertNovaFault(t, remote(ts.Token, id, "rdp", "rdp-html5"), http.StatusNotFound, "itemNotFound", notFound(id), "2.8")
		assertNovaFault(t, remote(reader, id, "vnc", "novnc"), http.StatusNotFound, "itemNotFound", notFound(id), "2.8")
		assertNovaFault(t, legacy(reader, id), http.StatusForbidden, "forbidden", remoteConsolePolicy, "2.1")
	}
	assertNovaFault(t, remote(reader, srv.ID, "vnc", "novnc"), http.StatusForbidden, "forbidden", remoteConsolePolicy, "2.8")
	assertNovaFault(t, remote(reader, srv.ID, "rdp", "rdp-html5"), http.StatusForbidden, "forbidden", remoteConsolePolicy, "2.8")
	assertNovaFault(t, remote(ts.Token, srv.ID, "rdp", "rdp-html5"), http.StatusBadRequest, "badRequest", webobBadRequest, "2.8")

	_, err = ts.State.CreateConsole(state.ConsoleRequest{ProjectID: ts.ProjectID, ServerID: deleted.ID, Type: state.ConsoleNoVNC})
	require.ErrorIs(t, err, state.ErrNotFound, "the store does not find a DELETED server either")
}
