package middleware_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/novastub/novastub/middleware"
)

// countingReader counts the bytes read from it and whether it was closed.
type countingReader struct {
	r      io.Reader
	n      int
	closed bool
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

func (c *countingReader) Close() error { c.closed = true; return nil }

// readingHandler reads the whole body, keeps it and the read error, and
// answers a body too large as the error asks.
func readingHandler() *recordingHandler {
	h := &recordingHandler{}
	h.reply = func(w http.ResponseWriter, r *http.Request) {
		h.body, h.err = io.ReadAll(r.Body)
		var tooLarge *middleware.BodyTooLargeError
		if errors.As(h.err, &tooLarge) {
			tooLarge.ServeHTTP(w, r)
			return
		}
		w.WriteHeader(http.StatusOK)
		_, _ = fmt.Fprintf(w, "read %d", len(h.body))
	}
	return h
}

func assertWebOb(t *testing.T, w *httptest.ResponseRecorder, code int, ctype, body string) {
	t.Helper()
	assert.Equal(t, code, w.Code)
	assert.Equal(t, []string{ctype}, w.Header().Values("Content-Type"))
	assert.Equal(t, []string{strconv.Itoa(len(body))}, w.Header().Values("Content-Length"))
	assert.Equal(t, body, w.Body.String())
}

func TestBodyLimitDefault(t *testing.T) {
	assert.Equal(t, 114688, middleware.DefaultMaxBodyBytes)
}

func TestBodyLimitContentLengthOverLimit(t *testing.T) {
	tests := []struct {
		accept string // "" for none
		ctype  string
		body   string
	}{
		{"application/json", ctJSON, tooLargeJSON},
		{"", ctPlain, tooLargePlain},
		{"text/html", ctHTML, tooLargeHTML},
		{"text/plain", ctPlain, tooLargePlain},
		{"*/*", ctHTML, tooLargeHTML},
		{"application/json;q=0.9, text/html;q=0.5", ctJSON, tooLargeJSON},
	}
	for _, tt := range tests {
		t.Run("accept="+tt.accept, func(t *testing.T) {
			src := &countingReader{r: bytes.NewReader(make([]byte, middleware.DefaultMaxBodyBytes+1))}
			r := httptest.NewRequest(http.MethodPost, "/v2.1/servers/x/action", src)
			r.ContentLength = middleware.DefaultMaxBodyBytes + 1
			if tt.accept != "" {
				r.Header.Set("Accept", tt.accept)
			}
			next := readingHandler()
			w := serve(middleware.BodyLimit(0)(next), r)
			assertWebOb(t, w, http.StatusRequestEntityTooLarge, tt.ctype, tt.body)
			assert.Zero(t, next.Calls(), "next must not run")
			assert.Zero(t, src.n, "the body is not read")
		})
	}
}

func TestBodyLimitJSONOnTheWire(t *testing.T) {
	r := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(make([]byte, 200000)))
	r.Header.Set("Accept", "application/json")
	w := serve(middleware.BodyLimit(0)(readingHandler()), r)
	raw := w.Body.String()
	// The newlines are JSON escapes on the wire, not raw newlines.
	assert.NotContains(t, raw, "\n")
	assert.Contains(t, raw, `<br /><br />\n\n\n"`)

	var body map[string]string
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &body))
	assert.Equal(t, map[string]string{
		"message": "Request is too large. Larger than max_request_body_size (114688).<br /><br />\n\n\n",
		"code":    "413 Request Entity Too Large",
		"title":   "Request Entity Too Large",
	}, body)
}

