package state_test

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/novastub/novastub/state"
)

// Console tokens are random uuid4s: consecutive tokens share no prefix,
// and a token changed in any byte is not found.
func TestConsoleTokensLookRandom(t *testing.T) {
	st := state.New(state.WithMaxConsoleTokens(8))
	p, err := st.AddProject(state.Project{Name: "p"})
	require.NoError(t, err)
	require.NoError(t, st.AddHost(state.Host{Name: "h"}))
	srv, err := st.AddServer(state.Server{ProjectID: p.ID, Host: "h"})
	require.NoError(t, err)
	var tokens []string
	prefixes := map[string]bool{}
	for i := 0; i < 8; i++ {
		tok, err := st.CreateConsole(state.ConsoleRequest{ProjectID: p.ID, ServerID: srv.ID, Type: state.ConsoleNoVNC})
		require.NoError(t, err)
		u, err := uuid.Parse(tok.Token)
		require.NoError(t, err)
		assert.Equal(t, uuid.Version(4), u.Version())
		tokens = append(tokens, tok.Token)
		prefixes[tok.Token[:8]] = true
	}
	assert.Len(t, prefixes, 8, "no two tokens share a prefix")
	for _, tok := range tokens {
		_, err := st.ConsoleToken(tok)
		require.NoError(t, err)
		for i := 0; i < len(tok); i++ {
			if tok[i] == '-' {
				continue
			}
			changed := []byte(tok)
			changed[i] = "0123456789abcdef"[(hexValue(changed[i])+1)%16]
			_, err := st.ConsoleToken(string(changed))
			assert.ErrorIs(t, err, state.ErrNotFound, "token %s changed at %d", tok, i)
		}
	}
}

func hexValue(c byte) int {
	if c >= 'a' {
		return int(c-'a') + 10
	}
	return int(c - '0')
}

// A console token lives its TTL however many are issued, up to the bound;
// past it the oldest live token is evicted, counted and logged.
func TestConsoleTokenEvictionsCountedAndLogged(t *testing.T) {
	var logs bytes.Buffer
	clock := state.NewManualClock(time.Unix(1e9, 0))
	st := state.New(state.WithClock(clock), state.WithMaxConsoleTokens(3),
		state.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	p, err := st.AddProject(state.Project{Name: "p"})
	require.NoError(t, err)
	require.NoError(t, st.AddHost(state.Host{Name: "h"}))
	srv, err := st.AddServer(state.Server{ProjectID: p.ID, Host: "h"})
	require.NoError(t, err)
	issue := func() string {
		tok, err := st.CreateConsole(state.ConsoleRequest{ProjectID: p.ID, ServerID: srv.ID, Type: state.ConsoleNoVNC})
		require.NoError(t, err)
		return tok.Token
	}
	first := []string{issue(), issue(), issue()}
	clock.Advance(state.DefaultConsoleTTL) // all three expire: none is evicted
	second := []string{issue(), issue(), issue()}
	assert.Equal(t, state.ConsoleTokenStats{Held: 3, Max: 3, Evicted: 0}, st.ConsoleTokenStats())
	assert.Empty(t, logs.String())
	for _, tok := range first {
		_, err := st.ConsoleToken(tok)
		assert.ErrorIs(t, err, state.ErrNotFound)
	}
	issue() // the store is full of live tokens: the oldest goes
	assert.Equal(t, state.ConsoleTokenStats{Held: 3, Max: 3, Evicted: 1}, st.ConsoleTokenStats())
	_, err = st.ConsoleToken(second[0])
	assert.ErrorIs(t, err, state.ErrNotFound)
	for _, tok := range second[1:] {
		_, err := st.ConsoleToken(tok)
		assert.NoError(t, err)
	}
	assert.Contains(t, logs.String(), "console tokens evicted before their expiry")
	assert.Contains(t, logs.String(), "evicted_total=1")
	issue() // logged at most once a minute
	assert.Equal(t, 1, strings.Count(logs.String(), "evicted before"))
	assert.Equal(t, uint64(2), st.ConsoleTokenStats().Evicted)
}
