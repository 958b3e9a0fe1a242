package multidict_test

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/novastub/novastub/fakenova/internal/multidict"
)

func TestParseAndMultiDictRules(t *testing.T) {
	ps, ok := multidict.ParseWebob("a=1&b&a=2&&c=x+y%2Fz&d=%zz")
	assert.True(t, ok)
	assert.Equal(t, multidict.Params{{Key: "a", Value: "1"}, {Key: "b", Value: ""}, {Key: "a", Value: "2"},
		{Key: "c", Value: "x y/z"}, {Key: "d", Value: "%zz"}}, ps)
	v, _ := ps.Get("a")
	assert.Equal(t, "2", v, "the last value")
	v, _ = ps.First("a")
	assert.Equal(t, "1", v, "the first value")
	assert.Equal(t, []string{"1", "2"}, ps.All("a"))
	assert.Equal(t, []string{"a", "b", "c", "d"}, ps.Keys())
	assert.Equal(t, "a=2&b=&c=x+y%2Fz&d=%25zz", ps.Dict().Encode())
	assert.Equal(t, "a=1&b=&c=x+y%2Fz&d=%25zz", ps.DictFirst().Encode())
	assert.Equal(t, multidict.Params{{Key: "a", Value: "1"}, {Key: "a", Value: "2"}, {Key: "b", Value: ""},
		{Key: "c", Value: "x y/z"}, {Key: "d", Value: "%zz"}}, ps.Grouped())
	v, ok = ps.Pop("a")
	assert.True(t, ok)
	assert.Equal(t, "1", v, "the first value")
	ps.Set("b", "new")
	assert.Equal(t, "a=2&c=x+y%2Fz&d=%25zz&b=new", ps.Encode())
	_, ok = ps.Pop("zzz")
	assert.False(t, ok)
	_, ok = ps.First("zzz")
	assert.False(t, ok)
}

func TestAssignIsADictsAssignment(t *testing.T) {
	ps := multidict.Params{{Key: "a", Value: "1"}, {Key: "marker", Value: "m"}, {Key: "z", Value: "2"}}
	ps.Assign("marker", "n")
	ps.Assign("new", "x")
	assert.Equal(t, "a=1&marker=n&z=2&new=x", ps.Encode())
}

func TestParseBounded(t *testing.T) {
	ps, _ := multidict.ParseWebob(strings.Repeat("k=v&", 10*multidict.MaxPairs))
	assert.Len(t, ps, multidict.MaxPairs)
	assert.Len(t, multidict.ParseWerkzeug(strings.Repeat("k=v&", 10*multidict.MaxPairs)), multidict.MaxPairs)
	assert.GreaterOrEqual(t, multidict.MaxPairs, 8192/2, "as many pairs as an 8 KiB request line holds (\"k\" and a separator each)")
}

// webobOracle is testdata/webob_oracle.json, written by
// testdata/webob_oracle.py with the real webob.
type webobOracle struct {
	Webob string `json:"webob"`
	Cases []struct {
		Query string     `json:"query"` // bytes as latin-1 code points
		Pairs [][]string `json:"pairs"`
		Error string     `json:"error"`
	} `json:"cases"`
}

func TestParseWebobIsWebobs(t *testing.T) {
	data, err := os.ReadFile("testdata/webob_oracle.json")
	require.NoError(t, err)
	var o webobOracle
	require.NoError(t, json.Unmarshal(data, &o))
	require.NotEmpty(t, o.Cases)
	errors := 0
	for _, c := range o.Cases {
		raw := make([]byte, 0, len(c.Query))
		for _, r := range c.Query {
			require.Less(t, r, rune(256))
			raw = append(raw, byte(r))
		}
		ps, ok := multidict.ParseWebob(string(raw))
		if c.Error != "" {
			require.Equal(t, "UnicodeDecodeError", c.Error)
			assert.False(t, ok, "%q", raw)
			errors++
			continue
		}
		assert.True(t, ok, "%q", raw)
		got := [][]string{}
		for _, p := range ps {
			got = append(got, []string{p.Key, p.Value})
		}
		assert.Equal(t, c.Pairs, got, "%q", raw)
	}
	assert.Greater(t, errors, 10, "the oracle has queries that are not UTF-8")
}

func TestParseWerkzeug(t *testing.T) {
	// werkzeug's (urllib's) rules where webob's differ: ";" is no
	// separator, only exact %XX escapes decode, bytes that are not UTF-8
	// are escaped again. testdata/keystone_oracle.json of the identity
	// service holds werkzeug's own answers for many more.
	assert.Equal(t, multidict.Params{{Key: "a", Value: "1;b=2"}, {Key: "c", Value: "%a\n"}, {Key: "d", Value: "%E9 %C3"}},
		multidict.ParseWerkzeug("a=1;b=2&c=%a%0a&d=%e9+%C3"))
	ps, ok := multidict.ParseWebob("a=1;b=2&c=%a%0a")
	assert.True(t, ok)
	assert.Equal(t, multidict.Params{{Key: "a", Value: "1"}, {Key: "b", Value: "2"}, {Key: "c", Value: "\n\n"}}, ps)
}
