package fakenova

import (
	"net/http"
	"strconv"
	"strings"
)

// Microversion is a compute API microversion, such as 2.6.
type Microversion struct {
	Major int // always 2 in Nova's compute API
	Minor int // 1 to the maximum
}

// String formats v as Nova does, "2.6".
func (v Microversion) String() string {
	return strconv.Itoa(v.Major) + "." + strconv.Itoa(v.Minor)
}

// Less reports whether v is older than w.
func (v Microversion) Less(w Microversion) bool {
	return v.Major < w.Major || v.Major == w.Major && v.Minor < w.Minor
}

// In reports whether min <= v <= max.
func (v Microversion) In(min, max Microversion) bool { return !v.Less(min) && !max.Less(v) }

// The microversions the fake knows.
var (
	// MinMicroversion is Nova's _MIN_API_VERSION, and the version a
	// request without microversion headers gets.
	MinMicroversion = Microversion{2, 1}
	// DefaultMaxMicroversion is the maximum of Nova 33.0.0, the 2026.1
	// "Gazpacho" release: 2.103.
	DefaultMaxMicroversion = Microversion{2, 103}
)

// ParseMicroversion parses "X.Y" as Nova's APIVersionRequest does:
// ^([1-9]\d*)\.([1-9]\d*|0)$.
func ParseMicroversion(s string) (Microversion, error) {
	major, minor, ok := strings.Cut(s, ".")
	if !ok || !versionNumber(major, false) || !versionNumber(minor, true) {
		return Microversion{}, &microversionError{s}
	}
	a, err1 := strconv.Atoi(major)
	b, err2 := strconv.Atoi(minor)
	if err1 != nil || err2 != nil {
		// Well formed but past int: no real version is that large.
		return Microversion{1 << 30, 0}, nil
	}
	return Microversion{a, b}, nil
}

type microversionError struct{ s string }

func (e *microversionError) Error() string {
	return "API Version String " + e.s + " is of invalid format. Must be of format MajorNum.MinorNum."
}

// versionNumber matches [1-9]\d* (or a lone 0 when zeroOK).
func versionNumber(s string, zeroOK bool) bool {
	if s == "" || s[0] == '0' && (len(s) > 1 || !zeroOK) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// The microversion headers, request and response (Go's canonical forms of
// OpenStack-API-Version and X-OpenStack-Nova-API-Version).
const (
	headerAPIVersion       = "Openstack-Api-Version"
	headerLegacyAPIVersion = "X-Openstack-Nova-Api-Version"
)

// requestedMicroversion finds the version a request asks for as
// microversion_parse.get_version does for Nova: the last "compute X.Y" of
// OpenStack-API-Version, else the last value of
// X-OpenStack-Nova-API-Version; ok is false when neither is sent.
func requestedMicroversion(h http.Header) (version string, ok bool) {
	// The header's values, folded with "," as the WSGI server folds them,
	// are read from the last item back, without building the list.
	vals := h[headerAPIVersion]
	for i := len(vals) - 1; i >= 0; i-- {
		rest := vals[i]
		for {
			item := rest
			cut := strings.LastIndexByte(rest, ',')
			if cut >= 0 {
				item, rest = rest[cut+1:], rest[:cut]
			}
			// Python's str.split(None, 1): service, then the rest.
			item = strings.TrimSpace(item)
			sp := strings.IndexAny(item, " \t")
			if sp > 0 && strings.EqualFold(item[:sp], "compute") {
				return strings.TrimSpace(item[sp:]), true
			}
			if cut < 0 {
				break
			}
		}
	}
	if vals := h[headerLegacyAPIVersion]; len(vals) > 0 {
		last := vals[len(vals)-1]
		return strings.TrimSpace(last[strings.LastIndexByte(last, ',')+1:]), true
	}
	return "", false
}

// versionHeaders holds, per supported minor version, the header values
// every /v2.1 response carries, built once so that echoing them costs no
// allocation.
type versionHeaders struct {
	apiVersion    [][]string // "compute 2.N"
	legacyVersion [][]string // "2.N"
	vary          []string
}

// versionVary is the Vary header of every answer with microversion headers.
var versionVary = []string{"OpenStack-API-Version", "X-OpenStack-Nova-API-Version"}

// defaultVersionHeaders are the headers up to DefaultMaxMicroversion,
// shared by every fake that does not go further.
var defaultVersionHeaders = newVersionHeaders(DefaultMaxMicroversion)

// versionHeadersUpTo returns the headers of the versions up to max, shared
// when max is within the default.
func versionHeadersUpTo(max Microversion) *versionHeaders {
	if max.Minor <= DefaultMaxMicroversion.Minor {
		return defaultVersionHeaders
	}
	return newVersionHeaders(max)
}

func newVersionHeaders(max Microversion) *versionHeaders {
	vh := &versionHeaders{vary: versionVary}
	for minor := 0; minor <= max.Minor; minor++ {
		v := Microversion{2, minor}.String()
		vh.apiVersion = append(vh.apiVersion, []string{"compute " + v})
		vh.legacyVersion = append(vh.legacyVersion, []string{v})
	}
	return vh
}

// set writes the headers Nova's Resource adds to every response of a
// request at version v.
func (vh *versionHeaders) set(h http.Header, v Microversion) {
	if v.Major == 2 && v.Minor < len(vh.apiVersion) {
		h[headerAPIVersion] = vh.apiVersion[v.Minor]
		h[headerLegacyAPIVersion] = vh.legacyVersion[v.Minor]
	} else {
		h[headerAPIVersion] = []string{"compute " + v.String()}
		h[headerLegacyAPIVersion] = []string{v.String()}
	}
	h["Vary"] = vh.vary
}
