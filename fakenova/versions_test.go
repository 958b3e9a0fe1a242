package fakenova_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/novastub/novastub/fakenova"
)

// The version documents (reference §6, nova/api/openstack/compute/versions.py
// and doc/api_samples/versions).

// v21Document is GET /v2.1/'s body with links under base.
func v21Document(base, max string) string {
	return `{"version": {"id": "v2.1", "status": "CURRENT", "version": "` + max + `", "min_version": "2.1",
		"updated": "2013-07-23T11:33:21Z",
		"links": [{"rel": "self", "href": "` + base + `/v2.1/"},
		          {"rel": "describedby", "type": "text/html", "href": "http://docs.openstack.org/"}],
		"media-types": [{"base": "application/json", "type": "application/vnd.openstack.compute+json;version=2.1"}]}}`
}

// v20Document is GET /v2/'s body.
func v20Document(base string) string {
	return `{"version": {"id": "v2.0", "status": "DEPRECATED", "version": "", "min_version": "",
		"updated": "2025-07-04T12:00:00Z",
		"links": [{"rel": "self", "href": "` + base + `/v2/"},
		          {"rel": "describedby", "type": "text/html", "href": "http://docs.openstack.org/"}],
		"media-types": [{"base": "application/json", "type": "application/vnd.openstack.compute+json;version=2"}]}}`
}

// versionsDocument is GET /'s body.
func versionsDocument(base, max string) string {
	return `{"versions": [
		{"id": "v2.0", "links": [{"href": "` + base + `/v2/", "rel": "self"}], "status": "DEPRECATED",
		 "version": "", "min_version": "", "updated": "2025-07-04T12:00:00Z"},
		{"id": "v2.1", "links": [{"href": "` + base + `/v2.1/", "rel": "self"}], "status": "CURRENT",
		 "version": "` + max + `", "min_version": "2.1", "updated": "2013-07-23T11:33:21Z"}]}`
}

func TestVersionDocuments(t *testing.T) {
	ts := fakenova.Start(t)
	max := fakenova.DefaultMaxMicroversion.String()
	withToken := func(version string) http.Header { return apiHeader(ts.Token, version) }
	rows := []struct {
		name      string
		path      string
		header    http.Header
		status    int
		body      string
		requestID bool
		echo      string // the microversion headers' version, "" for none
	}{
		{"GET /", "/", nil, 200, versionsDocument(ts.URL, max), false, ""},
		{"GET / ignores a token and a version", "/", hdrs("X-Auth-Token", "nonsense", "OpenStack-API-Version", "compute 3.7"), 200,
			versionsDocument(ts.URL, max), false, ""},
		{"GET /v2.1", "/v2.1", nil, 200, v21Document(ts.URL, max), true, "2.1"},
		{"GET /v2.1/", "/v2.1/", nil, 200, v21Document(ts.URL, max), true, "2.1"},
		{"GET /v2.1/ at 2.6", "/v2.1/", apiHeader("", "2.6"), 200, v21Document(ts.URL, max), true, "2.6"},
		{"GET /v2.1/ ignores a bad token", "/v2.1/", hdrs("X-Auth-Token", "nonsense"), 200, v21Document(ts.URL, max), true, "2.1"},
		{"GET /v2", "/v2", nil, 200, v20Document(ts.URL), true, ""},
		{"GET /v2/", "/v2/", apiHeader("", "2.6"), 200, v20Document(ts.URL), true, ""},
		{"GET /v2.1/{project_id}", "/v2.1/" + ts.ProjectID, withToken(""), 200, v21Document(ts.URL, max), true, "2.1"},
		{"GET /v2.1/{project_id}/", "/v2.1/" + ts.ProjectID + "/", withToken("latest"), 200, v21Document(ts.URL, max), true, max},
		{"GET /v2/{project_id}/", "/v2/" + ts.ProjectID + "/", withToken("2.6"), 200, v20Document(ts.URL), true, ""},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			ex := send(t, ts.URL, http.MethodGet, row.path, row.header, "")
			require.Equal(t, row.status, ex.status, ex.body)
			assert.Equal(t, "application/json", ex.header.Get("Content-Type"))
			assert.JSONEq(t, row.body, ex.body)
			if row.requestID {
				assertRequestIDs(t, ex.header)
			} else {
				assert.Empty(t, ex.header.Values("X-Compute-Request-Id"))
				assert.Empty(t, ex.header.Values("X-Openstack-Request-Id"))
			}
			if row.echo == "" {
				assertNoVersionHeaders(t, ex.header)
			} else {
				assertVersionHeaders(t, ex.header, row.echo)
			}
		})
	}
}

func TestVersionDocumentsWithProjectNeedAToken(t *testing.T) {
	ts := fakenova.Start(t)
	for _, path := range []string{"/v2.1/" + ts.ProjectID, "/v2.1/" + ts.ProjectID + "/", "/v2/" + ts.ProjectID + "/"} {
		for _, token := range []string{"", "nonsense"} {
			ex := send(t, ts.URL, http.MethodGet, path, hdrs("X-Auth-Token", token), "")
			require.Equal(t, http.StatusUnauthorized, ex.status, "%s: %s", path, ex.body)
			assert.Equal(t, "application/json", ex.header.Get("Content-Type"))
			assert.Equal(t, `Keystone uri="`+ts.URL+`/identity"`, ex.header.Get("WWW-Authenticate"))
			assert.JSONEq(t, `{"error": {"code": 401, "title": "Unauthorized", "message": "The request you have made requires authentication."}}`, ex.body)
			assertRequestIDs(t, ex.header)
			assertNoVersionHeaders(t, ex.header)
		}
	}
	// Another project's id in the URL is Nova's project mismatch.
	other := strings.Repeat("a", 32)
	ex := send(t, ts.URL, http.MethodGet, "/v2.1/"+other+"/", apiHeader(ts.Token, ""), "")
	assertFault(t, ex, 400, "Malformed request URL: URL's project_id '"+other+"' doesn't match Context's project_id '"+ts.ProjectID+"'")
}

