package fakenova_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/servers"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/novastub/novastub/fakenova"
	"github.com/novastub/novastub/state"
)

// gophercloud lists by a plain name, as clients look a server up, in a
// project of 300 servers: Nova searches the name as a regular expression,
// and the fake answers from its index of substrings, through a rename and
// a delete between searches.
func TestGophercloudListByPlainNameInABigProject(t *testing.T) {
	ts, clock := serversFixture(t)
	ctx := context.Background()
	client := computeClient(ts, ts.Token, "2.1")
	ids := map[string]string{}
	for i := 1; i <= 300; i++ {
		srv, err := ts.State.AddServer(state.Server{Name: fmt.Sprintf("web-%d", i), ProjectID: ts.ProjectID,
			Host: fakenova.TestHost, ImageID: fakenova.TestImageID})
		require.NoError(t, err)
		ids[srv.Name] = srv.ID
	}
	names := func(opts servers.ListOpts) []string {
		t.Helper()
		pages, err := servers.List(client, opts).AllPages(ctx)
		require.NoError(t, err)
		list, err := servers.ExtractServers(pages)
		require.NoError(t, err)
		var out []string
		for _, srv := range list {
			out = append(out, srv.Name)
		}
		slices.Sort(out)
		return out
	}

	assert.Equal(t, []string{"web-12", "web-120", "web-121", "web-122", "web-123", "web-124", "web-125",
		"web-126", "web-127", "web-128", "web-129"}, names(servers.ListOpts{Name: "web-12"}))
	assert.Len(t, names(servers.ListOpts{Name: "7$"}), 30, "web-7, web-17, ... web-297")
	assert.Equal(t, []string{"web-299"}, names(servers.ListOpts{Name: "^web-299"}))

	_, err := ts.State.UpdateServer(ids["web-125"], func(s *state.Server) { s.Name = "blue-125" })
	require.NoError(t, err)
	require.NoError(t, servers.Delete(ctx, client, ids["web-12"]).ExtractErr())
	clock.Advance(time.Minute) // Nova deletes in the background
	assert.Equal(t, []string{"web-120", "web-121", "web-122", "web-123", "web-124", "web-126", "web-127",
		"web-128", "web-129"}, names(servers.ListOpts{Name: "web-12"}))
	assert.Equal(t, []string{"blue-125"}, names(servers.ListOpts{Name: "125"}))
	assert.Empty(t, names(servers.ListOpts{Name: "web-1250"}))
}