func TestBodyLimitAtLimitPasses(t *testing.T) {
	payload := bytes.Repeat([]byte("0123456789abcdef"), middleware.DefaultMaxBodyBytes/16)
	require.Len(t, payload, middleware.DefaultMaxBodyBytes)

	t.Run("content-length", func(t *testing.T) {
		next := readingHandler()
		r := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(payload))
		require.EqualValues(t, middleware.DefaultMaxBodyBytes, r.ContentLength)
		w := serve(middleware.BodyLimit(0)(next), r)
		assert.Equal(t, http.StatusOK, w.Code)
		assert.Equal(t, "read 114688", w.Body.String())
		require.NoError(t, next.err)
		assert.Equal(t, payload, next.body)
	})
	t.Run("chunked", func(t *testing.T) {
		next := readingHandler()
		w := serve(middleware.BodyLimit(0)(next), chunkedRequest(http.MethodPost, "/", payload))
		assert.Equal(t, http.StatusOK, w.Code)
		require.NoError(t, next.err)
		assert.Equal(t, payload, next.body)
	})
}

func TestBodyLimitWithinContentLengthIsNotWrapped(t *testing.T) {
	src := &countingReader{r: strings.NewReader("{}")}
	var seen io.ReadCloser
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { seen = r.Body })
	r := httptest.NewRequest(http.MethodPost, "/", src)
	r.ContentLength = 2
	serve(middleware.BodyLimit(0)(next), r)
	assert.Same(t, src, seen, "a request within its Content-Length keeps its body")
}

func TestBodyLimitNoBody(t *testing.T) {
	for _, tc := range []struct {
		name string
		r    *http.Request
	}{
		{"GET without body", httptest.NewRequest(http.MethodGet, "/", nil)},
		{"NoBody with unknown length", func() *http.Request {
			r := httptest.NewRequest(http.MethodPost, "/", nil)
			r.Body, r.ContentLength = http.NoBody, -1
			return r
		}()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := tc.r.Body
			var seen io.ReadCloser
			next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				seen = r.Body
				w.WriteHeader(http.StatusNoContent)
			})
			w := serve(middleware.BodyLimit(0)(next), tc.r)
			assert.Equal(t, http.StatusNoContent, w.Code)
			assert.Equal(t, before, seen)
		})
	}
}

func TestBodyLimitChunkedOverLimit(t *testing.T) {
	tests := []struct {
		accept string
		ctype  string
		body   string
	}{
		{"application/json", ctJSON, chunkedTooLargeJSON},
		{"", ctPlain, chunkedTooLargePlain},
		{"text/html", ctHTML, chunkedTooLargeHTML},
	}
	for _, tt := range tests {
		t.Run("accept="+tt.accept, func(t *testing.T) {
			next := readingHandler()
			r := chunkedRequest(http.MethodPost, "/v2.1/servers/x/action", make([]byte, middleware.DefaultMaxBodyBytes+1))
			if tt.accept != "" {
				r.Header.Set("Accept", tt.accept)
			}
			w := serve(middleware.BodyLimit(0)(next), r)
			assert.Equal(t, 1, next.Calls(), "a chunked body reaches next")

			require.Error(t, next.err)
			var tooLarge *middleware.BodyTooLargeError
			require.ErrorAs(t, next.err, &tooLarge)
			assert.EqualValues(t, middleware.DefaultMaxBodyBytes, tooLarge.Limit)
			assert.ErrorIs(t, next.err, middleware.ErrBodyTooLarge)
			assert.EqualError(t, next.err, "request body larger than 114688 bytes")
			assert.LessOrEqual(t, len(next.body), middleware.DefaultMaxBodyBytes)

			assertWebOb(t, w, http.StatusRequestEntityTooLarge, tt.ctype, tt.body)
		})
	}
}