func TestVersionChoices(t *testing.T) {
	ts := fakenova.Start(t)
	for _, path := range []string{"/foo", "/foo/bar", "/v3/"} {
		t.Run(path, func(t *testing.T) {
			ex := send(t, ts.URL, http.MethodGet, path, nil, "")
			require.Equal(t, http.StatusMultipleChoices, ex.status, ex.body)
			assert.Equal(t, "application/json", ex.header.Get("Content-Type"))
			rest := strings.Trim(path, "/")
			assert.JSONEq(t, `{"choices": [
				{"id": "v2.0", "status": "DEPRECATED", "links": [{"rel": "self", "href": "`+ts.URL+`/v2/`+rest+`"}],
				 "media-types": [{"base": "application/json", "type": "application/vnd.openstack.compute+json;version=2"}]},
				{"id": "v2.1", "status": "CURRENT", "links": [{"rel": "self", "href": "`+ts.URL+`/v2.1/`+rest+`"}],
				 "media-types": [{"base": "application/json", "type": "application/vnd.openstack.compute+json;version=2.1"}]}]}`, ex.body)
			assert.Empty(t, ex.header.Values("X-Compute-Request-Id"))
			assertNoVersionHeaders(t, ex.header)
		})
	}
}

func TestVersionDocumentLinks(t *testing.T) {
	forwarded := hdrs("X-Forwarded-Proto", "https", "X-Forwarded-Host", "cloud.example", "X-Forwarded-Prefix", "/compute/")
	max := fakenova.DefaultMaxMicroversion.String()
	t.Run("request host", func(t *testing.T) {
		ts := fakenova.Start(t)
		req, err := http.NewRequest(http.MethodGet, ts.URL+"/v2.1/", nil)
		require.NoError(t, err)
		req.Host = "nova.internal:8774"
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		var doc struct {
			Version struct {
				Links []struct{ Href, Rel string }
			}
		}
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&doc))
		assert.Equal(t, "http://nova.internal:8774/v2.1/", doc.Version.Links[0].Href)
	})
	t.Run("forwarded headers ignored by default", func(t *testing.T) {
		ts := fakenova.Start(t)
		ex := send(t, ts.URL, http.MethodGet, "/v2.1/", forwarded, "")
		assert.JSONEq(t, v21Document(ts.URL, max), ex.body)
		ex = send(t, ts.URL, http.MethodGet, "/", forwarded, "")
		assert.JSONEq(t, versionsDocument(ts.URL, max), ex.body)
	})
	t.Run("forwarded headers trusted", func(t *testing.T) {
		ts := fakenova.Start(t, fakenova.WithTrustForwardedHeaders(true))
		base := "https://cloud.example/compute"
		ex := send(t, ts.URL, http.MethodGet, "/v2.1/", forwarded, "")
		assert.JSONEq(t, v21Document(base, max), ex.body)
		ex = send(t, ts.URL, http.MethodGet, "/", forwarded, "")
		assert.JSONEq(t, versionsDocument(base, max), ex.body)
		ex = send(t, ts.URL, http.MethodGet, "/v2/", forwarded, "")
		assert.JSONEq(t, v20Document(base), ex.body)
		h := apiHeader(ts.Token, "")
		for k, v := range forwarded {
			h[k] = v
		}
		ex = send(t, ts.URL, http.MethodGet, "/v2.1/"+ts.ProjectID+"/", h, "")
		assert.JSONEq(t, v21Document(base, max), ex.body)
		// Without the headers, the request's own host.
		ex = send(t, ts.URL, http.MethodGet, "/v2.1/", nil, "")
		assert.JSONEq(t, v21Document(ts.URL, max), ex.body)
		// Only the first of a proxy chain's values; a proto that is not http(s) is ignored.
		ex = send(t, ts.URL, http.MethodGet, "/v2.1/", hdrs("X-Forwarded-Proto", "gopher", "X-Forwarded-Host", "a.example, b.example"), "")
		assert.JSONEq(t, v21Document("http://a.example", max), ex.body)
	})
	t.Run("external URL", func(t *testing.T) {
		ts := fakenova.Start(t, fakenova.WithExternalURL("https://cloud.example/compute/"), fakenova.WithTrustForwardedHeaders(true))
		base := "https://cloud.example/compute"
		for _, h := range []http.Header{nil, forwarded} {
			ex := send(t, ts.URL, http.MethodGet, "/v2.1", h, "")
			assert.JSONEq(t, v21Document(base, max), ex.body)
			ex = send(t, ts.URL, http.MethodGet, "/", h, "")
			assert.JSONEq(t, versionsDocument(base, max), ex.body)
			ex = send(t, ts.URL, http.MethodGet, "/foo", h, "")
			assert.Contains(t, ex.body, `"href": "https://cloud.example/compute/v2.1/foo"`)
		}
		// The 401 names the external identity endpoint.
		ex := send(t, ts.URL, http.MethodGet, "/v2.1/"+ts.ProjectID+"/", nil, "")
		require.Equal(t, http.StatusUnauthorized, ex.status)
		assert.Equal(t, `Keystone uri="https://cloud.example/compute/identity"`, ex.header.Get("WWW-Authenticate"))
	})
}
