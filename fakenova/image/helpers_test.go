package image_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/novastub/novastub/fakenova/image"
	"github.com/novastub/novastub/state"
)

const (
	projA      = "1ab83fbf1b594600bfa618dc33694dd6"
	projB      = "2bc94a0a2c6a4711a0b729ed44705ee7"
	tokenA     = "token-a"
	tokenB     = "token-b"
	tokenAdmin = "token-admin"
	cirros     = "1bea47ed-f6a9-463b-b423-14b9cca9ad27"
	fedora     = "781b3762-9469-4cec-b58d-3349e5de4e9c"
	private    = "c7b4e5a2-0f3d-4b6a-9e1c-2d3f4a5b6c7d"
	shared     = "d8c5f6b3-1a4e-4c7b-8f2d-3e4a5b6c7d8e"
	hidden     = "e9d6a7c4-2b5f-4d8c-9a3e-4f5b6c7d8e9f"
)

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// newStore has two projects with a token each, an admin token, and five
// images: two public (cirros, fedora: the api-ref's), projA's private one,
// projB's one shared with projA, and a hidden public one.
func newStore(t testing.TB) *state.Store {
	t.Helper()
	st := state.New(state.WithClock(state.NewManualClock(t0)))
	for _, p := range []state.Project{{ID: projA, Name: "demo"}, {ID: projB, Name: "other"}} {
		_, err := st.AddProject(p)
		require.NoError(t, err)
	}
	require.NoError(t, st.AddToken(state.AuthToken{Token: tokenA, ProjectID: projA, Roles: []string{"member", "reader"}}))
	require.NoError(t, st.AddToken(state.AuthToken{Token: tokenB, ProjectID: projB, Roles: []string{"member", "reader"}}))
	require.NoError(t, st.AddToken(state.AuthToken{Token: tokenAdmin, ProjectID: projB, Roles: []string{"admin", "member", "reader"}}))
	for _, im := range []state.Image{
		{ID: cirros, Name: "cirros-0.3.2-x86_64-disk", Visibility: state.ImagePublic, Owner: "5ef70662f8b34079a6eddb8da9d75fe8",
			DiskFormat: "qcow2", ContainerFormat: "bare", Size: 13167616, Checksum: "64d7c1cd2b6f60c92c14662941cb7913",
			OSHashAlgo: "sha512", OSHashValue: "073b4523583784fbe01daff81eba092a262ec37ba6d04dd3f52e4cd5c93eb8258af44881345ecda0e49f3d8cc6d2df6b050ff3e72681d723234aff9d17d0cf09",
			Created: time.Date(2014, 11, 7, 17, 7, 6, 0, time.UTC), Updated: time.Date(2014, 11, 7, 17, 19, 9, 0, time.UTC)},
		{ID: fedora, Name: "F17-x86_64-cfntools", Visibility: state.ImagePublic, Owner: "5ef70662f8b34079a6eddb8da9d75fe8",
			DiskFormat: "qcow2", ContainerFormat: "bare", Size: 476704768, Checksum: "afab0f79bac770d61d24b4d0560b5f70",
			OSHashAlgo: "sha512", OSHashValue: "ea3e20140df1cc65f53d4c5b9ee3b38d0d6868f61bbe2230417b0f98cef0e0c7c37f0ebc5c6456fa47f013de48b452617d56c15fdba25e100379bd0e81ee15ec",
			Created: time.Date(2014, 10, 30, 8, 23, 39, 0, time.UTC), Updated: time.Date(2014, 11, 3, 16, 40, 10, 0, time.UTC)},
		{ID: private, Name: "mine", Visibility: state.ImagePrivate, Owner: projA, DiskFormat: "raw", ContainerFormat: "bare",
			Size: 1024, Tags: []string{"a", "b"}, Properties: map[string]string{"os_distro": "ubuntu", "hw_disk_bus": "scsi"},
			Created: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)},
		{ID: shared, Name: "theirs", Visibility: state.ImageShared, Owner: projB, Members: []state.ImageMember{{ProjectID: projA}},
			DiskFormat: "iso", ContainerFormat: "bare", Size: 2048, Tags: []string{"a"}, Created: time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)},
		{ID: hidden, Name: "hidden", Visibility: state.ImagePublic, Hidden: true, Created: time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC)},
	} {
		_, err := st.AddImage(im)
		require.NoError(t, err)
	}
	return st
}

// serve starts the service under /image on a test server.
func serve(t testing.TB, st *state.Store, opts ...image.Option) *httptest.Server {
	t.Helper()
	svc := image.New(st, opts...)
	mux := http.NewServeMux()
	mux.Handle("/image/", http.StripPrefix("/image", svc))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

type answer struct {
	code   int
	header http.Header
	body   string
}

func (a answer) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal([]byte(a.body), &m), a.body)
	return m
}

// do sends a request with the token (none when "") and optional headers
// as "Name: value" strings.
func do(t *testing.T, srv *httptest.Server, method, path, token string, headers ...string) answer {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, nil)
	require.NoError(t, err)
	if token != "" {
		req.Header.Set("X-Auth-Token", token)
	}
	for _, h := range headers {
		k, v, _ := strings.Cut(h, ": ")
		req.Header.Set(k, v)
	}
	resp, err := srv.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return answer{resp.StatusCode, resp.Header, string(body)}
}

func ids(t *testing.T, a answer) []string {
	t.Helper()
	out := []string{}
	for _, im := range a.json(t)["images"].([]any) {
		out = append(out, im.(map[string]any)["id"].(string))
	}
	return out
}

// serveHandler serves h at the root of a test server.
func serveHandler(t testing.TB, h http.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}