func TestBodyLimitChunkedReadsFailPastLimit(t *testing.T) {
	const limit = 10
	for _, tc := range []struct {
		name string
		wrap func(io.Reader) io.Reader
	}{
		{"one read", func(r io.Reader) io.Reader { return r }},
		{"one byte at a time", iotest.OneByteReader},
		{"half reads", iotest.HalfReader},
		{"data with EOF", iotest.DataErrReader},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for size := 0; size <= limit+5; size++ {
				payload := bytes.Repeat([]byte("x"), size)
				var body []byte
				var err error
				next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					body, err = io.ReadAll(r.Body)
				})
				r := httptest.NewRequest(http.MethodPost, "/", opaqueReader{tc.wrap(bytes.NewReader(payload))})
				r.ContentLength = -1
				serve(middleware.BodyLimit(limit)(next), r)
				if size <= limit {
					require.NoError(t, err, "size %d", size)
					require.Equal(t, payload, body, "size %d", size)
					continue
				}
				var tooLarge *middleware.BodyTooLargeError
				require.ErrorAs(t, err, &tooLarge, "size %d", size)
				require.EqualValues(t, limit, tooLarge.Limit)
				require.ErrorIs(t, err, middleware.ErrBodyTooLarge)
				require.LessOrEqual(t, len(body), limit, "size %d", size)
				require.Equal(t, payload[:len(body)], body, "what was read before the error is the body's start")
			}
		})
	}
}

func TestBodyLimitChunkedKeepsFailing(t *testing.T) {
	var errs []error
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		buf := make([]byte, 4)
		for i := 0; i < 6; i++ {
			if _, err := r.Body.Read(buf); err != nil {
				errs = append(errs, err)
			}
		}
	})
	serve(middleware.BodyLimit(5)(next), chunkedRequest(http.MethodPost, "/", []byte("0123456789")))
	require.NotEmpty(t, errs)
	for _, err := range errs {
		assert.ErrorIs(t, err, middleware.ErrBodyTooLarge, "every read past the limit fails, never EOF")
	}
}

func TestBodyLimitChunkedClosePassesThrough(t *testing.T) {
	src := &countingReader{r: strings.NewReader("abc")}
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		assert.NotSame(t, src, r.Body, "a body of unknown length is read through a limit")
		require.NoError(t, r.Body.Close())
	})
	r := httptest.NewRequest(http.MethodPost, "/", src)
	r.ContentLength = -1
	serve(middleware.BodyLimit(0)(next), r)
	assert.True(t, src.closed)
}

func TestBodyLimitCustomLimit(t *testing.T) {
	h := middleware.BodyLimit(10)
	next := readingHandler()

	r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader("0123456789"))
	w := serve(h(next), r)
	assert.Equal(t, http.StatusOK, w.Code)
	assert.Equal(t, "0123456789", string(next.body))

	r = httptest.NewRequest(http.MethodPost, "/", strings.NewReader("0123456789A"))
	r.Header.Set("Accept", "application/json")
	w = serve(h(next), r)
	assertWebOb(t, w, http.StatusRequestEntityTooLarge, ctJSON,
		`{"message": "Request is too large. Larger than max_request_body_size (10).<br /><br />\n\n\n", "code": "413 Request Entity Too Large", "title": "Request Entity Too Large"}`)
	assert.Equal(t, 1, next.Calls())

	r = chunkedRequest(http.MethodPost, "/", []byte("0123456789A"))
	w = serve(h(next), r)
	assertWebOb(t, w, http.StatusRequestEntityTooLarge, ctPlain,
		"413 Request Entity Too Large\n\nRequest is too large. Larger than 10.\n\n   ")
	var tooLarge *middleware.BodyTooLargeError
	require.ErrorAs(t, next.err, &tooLarge)
	assert.EqualValues(t, 10, tooLarge.Limit)
	assert.EqualError(t, next.err, "request body larger than 10 bytes")
}

func TestBodyLimitNonPositiveMeansDefault(t *testing.T) {
	for _, max := range []int64{0, -1, math.MinInt64} {
		t.Run(strconv.FormatInt(max, 10), func(t *testing.T) {
			next := readingHandler()
			h := middleware.BodyLimit(max)(next)

			r := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(make([]byte, middleware.DefaultMaxBodyBytes+1)))
			w := serve(h, r)
			assertWebOb(t, w, http.StatusRequestEntityTooLarge, ctPlain, tooLargePlain)
			assert.Zero(t, next.Calls())

			r = httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(make([]byte, middleware.DefaultMaxBodyBytes)))
			w = serve(h, r)
			assert.Equal(t, http.StatusOK, w.Code)
			assert.Len(t, next.body, middleware.DefaultMaxBodyBytes)

			w = serve(h, chunkedRequest(http.MethodPost, "/", make([]byte, middleware.DefaultMaxBodyBytes+1)))
			assertWebOb(t, w, http.StatusRequestEntityTooLarge, ctPlain, chunkedTooLargePlain)
		})
	}
}

