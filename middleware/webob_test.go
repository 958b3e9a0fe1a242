package middleware_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/novastub/novastub/middleware"
)

// The expected bodies in this file are what webob 1.8 (Debian's
// python3-webob 1.8.6) answers for the same exception and Accept header.

func writeWebOb(accept string, code int, explanation string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodGet, "/v2.1/no/such/route", nil)
	if accept != "" {
		r.Header.Set("Accept", accept)
	}
	w := httptest.NewRecorder()
	middleware.WriteWebObError(w, r, code, explanation)
	return w
}

func TestWriteWebObError404(t *testing.T) {
	const msg = "The resource could not be found."
	tests := []struct {
		accept string
		ctype  string
		body   string
		length int
	}{
		{"application/json", ctJSON, notFoundJSON, 112},
		{"", ctPlain, notFoundPlain, 52},
		{"text/html", ctHTML, notFoundHTML, 154},
		// webob's offers are text/html then application/json.
		{"*/*", ctHTML, notFoundHTML, 154},
		{"application/json, text/html", ctHTML, notFoundHTML, 154},
		{"text/html;q=0.5, application/json", ctJSON, notFoundJSON, 112},
		{"text/*;q=0.1, application/json;q=0.5", ctJSON, notFoundJSON, 112},
		{"application/json;q=0, */*", ctHTML, notFoundHTML, 154},
		{"image/png", ctPlain, notFoundPlain, 52},
		{"text/plain", ctPlain, notFoundPlain, 52},
		{"TEXT/HTML", ctHTML, notFoundHTML, 154},
		{"application/vnd.openstack.compute+json", ctPlain, notFoundPlain, 52},
	}
	for _, tt := range tests {
		t.Run("accept="+tt.accept, func(t *testing.T) {
			w := writeWebOb(tt.accept, http.StatusNotFound, msg)
			assert.Equal(t, http.StatusNotFound, w.Code)
			assert.Equal(t, []string{tt.ctype}, w.Header().Values("Content-Type"))
			assert.Equal(t, tt.body, w.Body.String())
			assert.Equal(t, []string{strconv.Itoa(tt.length)}, w.Header().Values("Content-Length"))
			assert.Equal(t, tt.length, w.Body.Len())
		})
	}
}

func TestWriteWebObError404ExactStrings(t *testing.T) {
	// The reference's strings, spelled out, so that a change to the
	// shared constants cannot hide a change of behaviour.
	w := writeWebOb("application/json", http.StatusNotFound, "The resource could not be found.")
	assert.Equal(t, "{\"message\": \"The resource could not be found.<br /><br />\\n\\n\\n\", \"code\": \"404 Not Found\", \"title\": \"Not Found\"}", w.Body.String())
	var body map[string]string
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &body))
	assert.Equal(t, map[string]string{
		"message": "The resource could not be found.<br /><br />\n\n\n",
		"code":    "404 Not Found",
		"title":   "Not Found",
	}, body)

	w = writeWebOb("", http.StatusNotFound, "The resource could not be found.")
	assert.Equal(t, "404 Not Found\n\nThe resource could not be found.\n\n   ", w.Body.String())
}

func TestWriteWebObErrorOverHTTP(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		middleware.WriteWebObError(w, r, http.StatusNotFound, "The resource could not be found.")
	}))
	defer srv.Close()
	req, err := http.NewRequest(http.MethodGet, srv.URL+"/nope", nil)
	require.NoError(t, err)
	req.Header.Set("Accept", "application/json")
	resp, err := srv.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
	assert.Equal(t, "404 Not Found", resp.Status)
	assert.EqualValues(t, 112, resp.ContentLength)
	assert.Equal(t, ctJSON, resp.Header.Get("Content-Type"))
}

func TestWriteWebObErrorOtherCodes(t *testing.T) {
	tests := []struct {
		code        int
		explanation string
		json, plain string
	}{
		{
			http.StatusBadRequest, "The server could not comply with the request since it is either malformed or otherwise incorrect.",
			`{"message": "The server could not comply with the request since it is either malformed or otherwise incorrect.<br /><br />\n\n\n", "code": "400 Bad Request", "title": "Bad Request"}`,
			"400 Bad Request\n\nThe server could not comply with the request since it is either malformed or otherwise incorrect.\n\n   ",
		},
		{
			http.StatusForbidden, "Access was denied to this resource.",
			`{"message": "Access was denied to this resource.<br /><br />\n\n\n", "code": "403 Forbidden", "title": "Forbidden"}`,
			"403 Forbidden\n\nAccess was denied to this resource.\n\n   ",
		},
		{
			http.StatusConflict, "There was a conflict when trying to complete your request.",
			`{"message": "There was a conflict when trying to complete your request.<br /><br />\n\n\n", "code": "409 Conflict", "title": "Conflict"}`,
			"409 Conflict\n\nThere was a conflict when trying to complete your request.\n\n   ",
		},
		{
			// webob keeps the pre-RFC 9110 reason phrase for 413.
			http.StatusRequestEntityTooLarge, "Request is too large. Larger than max_request_body_size (114688).",
			tooLargeJSON, tooLargePlain,
		},
	}
	for _, tt := range tests {
		t.Run(strconv.Itoa(tt.code), func(t *testing.T) {
			w := writeWebOb("application/json", tt.code, tt.explanation)
			assert.Equal(t, tt.code, w.Code)
			assert.Equal(t, tt.json, w.Body.String())
			assert.Equal(t, strconv.Itoa(len(tt.json)), w.Header().Get("Content-Length"))
			w = writeWebOb("", tt.code, tt.explanation)
			assert.Equal(t, tt.code, w.Code)
			assert.Equal(t, tt.plain, w.Body.String())
			assert.Equal(t, ctPlain, w.Header().Get("Content-Type"))
		})
	}
}

