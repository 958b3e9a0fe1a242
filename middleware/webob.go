package middleware

import (
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"
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
		body = `{"message": ` + asciiJSONString(explanation+"<br /><br />\n\n\n") +
			`, "code": "` + status + `", "title": "` + title + `"}`
	default:
		// webob's plain_template_obj after strip_tags: each newline of the
		// template became a space, each <br /> a newline.
		ctype = "text/plain; charset=UTF-8"
		body = status + "\n\n" + explanation + "\n\n   "
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
// matching media range, 0 when none matches.
func quality(accept, offer string) float64 {
	slash := strings.IndexByte(offer, '/')
	otype := offer[:max(slash, 0)]
	q, specificity := 0.0, -1
	for accept != "" {
		var part string
		part, accept, _ = strings.Cut(accept, ",")
		mrange, params, _ := strings.Cut(part, ";")
		mrange = strings.ToLower(strings.TrimSpace(mrange))
		spec := -1
		switch {
		case mrange == offer:
			spec = 2
		case mrange == otype+"/*":
			spec = 1
		case mrange == "*/*":
			spec = 0
		}
		if spec <= specificity {
			continue
		}
		specificity, q = spec, 1
		for params != "" {
			var p string
			p, params, _ = strings.Cut(params, ";")
			k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
			if strings.EqualFold(strings.TrimSpace(k), "q") {
				if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil && f >= 0 && f <= 1 {
					q = f
				}
			}
		}
	}
	return q
}

// htmlEscape is Python's html.escape(s, quote=True), which webob applies.
func htmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&#x27;").Replace(s)
}

// asciiJSONString quotes s as Python's json.dumps does by default
// (ensure_ascii): control and non-ASCII characters as \u escapes.
func asciiJSONString(s string) string {
	const hex = "0123456789abcdef"
	b := make([]byte, 0, len(s)+2)
	b = append(b, '"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b = append(b, '\\', byte(r))
		case r == '\n':
			b = append(b, '\\', 'n')
		case r == '\r':
			b = append(b, '\\', 'r')
		case r == '\t':
			b = append(b, '\\', 't')
		case r == '\b':
			b = append(b, '\\', 'b')
		case r == '\f':
			b = append(b, '\\', 'f')
		case r >= 0x20 && r < 0x7f:
			b = append(b, byte(r))
		default:
			var units [2]rune
			n := 1
			units[0] = r
			if r > 0xffff {
				r -= 0x10000
				units[0], units[1], n = 0xd800+(r>>10), 0xdc00+(r&0x3ff), 2
			} else if r == utf8.RuneError {
				units[0] = 0xfffd
			}
			for _, u := range units[:n] {
				b = append(b, '\\', 'u', hex[u>>12&0xf], hex[u>>8&0xf], hex[u>>4&0xf], hex[u&0xf])
			}
		}
	}
	return string(append(b, '"'))
}
