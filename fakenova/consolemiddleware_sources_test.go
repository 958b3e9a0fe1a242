package fakenova_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/novastub/novastub/fakenova"
	"github.com/novastub/novastub/middleware"
	"github.com/novastub/novastub/state"
)

// A team's fake Nova in front of which the Middleware stands: foreign ids,
// no roles, failures of its server source.

type teamSource map[string]func() (state.Server, error)

func (s teamSource) LookupServer(_ context.Context, id string) (state.Server, error) {
	if f, ok := s[id]; ok {
		return f()
	}
	return state.Server{}, &state.NotFoundError{Kind: "server", ID: id}
}

func serveTeam(t *testing.T, h http.Handler, method, path string, who *middleware.Identity, body string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(method, path, strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	if who != nil {
		r = r.WithContext(middleware.ContextWithIdentity(r.Context(), who))
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// Project ids in the URL follow Nova's route pattern ([0-9a-f-]+, integers
// included), and the URL's project must be the caller's (Nova's 400).
func TestMiddlewareProjectIDsAsNovaRoutesThem(t *testing.T) {
	var passed []string
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		passed = append(passed, r.URL.Path)
		w.WriteHeader(http.StatusTeapot)
	})
	src := teamSource{"7": func() (state.Server, error) {
		return state.Server{ID: "7", ProjectID: "1", Host: "h"}.WithStatus("active")
	}}
	h := fakenova.Middleware(fakenova.WithServerSource(src))(next)
	member := &middleware.Identity{ProjectID: "1", Roles: []string{"member"}}
	body := `{"os-getVNCConsole": {"type": "novnc"}}`

	w := serveTeam(t, h, http.MethodPost, "/v2.1/1/servers/7/action", member, body)
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	assert.Contains(t, w.Body.String(), `"type": "novnc"`)

	w = serveTeam(t, h, http.MethodPost, "/v2/1/servers/7/action", &middleware.Identity{ProjectID: "2", Roles: []string{"member"}}, body)
	assert.Equal(t, http.StatusBadRequest, w.Code)
	assert.JSONEq(t, `{"badRequest": {"code": 400, "message": "Malformed request URL: URL's project_id '1' doesn't match Context's project_id '2'"}}`, w.Body.String())

	// Not Nova's pattern: not a route of Nova's, so not the middleware's.
	w = serveTeam(t, h, http.MethodPost, "/v2.1/demo/servers/7/action", member, body)
	assert.Equal(t, http.StatusTeapot, w.Code)
	assert.Equal(t, []string{"/v2.1/demo/servers/7/action"}, passed)
}

// Failures of the source are loud: logged with the request id and the
// cause to slog.Default() (the Middleware's default logger), and a server
// the fake cannot take is an error that names it, never a silent 404.
func TestMiddlewareSourceFailuresAreLogged(t *testing.T) {
	var logs bytes.Buffer
	old := slog.Default()
	slog.SetDefault(slog.New(slog.NewJSONHandler(&logs, nil)))
	t.Cleanup(func() { slog.SetDefault(old) })

	src := teamSource{
		"down":   func() (state.Server, error) { return state.Server{}, errors.New("database is down") },
		"noproj": func() (state.Server, error) { return state.Server{ID: "noproj", Host: "h"}, nil },
		"badstate": func() (state.Server, error) {
			return state.Server{ID: "badstate", ProjectID: "1", Host: "h", VMState: "running"}, nil
		},
		"other":  func() (state.Server, error) { return state.Server{ID: "another", ProjectID: "1", Host: "h"}, nil },
		"panics": func() (state.Server, error) { panic("source bug") },
		"deleted": func() (state.Server, error) {
			return state.Server{ID: "deleted", ProjectID: "1", Host: "h"}.WithStatus("DELETED")
		},
	}
	h := fakenova.Middleware(fakenova.WithServerSource(src))(http.NotFoundHandler())
	member := &middleware.Identity{ProjectID: "1", Roles: []string{"member"}}
	for id, cause := range map[string]string{
		"down":     "database is down",
		"noproj":   `server source gave server "noproj" without a project id`,
		"badstate": `vm_state: "running" is not a Nova vm_state (server "badstate")`,
		"other":    `server source gave server "another" for id "other"`,
		"panics":   "source bug",
	} {
		logs.Reset()
		w := serveTeam(t, h, http.MethodPost, "/v2.1/servers/"+id+"/action", member, `{"os-getVNCConsole": {"type": "novnc"}}`)
		assert.Equal(t, http.StatusInternalServerError, w.Code, id)
		assert.JSONEq(t, `{"computeFault": {"code": 500, "message": "The server has either erred or is incapable of performing the requested operation."}}`, w.Body.String(), id)
		var rec map[string]any
		require.NoError(t, json.Unmarshal(logs.Bytes(), &rec), logs.String())
		assert.Equal(t, w.Header().Get("X-Openstack-Request-Id"), rec["request_id"], id)
		text, _ := rec["error"].(string)
		if text == "" {
			text, _ = rec["panic"].(string)
		}
		assert.Contains(t, text, cause, id)
	}
	w := serveTeam(t, h, http.MethodPost, "/v2.1/servers/deleted/action", member, `{"os-getVNCConsole": {"type": "novnc"}}`)
	assert.Equal(t, http.StatusNotFound, w.Code, "a DELETED server has no console: Nova does not find it")
}

// Console tokens follow their server: a source's server is looked up again
// when its token is used, and a gone server ends the token (Nova's 404).
func TestMiddlewareTokensFollowTheSourcesServer(t *testing.T) {
	alive := true
	src := teamSource{"7": func() (state.Server, error) {
		if !alive {
			return state.Server{}, &state.NotFoundError{Kind: "server", ID: "7"}
		}
		return state.Server{ID: "7", ProjectID: "1", Host: "h", VMState: state.VMActive}, nil
	}}
	st := state.New()
	h := fakenova.Middleware(fakenova.WithState(st), fakenova.WithServerSource(src))(http.NotFoundHandler())
	w := serveTeam(t, h, http.MethodPost, "/v2.1/servers/7/action", &middleware.Identity{ProjectID: "1", Roles: []string{"member"}},
		`{"os-getVNCConsole": {"type": "novnc"}}`)
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	_, token, _ := strings.Cut(w.Body.String(), "token=")
	token = token[:36]
	admin := &middleware.Identity{ProjectID: "1", Roles: []string{"admin"}}
	show := func() *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodGet, "/v2.1/os-console-auth-tokens/"+token, nil)
		r.Header.Set("OpenStack-API-Version", "compute 2.31")
		r = r.WithContext(middleware.ContextWithIdentity(r.Context(), admin))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		return rec
	}
	w = show()
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	assert.Contains(t, w.Body.String(), `"instance_uuid": "7"`)

	alive = false
	w = show()
	assert.Equal(t, http.StatusNotFound, w.Code)
	assert.JSONEq(t, `{"itemNotFound": {"code": 404, "message": "Token not found"}}`, w.Body.String())
	_, err := st.ConsoleToken(token)
	assert.ErrorIs(t, err, state.ErrNotFound, "revoked in the store")
	_, _ = io.Discard.Write(nil)
}