func TestWriteWebObErrorEscaping(t *testing.T) {
	tests := []struct {
		name        string
		explanation string
		json        string
		html        string // between "<h1>404 Not Found</h1>\n  " and "<br /><br />"
		plain       string // between "404 Not Found\n\n" and "\n\n   "
	}{
		{
			name:        "quotes, markup and non-ASCII",
			explanation: "a \"q\" & <b> 's' caf\u00e9 \U0001F600 tab\there\x7f",
			json:        `{"message": "a \"q\" & <b> 's' caf\u00e9 \ud83d\ude00 tab\there\u007f<br /><br />\n\n\n", "code": "404 Not Found", "title": "Not Found"}`,
			html:        "a &quot;q&quot; &amp; &lt;b&gt; &#x27;s&#x27; caf&#233; &#128512; tab\there\x7f",
			plain:       "a \"q\" &  's' caf\u00e9 \U0001F600 tab\there\x7f",
		},
		{
			name:        "newlines and tags",
			explanation: "first line\nsecond<br>third\r\n<i>it</i>",
			json:        `{"message": "first line\nsecond<br>third\r\n<i>it</i><br /><br />\n\n\n", "code": "404 Not Found", "title": "Not Found"}`,
			html:        "first line\nsecond&lt;br&gt;third\r\n&lt;i&gt;it&lt;/i&gt;",
			plain:       "first line second\nthird it",
		},
		{
			name:        "link",
			explanation: "tags <a href='x'>link</a> & more",
			json:        `{"message": "tags <a href='x'>link</a> & more<br /><br />\n\n\n", "code": "404 Not Found", "title": "Not Found"}`,
			html:        "tags &lt;a href=&#x27;x&#x27;&gt;link&lt;/a&gt; &amp; more",
			plain:       "tags link & more",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := writeWebOb("application/json", http.StatusNotFound, tt.explanation)
			assert.Equal(t, tt.json, w.Body.String())
			assert.True(t, json.Valid(w.Body.Bytes()))
			var body map[string]string
			require.NoError(t, json.Unmarshal(w.Body.Bytes(), &body))
			assert.Equal(t, tt.explanation+"<br /><br />\n\n\n", body["message"])
			for _, c := range w.Body.Bytes() {
				require.Less(t, c, byte(0x7f), "the JSON is ASCII, as json.dumps writes it")
			}

			w = writeWebOb("text/html", http.StatusNotFound, tt.explanation)
			html := "<html>\n <head>\n  <title>404 Not Found</title>\n </head>\n <body>\n  <h1>404 Not Found</h1>\n  " +
				tt.html + "<br /><br />\n\n\n\n </body>\n</html>"
			assert.Equal(t, html, w.Body.String())
			assert.Equal(t, strconv.Itoa(len(html)), w.Header().Get("Content-Length"))

			w = writeWebOb("", http.StatusNotFound, tt.explanation)
			plain := "404 Not Found\n\n" + tt.plain + "\n\n   "
			assert.Equal(t, plain, w.Body.String())
			assert.Equal(t, strconv.Itoa(len(plain)), w.Header().Get("Content-Length"))
		})
	}
}

func TestWriteWebObErrorPlainStripsTagsAcrossTheTemplate(t *testing.T) {
	// webob strips tags from the explanation and its template together, so
	// an unclosed "<br" in the explanation swallows the template's first
	// "<br />".
	w := writeWebOb("", http.StatusNotFound, "x <br")
	assert.Equal(t, "404 Not Found\n\nx \n\n   ", w.Body.String())
}

