package identity

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/novastub/novastub/fakenova/internal/multidict"
)

// queryOracle is the part of testdata/keystone_oracle.json about query
// strings, written by testdata/oracle.py with werkzeug and CPython.
type queryOracle struct {
	QueryStrings []struct {
		Query string     `json:"query"`
		Args  [][]string `json:"args"`
	} `json:"query_strings"`
	Ints []struct {
		Text  string  `json:"text"`
		Value *string `json:"value"`
	} `json:"ints"`
	URLEncode []struct {
		Args [][]any `json:"args"`
		Text string  `json:"text"`
	} `json:"urlencode"`
	StatusTitles map[string]string `json:"status_titles"`
}

func loadQueryOracle(t *testing.T) queryOracle {
	t.Helper()
	data, err := os.ReadFile("testdata/keystone_oracle.json")
	require.NoError(t, err)
	var o queryOracle
	require.NoError(t, json.Unmarshal(data, &o))
	require.NotEmpty(t, o.QueryStrings)
	require.NotEmpty(t, o.Ints)
	require.NotEmpty(t, o.URLEncode)
	require.NotEmpty(t, o.StatusTitles)
	return o
}

func TestQueryStringsAsWerkzeugReadsThem(t *testing.T) {
	for _, c := range loadQueryOracle(t).QueryStrings {
		got := [][]string{}
		for _, arg := range multidict.ParseWerkzeug(c.Query).Grouped() {
			got = append(got, []string{arg.Key, arg.Value})
		}
		assert.Equal(t, c.Args, got, c.Query)
	}
}

func TestPyIntIsPythonsInt(t *testing.T) {
	for _, c := range loadQueryOracle(t).Ints {
		n, ok := pyInt(c.Text)
		if c.Value == nil {
			assert.False(t, ok, "%q", c.Text)
			continue
		}
		require.True(t, ok, "%q", c.Text)
		want, err := strconv.ParseInt(*c.Value, 10, 64)
		if err != nil { // beyond int64: saturated
			want = 1<<63 - 1
		}
		assert.Equal(t, want, n, "%q", c.Text)
	}
}

func TestNextLinksAsURLEncodeWritesThem(t *testing.T) {
	for _, c := range loadQueryOracle(t).URLEncode {
		var args multidict.Params
		for _, kv := range c.Args {
			value := ""
			switch v := kv[1].(type) {
			case string:
				value = v
			case float64:
				value = strconv.FormatFloat(v, 'f', -1, 64)
			}
			args = append(args, multidict.Pair{Key: kv[0].(string), Value: value})
		}
		assert.Equal(t, c.Text, args.DictFirst().Encode())
	}
	// The marker and the limit replace theirs, or follow.
	args := multidict.ParseWerkzeug("limit=2&name=a+b&name=c")
	assert.Equal(t, "limit=2&name=a+b&marker=x", nextQuery(args, "x", 2))
}

func TestStatusTitlesArePythons(t *testing.T) {
	o := loadQueryOracle(t)
	for code := 100; code < 600; code++ {
		assert.Equal(t, o.StatusTitles[strconv.Itoa(code)], statusTitle(code), code)
	}
}

func TestLikeMatch(t *testing.T) {
	for _, row := range []struct {
		s, pattern string
		want       bool
	}{
		{"demo", "%em%", true},
		{"DEMO", "%em%", true},
		{"demo", "de%", true},
		{"demo", "%mo", true},
		{"demo", "%x%", false},
		{"demo", "d_mo", true},
		{"demo", "d_o", false},
		{"demo", "%", true},
		{"", "%", true},
		{"", "_", false},
		{"a%b", `%\%%`, true},
		{"ab", `%\%%`, false},
		{"a_b", `a\_b`, true},
		{"axb", `a\_b`, false},
		{"élan", "_lan", true},
		{"aaa", "%a%a%a%", true},
		{"aa", "%a%a%a%", false},
		{"abcabd", "%abd", true},
	} {
		assert.Equal(t, row.want, likeMatch(row.s, row.pattern), "%q LIKE %q", row.s, row.pattern)
	}
}

func TestWriteErrorIsKeystones(t *testing.T) {
	s := New(nil, WithExternalURL("https://cloud.example/identity"))
	for _, row := range []struct {
		code          int
		message, want string
	}{
		{401, "", `{"error":{"code":401,"message":"The request you have made requires authentication.","title":"Unauthorized"}}`},
		{403, "", `{"error":{"code":403,"message":"You are not authorized to perform the requested action.","title":"Forbidden"}}`},
		{500, "", `{"error":{"code":500,"message":"An unexpected error prevented the server from fulfilling your request.","title":"Internal Server Error"}}`},
		{503, "", `{"error":{"code":503,"message":"Service Unavailable","title":"Service Unavailable"}}`},
		{414, "too long <é>", `{"error":{"code":414,"message":"too long <\u00e9>","title":"Request-URI Too Long"}}`},
	} {
		w := httptest.NewRecorder()
		s.WriteError(w, httptest.NewRequest(http.MethodGet, "/identity/v3/projects", nil), row.code, row.message)
		h := w.Header()
		assert.Equal(t, row.code, w.Code)
		assert.Equal(t, row.want+"\n", w.Body.String())
		assert.Equal(t, "application/json", h.Get("Content-Type"))
		assert.Equal(t, strconv.Itoa(len(row.want)+1), h.Get("Content-Length"))
		assert.Equal(t, "X-Auth-Token", h.Get("Vary"))
		assert.True(t, strings.HasPrefix(h.Get("X-Openstack-Request-Id"), "req-"))
		if row.code == http.StatusUnauthorized {
			assert.Equal(t, `Keystone uri="https://cloud.example/identity/v3"`, h.Get("WWW-Authenticate"))
		} else {
			assert.Empty(t, h.Get("WWW-Authenticate"))
		}
	}
}
