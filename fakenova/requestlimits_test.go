package fakenova_test

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/novastub/novastub/fakenova"
)

// rawExchange sends a raw HTTP request on a new connection and returns
// everything the server sent before closing it (or after a second).
func rawExchange(t *testing.T, url, request string) string {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(url, "http://"))
	require.NoError(t, err)
	defer conn.Close()
	require.NoError(t, conn.SetDeadline(time.Now().Add(5*time.Second)))
	_, err = io.WriteString(conn, request)
	require.NoError(t, err)
	out, _ := io.ReadAll(conn)
	return string(out)
}

// A request over Nova's limits on its head gets eventlet's answer, byte
// for byte, and the connection closed: a long query string (a huge name
// filter) never reaches the API.
func TestRequestLimits(t *testing.T) {
	ts := fakenova.Start(t)
	line := func(n int) string { // a request line of n bytes with its CRLF
		prefix, suffix := "GET /v2.1/servers?name=", " HTTP/1.1\r\n"
		return prefix + strings.Repeat("a", n-len(prefix)-len(suffix)) + suffix
	}
	head := "Host: 127.0.0.1\r\nX-Auth-Token: " + ts.Token + "\r\nConnection: close\r\n"

	ok := rawExchange(t, ts.URL, line(8191)+head+"\r\n")
	assert.True(t, strings.HasPrefix(ok, "HTTP/1.1 200 OK\r\n"), ok)

	assert.Equal(t, "HTTP/1.0 414 Request URI Too Long\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
		rawExchange(t, ts.URL, line(8192)+head+"\r\n"))
	assert.Equal(t, "HTTP/1.0 414 Request URI Too Long\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
		rawExchange(t, ts.URL, line(40000)+head+"\r\n"), "the issue's 39 KB name filter")

	long := "X-Long: " + strings.Repeat("b", 16384-len("X-Long: \r\n")) + "\r\n"
	assert.Equal(t, "HTTP/1.0 400 Header Line Too Long\r\nConnection: close\r\nContent-length: 0\r\n\r\n",
		rawExchange(t, ts.URL, line(100)+head+long+"\r\n"))
	shorter := "X-Long: " + strings.Repeat("b", 16383-len("X-Long: \r\n")) + "\r\n"
	ok = rawExchange(t, ts.URL, line(100)+head+shorter+"\r\n")
	assert.True(t, strings.HasPrefix(ok, "HTTP/1.1 200 OK\r\n"), ok[:min(len(ok), 100)])

	var many strings.Builder
	for i := 0; many.Len() <= 65536; i++ {
		many.WriteString("X-Many-" + strings.Repeat("c", 4) + string(rune('a'+i%26)) + itoa(i) + ": " + strings.Repeat("d", 1000) + "\r\n")
	}
	assert.Equal(t, "HTTP/1.0 400 Headers Too Large\r\nConnection: close\r\nContent-length: 0\r\n\r\n",
		rawExchange(t, ts.URL, line(100)+head+many.String()+"\r\n"))

	// Through a client, as any other answer.
	req, err := http.NewRequest(http.MethodGet, ts.URL+"/v2.1/servers?name="+strings.Repeat("x", 9000), nil)
	require.NoError(t, err)
	req.Header.Set("X-Auth-Token", ts.Token)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	assert.Equal(t, http.StatusRequestURITooLong, resp.StatusCode)
	body, _ := io.ReadAll(bufio.NewReader(resp.Body))
	assert.Empty(t, body)
	assert.Equal(t, 2, ts.Journal().Count("listServers"), "the API saw only the two requests within the limits")
}