func TestPreferredType(t *testing.T) {
	const (
		html  = "text/html"
		jsonT = "application/json"
		plain = "text/plain"
		vnd   = "application/vnd.openstack.compute+json"
	)
	tests := []struct {
		accept string
		offers []string
		want   string
	}{
		// Empty header and no offers.
		{"", []string{html, jsonT}, ""},
		{"application/json", nil, ""},
		// Plain matches.
		{"application/json", []string{html, jsonT}, jsonT},
		{"text/html", []string{html, jsonT}, html},
		{"image/png", []string{html, jsonT}, ""},
		{"TEXT/HTML", []string{html, jsonT}, html},
		{"Application/JSON", []string{html, jsonT}, jsonT},
		{",,text/html", []string{html, jsonT}, html},
		// */* and ties: the earlier offer wins.
		{"*/*", []string{html, jsonT}, html},
		{"*/*", []string{jsonT, html}, jsonT},
		{"application/json, text/html", []string{html, jsonT}, html},
		{"application/json, text/html", []string{jsonT, html}, jsonT},
		{"application/json;q=0.1, text/html;q=0.1", []string{html, jsonT}, html},
		{"application/*", []string{jsonT, vnd}, jsonT},
		{"application/vnd.openstack.compute+json", []string{jsonT, vnd}, vnd},
		// q-values.
		{"application/json;q=0.9, text/html;q=0.8", []string{html, jsonT}, jsonT},
		{"text/html;q=0.5, application/json", []string{html, jsonT}, jsonT},
		{"text/html;Q=0.5, application/json", []string{html, jsonT}, jsonT},
		{"text/html;q=0.5 , application/json;q=0.6", []string{html, jsonT}, jsonT},
		{"application/json;q=0.333, text/html;q=0.33", []string{html, jsonT}, jsonT},
		{"text/*;q=0.1, */*;q=0.5", []string{html, jsonT}, jsonT},
		{"text/*, */*;q=0.5", []string{jsonT, html}, html},
		// Specificity: the most specific matching range gives the q-value.
		{"text/*;q=0.1, text/html", []string{plain, html}, html},
		{"text/*;q=0.1, text/html", []string{html, plain}, html},
		{"text/html;q=0.1, text/*", []string{html, plain}, plain},
		{"text/html;q=0.1, text/*, application/json;q=0.5", []string{html, jsonT}, jsonT},
		// q=0 excludes, even when a broader range would accept.
		{"application/json;q=0, */*", []string{html, jsonT}, html},
		{"application/json;q=0, */*", []string{jsonT}, ""},
		{"text/html;q=0, text/*", []string{html}, ""},
		{"*/*;q=0", []string{html, jsonT}, ""},
		// A range repeated: its first appearance counts.
		{"text/html, text/html;q=0", []string{html}, html},
		{"text/html;q=0, text/html", []string{html}, ""},
		// Media type parameters (before q) must match the offer's;
		// parameters after q are accept-extensions and ignored.
		{"application/json; charset=utf-8", []string{html, jsonT}, ""},
		{"application/json;q=0.5;charset=utf-8", []string{html, jsonT}, jsonT},
		{"text/html;level=1;q=0.9, application/json;q=0.5", []string{html, jsonT}, jsonT},
		{"text/*;level=1, application/json;q=0.5", []string{html, jsonT}, html},
		{"*/*;foo=bar", []string{html, jsonT}, html},
		{"text/html;level=1", []string{"text/html;level=1", "text/html;level=2"}, "text/html;level=1"},
		{"text/html;level=2", []string{"text/html;level=1", "text/html;level=2"}, "text/html;level=2"},
		{"text/html", []string{"text/html;level=1"}, "text/html;level=1"},
		{"text/html;level=1;q=0.2, text/html;q=0.7", []string{"text/html;level=1", html}, html},
		{"text/html;level=1, text/html;q=0.7", []string{html, "text/html;level=1"}, "text/html;level=1"},
	}
	for _, tt := range tests {
		got := middleware.PreferredType(tt.accept, tt.offers...)
		assert.Equal(t, tt.want, got, "PreferredType(%q, %q)", tt.accept, tt.offers)
	}
}

func TestWriteWebObErrorJSONControlCharacters(t *testing.T) {
	// As Python's json.dumps writes them (ensure_ascii); "/" is not escaped.
	w := writeWebOb("application/json", http.StatusNotFound, "c\b\f\x01\x1f\ufffd\u2028/")
	assert.Equal(t, `{"message": "c\b\f\u0001\u001f\ufffd\u2028/<br /><br />\n\n\n", "code": "404 Not Found", "title": "Not Found"}`, w.Body.String())

	// Invalid UTF-8, which a Python str cannot hold, comes out as U+FFFD.
	w = writeWebOb("application/json", http.StatusNotFound, "bad \xff byte")
	assert.Equal(t, `{"message": "bad \ufffd byte<br /><br />\n\n\n", "code": "404 Not Found", "title": "Not Found"}`, w.Body.String())
	assert.True(t, json.Valid(w.Body.Bytes()))
}
