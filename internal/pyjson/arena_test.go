package pyjson

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// FuzzArena checks that parsing through an Arena gives what ParseText
// gives, the same value or the same error, for documents parsed one after
// the other through one arena, and that a document's value stays whole
// until the arena is reset (while the next is parsed into the arena's
// other room).
func FuzzArena(f *testing.F) {
	for _, s := range fuzzSeeds() {
		f.Add(s)
	}
	f.Add([]byte(`{"a": 1, "b": {"c": [1, {"d": 2}, []], "a": 3}, "a": 4}`))
	f.Add([]byte(`[[[]], [{}], {"x": [{"y": {}}]}]`))
	var a Arena
	f.Fuzz(func(t *testing.T, data []byte) {
		want, wantErr := ParseText(data)
		a.Reset()
		got, err := a.ParseText(data)
		if wantErr != nil {
			require.Error(t, err)
			require.Equal(t, wantErr.Error(), err.Error())
			return
		}
		require.NoError(t, err)
		require.Equal(t, want, got)
		again, err := a.ParseText(data) // without a reset: both stay valid
		require.NoError(t, err)
		require.Equal(t, want, again)
		require.Equal(t, want, got)
	})
}

// An arena grows to its documents and then parses without allocating but
// for the strings; a repeated key keeps its first place and last value,
// also past the 16 members where objects take an index; appending to a
// kept slice cannot overwrite its neighbours.
func TestArena(t *testing.T) {
	var a Arena
	doc := []byte(`{"os-getVNCConsole": {"type": "novnc"}}`)
	allocs := testing.AllocsPerRun(100, func() {
		a.Reset()
		v, err := a.ParseText(doc)
		if err != nil || len(v.Members) != 1 {
			panic(err)
		}
	})
	assert.Zero(t, allocs, "the keys are interned, the arena reused")

	var b strings.Builder
	b.WriteString(`{`)
	for i := 0; i < 40; i++ {
		b.WriteString(`"k` + string(rune('a'+i%20)) + `": ` + string(rune('0'+i%10)) + `, `)
	}
	b.WriteString(`"last": [1, 2, {"ka": 1, "ka": 2}]}`)
	a.Reset()
	got, err := a.ParseText([]byte(b.String()))
	require.NoError(t, err)
	want, err := ParseText([]byte(b.String()))
	require.NoError(t, err)
	require.Equal(t, want, got)
	require.Len(t, got.Members, 21)
	ka, _ := got.Get("ka")
	assert.Equal(t, "0", ka.Text, "the last value of ka")
	assert.Equal(t, "ka", got.Members[0].Key, "in its first place")

	next, err := a.ParseText([]byte(`{"n": 1}`)) // no reset: kept beside got
	require.NoError(t, err)
	_ = append(got.Members, Member{Key: "x"})
	_ = append(got.Members[0].Value.Items, Value{Kind: Null})
	assert.Equal(t, "n", next.Members[0].Key, "appending to a kept slice copies it")
	assert.Equal(t, want, got)
	assert.Positive(t, a.Size())
}
