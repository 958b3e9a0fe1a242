package state_test

import (
	"fmt"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/novastub/novastub/state"
)

// projOf is the project of server id.
func projOf(st *state.Store, id string) string {
	srv, _ := st.Server(id)
	return srv.ProjectID
}

// TestConcurrentUse hammers the store from many goroutines; run with -race.
// Each goroutine adds servers of its own, renames and removes them, gets
// consoles for them and for a shared server, looks the tokens up, bumps a
// counter on the shared server, reads the whole model and searches names.
func TestConcurrentUse(t *testing.T) {
	const workers, ops = 8, 500
	st, clock := newStore(t)
	shared := addServer(t, st, state.Server{ID: srv1, Name: "0", ProjectID: projA, Host: "compute-1"})
	require.NoError(t, st.AddToken(state.AuthToken{Token: secret, ProjectID: projA, Roles: []string{"member"}}))

	type result struct {
		kept    map[string]string // server id -> last name set
		removed []string
		tokens  []state.ConsoleToken // of kept servers and the shared one
		bumps   int
	}
	results := make([]result, workers)
	errs := make(chan error, workers)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			res := result{kept: map[string]string{}}
			defer func() { results[w] = res }()
			fail := func(format string, args ...any) {
				errs <- fmt.Errorf("worker %d: "+format, append([]any{w}, args...)...)
			}
			var mine []string
			for i := 0; i < ops; i++ {
				switch i % 10 {
				case 0, 5: // AddServer
					project := projA
					if i%20 == 5 {
						project = projB
					}
					srv, err := st.AddServer(state.Server{Name: "new", ProjectID: project, Host: "compute-1"})
					if err != nil {
						fail("AddServer: %v", err)
						return
					}
					mine = append(mine, srv.ID)
					res.kept[srv.ID] = "new"
				case 1: // UpdateServer on an own server
					id := mine[len(mine)-1]
					name := fmt.Sprintf("w%d-op%d", w, i)
					got, err := st.UpdateServer(id, func(s *state.Server) { s.Name = name; s.TaskState = state.TaskPoweringOff })
					if err != nil || got.Name != name {
						fail("UpdateServer(%s) = %+v, %v", id, got, err)
						return
					}
					res.kept[id] = name
				case 2: // UpdateServer on the shared server: a read-modify-write under the lock
					_, err := st.UpdateServer(shared.ID, func(s *state.Server) {
						n, _ := strconv.Atoi(s.Name)
						s.Name = strconv.Itoa(n + 1)
					})
					if err != nil {
						fail("UpdateServer(shared): %v", err)
						return
					}
					res.bumps++
				case 3, 6: // CreateConsole then ConsoleToken
					id := shared.ID
					if i%10 == 6 {
						id = mine[len(mine)-1]
					}
					srv, err := st.Server(id)
					if err != nil {
						fail("Server(%s): %v", id, err)
						return
					}
					tok, err := st.CreateConsole(state.ConsoleRequest{ProjectID: srv.ProjectID, ServerID: id, Type: state.ConsoleNoVNC})
					if err != nil {
						fail("CreateConsole(%s): %v", id, err)
						return
					}
					got, err := st.ConsoleToken(tok.Token)
					if err != nil || got != tok {
						fail("ConsoleToken(%s) = %+v, %v; want %+v", tok.Token, got, err, tok)
						return
					}
					res.tokens = append(res.tokens, tok)
				case 4: // another project's server is not found
					_, err := st.CreateConsole(state.ConsoleRequest{ProjectID: projB, ServerID: shared.ID, Type: state.ConsoleNoVNC})
					if err == nil {
						fail("CreateConsole of another project's server succeeded")
						return
					}
				case 7: // reads of the whole model
					if n := len(st.Servers()); n < 1 {
						fail("Servers() has %d servers", n)
						return
					}
					if snap := st.Snapshot(); len(snap.Projects) != 2 || len(snap.Hosts) != 3 {
						fail("Snapshot() has %d projects, %d hosts", len(snap.Projects), len(snap.Hosts))
						return
					}
					// A plain name, found by the index of substrings once
					// the project has 256 servers, built and rebuilt by
					// searches that run at once.
					id := mine[len(mine)-1]
					if p := projOf(st, id); p == projA {
						want := res.kept[id]
						got, err := st.ListServers(state.ServerFilter{ProjectID: projA, Name: want[:len(want)-1]})
						if err != nil || !slices.ContainsFunc(got, func(s state.Server) bool { return s.ID == id }) {
							fail("ListServers(name=%s) = %d servers without %s, %v", want[:len(want)-1], len(got), id, err)
							return
						}
					}
					if tok, err := st.Token(secret); err != nil || !tok.HasRole("member") {
						fail("Token() = %+v, %v", tok, err)
						return
					}
				case 8: // remove an own server, added just before, with a console
					srv, err := st.AddServer(state.Server{ProjectID: projA, Host: "compute-1"})
					if err != nil {
						fail("AddServer: %v", err)
						return
					}
					tok, err := st.CreateConsole(state.ConsoleRequest{ProjectID: projA, ServerID: srv.ID, Type: state.ConsoleNoVNC})
					if err != nil {
						fail("CreateConsole: %v", err)
						return
					}
					if err := st.RemoveServer(srv.ID); err != nil {
						fail("RemoveServer: %v", err)
						return
					}
					if _, err := st.ConsoleToken(tok.Token); err == nil {
						fail("the token of removed server %s still works", srv.ID)
						return
					}
					res.removed = append(res.removed, srv.ID)
				case 9:
					if w == 0 {
						clock.Advance(time.Millisecond)
					}
					if _, err := st.Server(mine[len(mine)-1]); err != nil {
						fail("Server: %v", err)
						return
					}
				}
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if t.Failed() {
		return
	}

	// Every goroutine's last write is there, and nothing else.
	servers := st.Servers()
	byID := map[string]state.Server{}
	for _, srv := range servers {
		byID[srv.ID] = srv
	}
	wantServers, bumps := 1, 0
	for _, res := range results {
		wantServers += len(res.kept)
		bumps += res.bumps
		for id, name := range res.kept {
			assert.Equal(t, name, byID[id].Name, "server %s", id)
		}
		for _, id := range res.removed {
			_, ok := byID[id]
			assert.False(t, ok, "removed server %s is back", id)
		}
		for _, tok := range res.tokens {
			_, err := st.ConsoleToken(tok.Token)
			assert.NoError(t, err, "token %s of server %s", tok.Token, tok.ServerID)
		}
	}
	assert.Len(t, servers, wantServers)
	assert.Len(t, byID, wantServers, "ids are unique")
	assert.Equal(t, workers*ops/10, bumps)
	got, err := st.Server(shared.ID)
	require.NoError(t, err)
	assert.Equal(t, strconv.Itoa(bumps), got.Name, "no update of the shared server was lost")
}

// TestConcurrentBoundedConsoles issues console tokens from many goroutines
// past a small bound, while another revokes the tokens of a second server
// (a source's server going): the bound holds, and only the revoker's last
// round (at most 20 tokens) took places from the first server's.
func TestConcurrentBoundedConsoles(t *testing.T) {
	const workers, ops, bound = 8, 500, 64
	st, _ := newStore(t, state.WithMaxConsoleTokens(bound))
	addServer(t, st, state.Server{ID: srv1, ProjectID: projA, Host: "compute-1"})
	var mu sync.Mutex
	var all []string // in the order CreateConsole returned, roughly
	var wg sync.WaitGroup
	done := make(chan struct{})
	revoked := make(chan struct{})
	go func() {
		defer close(revoked)
		other := state.Server{ID: "revoked-vm", Host: "compute-1"}
		for {
			select {
			case <-done:
				return
			default:
			}
			for range 20 {
				_, err := st.IssueConsole(other, state.ConsoleRequest{Type: state.ConsoleNoVNC})
				assert.NoError(t, err)
			}
			st.RevokeServerConsoles(other.ID)
		}
	}()
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < ops; i++ {
				tok, err := st.CreateConsole(state.ConsoleRequest{ProjectID: projA, ServerID: srv1, Type: state.ConsoleNoVNC})
				if !assert.NoError(t, err) {
					return
				}
				_, _ = st.ConsoleToken(tok.Token)
				mu.Lock()
				all = append(all, tok.Token)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	close(done)
	<-revoked
	// The bound is shared: the revoked server's tokens held some of its
	// places at the end.
	st.RevokeServerConsoles("revoked-vm")
	require.Len(t, all, workers*ops)
	valid := 0
	for _, tok := range all {
		if _, err := st.ConsoleToken(tok); err == nil {
			valid++
		}
	}
	assert.Equal(t, st.ConsoleTokenStats().Held, valid, "every token held is one of the first server's")
	assert.Greater(t, valid, bound-21, "at most the 20 of the last round were the revoked server's")
	assert.LessOrEqual(t, valid, bound)
}
