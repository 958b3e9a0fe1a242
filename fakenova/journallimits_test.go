package fakenova_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/novastub/novastub/fakenova"
	"github.com/novastub/novastub/state"
)

// A body longer than the journal keeps is cut, and the entry says so;
// one that may hold a secret is hidden whole.
func TestJournalCutsLongBodies(t *testing.T) {
	j := fakenova.NewJournal(10, nil, fakenova.JournalMaxBody(64))
	ts := fakenova.Start(t, fakenova.WithJournal(j))
	long := `{"server": {"name": "` + strings.Repeat("x", 200) + `", "flavorRef": "1"}}`
	secret := `{"server": {"adminPass": "hunter2", "name": "` + strings.Repeat("x", 200) + `", "flavorRef": "1"}}`
	for _, body := range []string{long, secret, `{"server": {"name": "vm", "flavorRef": "1"}}`} {
		send(t, ts.URL, http.MethodPost, "/v2.1/"+ts.ProjectID+"/servers", apiHeader(ts.Token, ""), body)
	}
	entries := j.Entries(fakenova.Query{})
	require.Len(t, entries, 3)
	assert.True(t, entries[0].BodyTruncated)
	assert.Equal(t, len(long), entries[0].BodyBytes)
	assert.Equal(t, long[:64], entries[0].Body)
	assert.True(t, entries[1].BodyTruncated)
	assert.Equal(t, "***", entries[1].Body, "cut JSON is not parsed: a body that may hold a secret is hidden")
	assert.False(t, entries[2].BodyTruncated)
	assert.Zero(t, entries[2].BodyBytes)
	assert.Equal(t, `{"server": {"name": "vm", "flavorRef": "1"}}`, entries[2].Body)
}

// The journal keeps at most its budget of body bytes: the oldest entries
// go first, however many slots it has.
func TestJournalBudget(t *testing.T) {
	j := fakenova.NewJournal(1000, nil, fakenova.JournalMaxBody(1000), fakenova.JournalBudget(2500))
	ts := fakenova.Start(t, fakenova.WithJournal(j))
	for i := 0; i < 10; i++ {
		body := fmt.Sprintf(`{"server": {"name": "vm-%d%s", "flavorRef": "1"}}`, i, strings.Repeat("x", 900))
		send(t, ts.URL, http.MethodPost, "/v2.1/"+ts.ProjectID+"/servers", apiHeader(ts.Token, ""), body)
	}
	entries := j.Entries(fakenova.Query{})
	require.Len(t, entries, 2, "2 bodies of about 950 bytes fit in 2500")
	assert.Contains(t, entries[0].Body, "vm-8")
	assert.Contains(t, entries[1].Body, "vm-9")
	assert.Equal(t, []uint64{9, 10}, []uint64{entries[0].Seq, entries[1].Seq})
	// Bodiless entries cost nothing of the budget.
	for i := 0; i < 5; i++ {
		send(t, ts.URL, http.MethodGet, "/v2.1/servers", apiHeader(ts.Token, ""), "")
	}
	assert.Len(t, j.Entries(fakenova.Query{}), 7)
}

// Journal reads come in pages: Query.Limit and Query.After in Go,
// ?limit= and ?marker= over the control plane, with next_marker leading
// to the next page.
func TestJournalPages(t *testing.T) {
	ts := fakenova.Start(t, fakenova.WithControlPlane(fakenova.ControlPlane{}))
	for i := 0; i < 25; i++ {
		send(t, ts.URL, http.MethodGet, "/v2.1/servers", apiHeader(ts.Token, ""), "")
	}
	page := ts.Journal().Entries(fakenova.Query{Limit: 10})
	require.Len(t, page, 10)
	assert.Equal(t, uint64(1), page[0].Seq)
	page = ts.Journal().Entries(fakenova.Query{Limit: 10, After: page[9].Seq})
	require.Len(t, page, 10)
	assert.Equal(t, uint64(11), page[0].Seq)
	assert.Len(t, ts.Journal().Entries(fakenova.Query{After: 20}), 5)
	assert.Len(t, ts.Journal().Entries(fakenova.Query{}), 25, "no limit: everything, as before")

	var seqs []float64
	marker := ""
	for pages := 0; pages < 10; pages++ {
		ex := ctl(t, ts.URL, http.MethodGet, "journal?limit=10"+marker, "")
		assertControlOK(t, ex, http.StatusOK)
		doc := decodeAny(t, ex)
		for _, e := range doc["requests"].([]any) {
			seqs = append(seqs, e.(map[string]any)["seq"].(float64))
		}
		next, more := doc["next_marker"]
		if !more {
			assert.Equal(t, 2, pages, "three pages: 10, 10 and 5")
			break
		}
		marker = fmt.Sprintf("&marker=%v", next)
	}
	require.Len(t, seqs, 25)
	assert.Equal(t, float64(25), seqs[24])
	for _, bad := range []string{"limit=0", "limit=x", "marker=-1", "status=1000"} {
		name := strings.SplitN(bad, "=", 2)[0]
		assertControlError(t, ctl(t, ts.URL, http.MethodGet, "journal?"+bad, ""), http.StatusBadRequest, name, "must be a positive number")
	}
}

// Huge clock advances over the control plane saturate the clock instead of
// wrapping it backwards.
func TestControlPlaneHugeAdvances(t *testing.T) {
	st := state.New(state.WithClock(state.NewOffsetClock()))
	ts := fakenova.Start(t, fakenova.WithState(st), fakenova.WithControlPlane(fakenova.ControlPlane{}))
	var nows []string
	for _, seconds := range []string{"9e9", "9e9", "1e300"} {
		ex := ctl(t, ts.URL, http.MethodPost, "clock/advance", `{"seconds": `+seconds+`}`)
		assertControlOK(t, ex, http.StatusOK)
		nows = append(nows, decodeAny(t, ex)["now"].(string))
	}
	for i := 1; i < len(nows); i++ {
		assert.GreaterOrEqual(t, nows[i][:4], nows[i-1][:4], "the clock went back: %v", nows)
		assert.Regexp(t, `^2[3-9]\d\d-`, nows[i])
	}
}
