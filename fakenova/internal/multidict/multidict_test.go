package multidict_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/novastub/novastub/fakenova/internal/multidict"
)

func TestParseAndMultiDictRules(t *testing.T) {
	ps := multidict.Parse("a=1&b&a=2&&c=x+y%2Fz&d=%zz")
	assert.Equal(t, multidict.Params{{Key: "a", Value: "1"}, {Key: "b", Value: ""}, {Key: "a", Value: "2"},
		{Key: "c", Value: "x y/z"}, {Key: "d", Value: "%zz"}}, ps)
	v, _ := ps.Get("a")
	assert.Equal(t, "2", v, "the last value")
	assert.Equal(t, []string{"1", "2"}, ps.All("a"))
	assert.Equal(t, []string{"a", "b", "c", "d"}, ps.Keys())
	assert.Equal(t, "a=2&b=&c=x+y%2Fz&d=%25zz", ps.Dict().Encode())
	v, ok := ps.Pop("a")
	assert.True(t, ok)
	assert.Equal(t, "1", v, "the first value")
	ps.Set("b", "new")
	assert.Equal(t, "a=2&c=x+y%2Fz&d=%25zz&b=new", ps.Encode())
	_, ok = ps.Pop("zzz")
	assert.False(t, ok)
}

func TestParseBounded(t *testing.T) {
	ps := multidict.Parse(strings.Repeat("k=v&", 10*multidict.MaxPairs))
	assert.Len(t, ps, multidict.MaxPairs)
}