func TestBodyLimitHugeLimit(t *testing.T) {
	// A limit no body can reach must not overflow the reader's arithmetic.
	payload := []byte(strings.Repeat("z", 1000))
	for _, max := range []int64{math.MaxInt64, math.MaxInt64 - 1, math.MaxInt32} {
		next := readingHandler()
		w := serve(middleware.BodyLimit(max)(next), chunkedRequest(http.MethodPost, "/", payload))
		assert.Equal(t, http.StatusOK, w.Code, "limit %d", max)
		require.NoError(t, next.err, "limit %d", max)
		assert.Equal(t, payload, next.body, "limit %d", max)
	}
}

func TestBodyTooLargeError(t *testing.T) {
	err := &middleware.BodyTooLargeError{Limit: 2048}
	assert.EqualError(t, err, "request body larger than 2048 bytes")
	assert.ErrorIs(t, err, middleware.ErrBodyTooLarge)
	assert.NotErrorIs(t, err, io.EOF)
	assert.NotErrorIs(t, err, errors.New(middleware.ErrBodyTooLarge.Error()))
	assert.EqualError(t, middleware.ErrBodyTooLarge, "middleware: request body too large")

	wrapped := fmt.Errorf("decoding body: %w", err)
	assert.ErrorIs(t, wrapped, middleware.ErrBodyTooLarge)
	var got *middleware.BodyTooLargeError
	require.ErrorAs(t, wrapped, &got)
	assert.Same(t, err, got)

	// It answers for itself, and is an http.Handler.
	var h http.Handler = err
	r := httptest.NewRequest(http.MethodPost, "/", nil)
	r.Header.Set("Accept", "application/json")
	w := serve(h, r)
	assertWebOb(t, w, http.StatusRequestEntityTooLarge, ctJSON,
		`{"message": "Request is too large. Larger than 2048.<br /><br />\n\n\n", "code": "413 Request Entity Too Large", "title": "Request Entity Too Large"}`)
}

func TestBodyLimitOverHTTP(t *testing.T) {
	next := readingHandler()
	srv := httptest.NewServer(middleware.BodyLimit(0)(next))
	defer srv.Close()

	post := func(body io.Reader, accept string) (*http.Response, string) {
		t.Helper()
		req, err := http.NewRequest(http.MethodPost, srv.URL+"/v2.1/servers/x/action", body)
		require.NoError(t, err)
		req.Header.Set("Accept", accept)
		resp, err := srv.Client().Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return resp, string(b)
	}

	// Content-Length over the limit: refused before next runs.
	resp, body := post(bytes.NewReader(make([]byte, middleware.DefaultMaxBodyBytes+1)), "application/json")
	assert.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode)
	assert.Equal(t, ctJSON, resp.Header.Get("Content-Type"))
	assert.Equal(t, tooLargeJSON, body)
	assert.Zero(t, next.Calls())

	// Chunked (the client cannot know the length of an opaque reader).
	resp, body = post(opaqueReader{bytes.NewReader(make([]byte, middleware.DefaultMaxBodyBytes+100))}, "application/json")
	assert.Equal(t, []string{"chunked"}, next.Last().TransferEncoding)
	assert.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode)
	assert.Equal(t, ctJSON, resp.Header.Get("Content-Type"))
	assert.Equal(t, chunkedTooLargeJSON, body)

	// Chunked within the limit.
	resp, body = post(opaqueReader{bytes.NewReader(make([]byte, middleware.DefaultMaxBodyBytes))}, "application/json")
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "read 114688", body)
}
