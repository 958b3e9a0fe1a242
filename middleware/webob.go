package middleware

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/novastub/novastub/internal/pyjson"
)

// WriteWebObError answers as a bare webob HTTPException does when it is not
// wrapped in a Nova fault: the body webob generates for the request's
// Accept header (JSON for application/json, HTML for text/html, plain text
// otherwise). Nova's pipeline answers this way for an unknown route (404)
// and for a body over the size limit (413).
func WriteWebObError(w http.ResponseWriter, r *http.Request, code int, explanation string) {
	status := strconv.Itoa(code) + " " + http.StatusText(code)
	if code == http.StatusRequestEntityTooLarge {
		status = "413 Request Entity Too Large" // webob's title, older than RFC 9110's
	}
	title := status[4:]
	var ctype, body string
	switch PreferredType(r.Header.Get("Accept"), "text/html", "application/json") {
	case "text/html":
		// webob's html_template_obj around body_template_obj, html-escaped.
		ctype = "text/html; charset=UTF-8"
		body = "<html>\n <head>\n  <title>" + status + "</title>\n </head>\n <body>\n  <h1>" + status +
			"</h1>\n  " + htmlEscape(explanation) + "<br /><br />\n\n\n\n </body>\n</html>"
	case "application/json":
		// webob's json_formatter: message, code (the status line), title.
		ctype = "application/json"
		body = `{"message": ` + string(pyjson.AppendString(nil, explanation+"<br /><br />\n\n\n")) +
			`, "code": "` + status + `", "title": "` + title + `"}`
	default:
		// webob's plain_template_obj: strip_tags of the explanation and
		// body template together, each newline of the template became a
		// space, each <br /> a newline.
		ctype = "text/plain; charset=UTF-8"
		body = status + "\n\n" + stripTags(explanation+"<br /><br />\n\n\n")
	}
	h := w.Header()
	h.Set("Content-Type", ctype)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(code)
	_, _ = w.Write([]byte(body))
}

// PreferredType returns the offer the Accept header prefers, as webob's
// acceptable_offers ranks them: by the q-value of the most specific media
// range that matches, ties going to the earlier offer. It returns "" when
// the header accepts none of the offers (an empty header accepts none).
func PreferredType(accept string, offers ...string) string {
	best, bestQ := "", 0.0
	for _, offer := range offers {
		if q := quality(accept, offer); q > bestQ {
			best, bestQ = offer, q
		}
	}
	return best
}

// quality is the q-value accept gives offer: that of the most specific
// matching media range, 0 when none matches. As in webob, a range's media
// type parameters (those before q) must equal the offer's; parameters
// after q are accept-extensions and ignored.
func quality(accept, offer string) float64 {
	obase, oparams, _ := strings.Cut(strings.ToLower(offer), ";") // webob lowercases offers whole
	obase = strings.TrimSpace(obase)
	oparams, _ = mediaParams(oparams)
	slash := strings.IndexByte(obase, '/')
	otype := obase[:max(slash, 0)]
	q, specificity := 0.0, -1
	for accept != "" {
		var part string
		part, accept, _ = strings.Cut(accept, ",")
		mrange, params, _ := strings.Cut(part, ";")
		mrange = strings.ToLower(strings.TrimSpace(mrange))
		params, rq := mediaParams(params)
		spec := -1
		switch {
		case mrange == obase && params == "":
			spec = 2
		case mrange == obase && params == oparams:
			spec = 3
		case mrange == otype+"/*":
			spec = 1
		case mrange == "*/*":
			spec = 0
		}
		if spec <= specificity {
			continue
		}
		specificity, q = spec, rq
	}
	return q
}

// mediaParams normalises the ";"-separated parameters of a media range up
// to its q parameter (names lowercased, ";name=value" each) and returns
// them with the q-value (1 when absent or out of range).
func mediaParams(params string) (string, float64) {
	norm, q := "", 1.0
	for params != "" {
		var p string
		p, params, _ = strings.Cut(params, ";")
		k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
		k, v = strings.ToLower(strings.TrimSpace(k)), strings.TrimSpace(v)
		if k == "q" {
			if f, err := strconv.ParseFloat(v, 64); err == nil && f >= 0 && f <= 1 {
				q = f
			}
			break
		}
		norm += ";" + k + "=" + v
	}
	return norm, q
}

// htmlEscape is Python's html.escape(s, quote=True), which webob applies,
// then, as webob's html_escape does, encode("ascii", "xmlcharrefreplace").
func htmlEscape(s string) string {
	s = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&#x27;").Replace(s)
	var b strings.Builder
	for _, r := range s {
		if r < utf8.RuneSelf {
			b.WriteRune(r)
		} else {
			b.WriteString("&#" + strconv.Itoa(int(r)) + ";")
		}
	}
	return b.String()
}

// webob's strip_tags, applied to the plain text body.
var (
	brTag  = regexp.MustCompile(`(?is)<br.*?>`)
	anyTag = regexp.MustCompile(`(?s)<.*?>`)
)

// stripTags is webob's strip_tags: newlines become spaces, carriage
// returns go, each <br> becomes a newline and every other tag goes.
func stripTags(s string) string {
	s = strings.ReplaceAll(strings.ReplaceAll(s, "\n", " "), "\r", "")
	return anyTag.ReplaceAllLiteralString(brTag.ReplaceAllLiteralString(s, "\n"), "")
}
