package fakenova

import (
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The journal's ring grows as entries come, up to its size, and keeps
// the newest entries in order however the budget drops old ones while it
// grows: a fake that gets few requests holds few slots.
func TestJournalRingGrows(t *testing.T) {
	j := NewJournal(5, nil, JournalBudget(10))
	assert.Empty(t, j.slots, "no slot before the first entry")
	var paths []string
	for i := range 12 {
		body := []byte("abcd")
		if i == 2 {
			body = []byte("0123456789") // the whole budget: the older entries go
		}
		path := "/" + strconv.Itoa(i)
		j.add(&Entry{Path: path}, body)
		paths = append(paths, path)
		require.LessOrEqual(t, len(j.slots), 5)
		var got []string
		for _, e := range j.Entries(Query{}) {
			got = append(got, e.Path)
		}
		require.NotEmpty(t, got)
		assert.Equal(t, paths[len(paths)-len(got):], got, "the newest entries, oldest first, after %d", i+1)
		assert.LessOrEqual(t, j.bytes, 10)
	}
	assert.Len(t, j.slots, 5)
	assert.Len(t, j.Entries(Query{}), 2, "two 4-byte bodies fit the 10-byte budget")
}
