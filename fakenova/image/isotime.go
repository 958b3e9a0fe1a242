package image

import (
	"regexp"
	"strconv"
	"time"
)

// isoTime is the form of python-iso8601's parse_date, which oslo's
// parse_isotime calls: a date, with a time and a zone optional.
var isoTime = regexp.MustCompile(`^([0-9]{4})(?:(?:-([0-9]{1,2})|([0-9]{2}))(?:(?:-([0-9]{1,2})|([0-9]{2}))` +
	`(?:[ T]([0-9]{2})(?::?([0-9]{2}))?(?::?([0-9]{1,2})(?:[.,]([0-9]+))?)?(Z|([-+])([0-9]{2}):?([0-9]{2})?)?)?)?)?$`)

// parseISOTime parses s as oslo_utils.timeutils.parse_isotime does; ok is
// false where it raises ValueError. A time without a zone is UTC.
func parseISOTime(s string) (time.Time, bool) {
	m := isoTime.FindStringSubmatch(s)
	if m == nil {
		return time.Time{}, false
	}
	num := func(parts ...string) int {
		for _, p := range parts {
			if p != "" {
				n, _ := strconv.Atoi(p)
				return n
			}
		}
		return -1
	}
	year := num(m[1])
	month, day := num(m[2], m[3]), num(m[4], m[5])
	if month < 0 {
		month = 1
	}
	if day < 0 {
		day = 1
	}
	hour, minute, sec := max(num(m[6]), 0), max(num(m[7]), 0), max(num(m[8]), 0)
	nsec := 0
	if frac := m[9]; frac != "" {
		for len(frac) < 9 {
			frac += "0"
		}
		nsec, _ = strconv.Atoi(frac[:9])
	}
	if month < 1 || month > 12 || day < 1 || day > daysIn(year, month) || hour > 23 || minute > 59 || sec > 59 {
		return time.Time{}, false
	}
	loc := time.UTC
	if m[11] != "" {
		off := num(m[12])*3600 + max(num(m[13]), 0)*60
		if m[11] == "-" {
			off = -off
		}
		loc = time.FixedZone("", off)
	}
	return time.Date(year, time.Month(month), day, hour, minute, sec, nsec, loc), true
}

func daysIn(year, month int) int {
	return time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}
