package image

import (
	"strconv"
	"time"

	"github.com/novastub/novastub/internal/pyjson"
)

// Glance writes its answers with json.dumps(ensure_ascii=False) (", " and
// ": "): strings are quoted by pyjson.AppendStringUnicode.

// appendNullString writes s, or null when it is empty.
func appendNullString(b []byte, s string) []byte {
	if s == "" {
		return append(b, "null"...)
	}
	return pyjson.AppendStringUnicode(b, s)
}

// appendNullInt writes n, or null when it is 0.
func appendNullInt(b []byte, n int64) []byte {
	if n == 0 {
		return append(b, "null"...)
	}
	return strconv.AppendInt(b, n, 10)
}

func appendBool(b []byte, v bool) []byte {
	if v {
		return append(b, "true"...)
	}
	return append(b, "false"...)
}

// appendTime writes t as oslo's timeutils.isotime does: UTC, seconds, Z.
func appendTime(b []byte, t time.Time) []byte {
	b = append(b, '"')
	b = t.UTC().AppendFormat(b, "2006-01-02T15:04:05Z")
	return append(b, '"')
}
