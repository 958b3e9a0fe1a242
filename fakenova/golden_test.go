package fakenova_test

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/novastub/novastub/fakenova"
	"github.com/novastub/novastub/state"
)

// The golden tests replay the two exchanges of the seed
// (../shared/seed/get-console.txt, copied to testdata verbatim): the
// request as the seed prints it goes to the fake, and the fake's answer is
// compared with the seed's response, byte for byte but for the values that
// are fresh on every call (the console token, the request id, the date).

var requestIDPattern = regexp.MustCompile(`^req-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func readGolden(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile("testdata/" + name)
	require.NoError(t, err)
	return data
}

// goldenRequest parses a request as the seed prints it.
func goldenRequest(t *testing.T, text []byte) *http.Request {
	t.Helper()
	req, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(text)))
	require.NoError(t, err)
	body, err := io.ReadAll(req.Body)
	require.NoError(t, err)
	// Turn the parsed client request into a server-side one.
	srvReq := httptest.NewRequest(req.Method, req.RequestURI, bytes.NewReader(body))
	srvReq.Header = req.Header
	srvReq.Host = req.Host
	srvReq.ContentLength = req.ContentLength
	return srvReq
}

// goldenResponse parses a response as the seed prints it.
func goldenResponse(t *testing.T, text []byte) (*http.Response, string) {
	t.Helper()
	resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(text)), nil)
	require.NoError(t, err)
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp, string(body)
}

func TestGoldenSeedSuccessExample(t *testing.T) {
	st := state.New()
	require.NoError(t, st.Load(&state.Seed{
		Projects: []state.Project{{ID: "1ab83fbf1b594600bfa618dc33694dd6", Name: "demo"}},
		Hosts:    []state.SeedHost{{Name: "compute-1"}},
		Tokens:   []state.SeedToken{{Token: "50c17af54c154f528d135e7f74098cfd", ProjectID: "1ab83fbf1b594600bfa618dc33694dd6", Roles: []string{"member"}}},
		Servers:  []state.SeedServer{{ID: "365313c5-5d0c-4c43-af05-16f765c0f2bc", Name: "vm1", ProjectID: "1ab83fbf1b594600bfa618dc33694dd6", Status: "ACTIVE"}},
	}))
	// The seed's console proxy.
	nova := fakenova.New(fakenova.WithState(st),
		fakenova.WithConsoleURL(state.ConsoleNoVNC, "http://192.168.155.51:6080/vnc_auto.html", fakenova.TokenQuery))

	req := goldenRequest(t, readGolden(t, "seed-success.request"))
	rec := httptest.NewRecorder()
	nova.ServeHTTP(rec, req)

	want, wantBody := goldenResponse(t, readGolden(t, "seed-success.response"))
	require.Equal(t, want.StatusCode, rec.Code, rec.Body.String())
	assert.Equal(t, want.Header.Get("Content-Type"), rec.Header().Get("Content-Type"))
	assert.Equal(t, want.Header.Get("Content-Length"), rec.Header().Get("Content-Length"))
	assert.Regexp(t, requestIDPattern, rec.Header().Get("X-Compute-Request-Id"))
	// The legacy /v2 endpoint has no microversion headers.
	assert.Empty(t, rec.Header().Values("Openstack-Api-Version"))
	assert.Empty(t, rec.Header().Values("Vary"))

	tokens := regexp.MustCompile(`token=([0-9a-f-]{36})`)
	m := tokens.FindStringSubmatch(rec.Body.String())
	require.Len(t, m, 2, rec.Body.String())
	tok, err := st.ConsoleToken(m[1])
	require.NoError(t, err, "the token in the URL is stored")
	assert.Equal(t, "365313c5-5d0c-4c43-af05-16f765c0f2bc", tok.ServerID)
	assert.Equal(t, state.ConsoleNoVNC, tok.Type)
	assert.Equal(t, tokens.ReplaceAllString(wantBody, "token="+m[1]), rec.Body.String())
}

func TestGoldenSeedErrorExample(t *testing.T) {
	st := state.New()
	require.NoError(t, st.AddToken(state.AuthToken{Token: "e2f9b4b1648c4d7eb890fce86598c706", ProjectID: "895f0b8574504834bd6249d91dbd5a9c", Roles: []string{"member"}}))
	nova := fakenova.New(fakenova.WithState(st))

	// The seed prints the headers of a 39-byte form-encoded body but not
	// the body; any such body does.
	form := "os-getVNCConsole%5Btype%5D=novnc&x=1234"
	require.Len(t, form, 39)
	text := append(readGolden(t, "seed-error.request"), "\n"+form...)
	req := goldenRequest(t, text)
	rec := httptest.NewRecorder()
	nova.ServeHTTP(rec, req)

	want, wantBody := goldenResponse(t, readGolden(t, "seed-error.response"))
	require.Equal(t, want.StatusCode, rec.Code)
	assert.Equal(t, want.Header.Get("Content-Type"), rec.Header().Get("Content-Type"))
	assert.Equal(t, want.Header.Get("Content-Length"), rec.Header().Get("Content-Length"))
	assert.Regexp(t, requestIDPattern, rec.Header().Get("X-Compute-Request-Id"))
	assert.Equal(t, wantBody, rec.Body.String(), "byte for byte")
	assert.True(t, strings.HasPrefix(rec.Body.String(), `{"badRequest": {"message": `))
}
