package identity

import (
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/novastub/novastub/internal/pyjson"
)

// pformat prints as Python's pprint.pformat(width=72, sort_dicts=False),
// compared with CPython's output in testdata/keystone_oracle.json.
func TestPFormatMatchesPython(t *testing.T) {
	data, err := os.ReadFile("testdata/keystone_oracle.json")
	require.NoError(t, err)
	var o struct {
		PFormat []struct{ Value, Text string } `json:"pformat"`
	}
	require.NoError(t, json.Unmarshal(data, &o))
	require.NotEmpty(t, o.PFormat)
	for _, c := range o.PFormat {
		v, err := pyjson.Parse([]byte(c.Value))
		require.NoError(t, err)
		assert.Equal(t, c.Text, pformat(v), c.Value)
	}
}

func TestTokensAreRecognizedByTheirService(t *testing.T) {
	a, b := New(nil), New(nil)
	tok, audit := a.newToken(time.Date(2026, 11, 27, 13, 0, 0, 0, time.UTC))
	assert.Len(t, audit, 22)
	assert.True(t, a.issuedHere(tok))
	assert.False(t, b.issuedHere(tok), "another service's key")
	changed := []byte(tok)
	changed[len(changed)-3] ^= 1 // a byte of the tag, not the final padding bits
	assert.False(t, a.issuedHere(string(changed)), "a changed tag")
	assert.False(t, a.issuedHere("50c17af54c154f528d135e7f74098cfd"))
	assert.False(t, a.issuedHere(""))
}
