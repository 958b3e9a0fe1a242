package state_test

import (
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/novastub/novastub/state"
)

// Console tokens carry their slot in their first bytes, but through a
// keyed bijection: consecutive tokens do not look consecutive, and a token
// changed in any byte is not found.
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
	assert.Len(t, prefixes, 8, "no two slots share a prefix")
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
