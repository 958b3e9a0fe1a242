package image

import (
	"slices"
	"strconv"
	"strings"

	"github.com/novastub/novastub/fakenova/internal/multidict"
	"github.com/novastub/novastub/state"
)

// matcher tests an image against a list's filters.
type matcher func(*state.Image) bool

// compileFilters turns the query's remaining parameters into a test, as
// glance/db/sqlalchemy/api.py _make_conditions_from_filters turns them
// into SQL conditions, with its errors in its order. A filter on a column
// Glance cannot compare (one that makes it fail with a 500) is
// errNoneWanted: the fake lists nothing instead.
func compileFilters(ps multidict.Params, tags []string) (matcher, error) {
	ps = append(multidict.Params(nil), ps...)
	var conds []matcher
	if v, ok := ps.Pop("os_hidden"); ok {
		want := v == "true"
		conds = append(conds, func(im *state.Image) bool { return im.Hidden == want })
	}
	if v, ok := ps.Pop("checksum"); ok {
		conds = append(conds, func(im *state.Image) bool { return im.Checksum != "" && im.Checksum == v })
	}
	if v, ok := ps.Pop("os_hash_value"); ok {
		conds = append(conds, func(im *state.Image) bool { return im.OSHashValue != "" && im.OSHashValue == v })
	}
	ps.Pop("changes-since") // empty: a non-empty one was refused
	for ps.Has("deleted") {
		ps.Pop("deleted") // the controller sets deleted=False over it
	}
	if len(tags) > 0 {
		conds = append(conds, func(im *state.Image) bool {
			for _, t := range tags {
				if !slices.Contains(im.Tags, t) {
					return false
				}
			}
			return true
		})
	}
	none := false
	for _, p := range ps.Dict() {
		k, v := p.Key, p.Value
		switch {
		case strings.HasSuffix(k, "_min") || strings.HasSuffix(k, "_max"):
			n, ok := pythonInt64(v)
			if !ok {
				return nil, badRequest(msgRangeNotNumeric)
			}
			get := intColumn(k[:len(k)-4])
			if get == nil {
				none = true
				continue
			}
			if strings.HasSuffix(k, "_min") {
				conds = append(conds, func(im *state.Image) bool { c, ok := get(im); return ok && c >= n })
			} else {
				conds = append(conds, func(im *state.Image) bool { c, ok := get(im); return ok && c <= n })
			}
		case k == "created_at" || k == "updated_at":
			op, threshold := splitFilterOp(v)
			t, ok := parseISOTime(threshold)
			if !ok {
				return nil, badRequest(msgBadTimeFilter(k))
			}
			cmpTime, ok := timeComparison(op)
			if !ok {
				return nil, badRequest(msgUnknownOperator)
			}
			created := k == "created_at"
			conds = append(conds, func(im *state.Image) bool {
				at := im.Updated
				if created {
					at = im.Created
				}
				return cmpTime(at.Compare(t))
			})
		case k == "name" || k == "id" || k == "status" || k == "container_format" || k == "disk_format":
			get := stringColumn(k)
			op, value := splitFilterOp(v)
			switch op {
			case "in":
				list, err := splitFilterValueForQuotes(value)
				if err != nil {
					return nil, err
				}
				conds = append(conds, func(im *state.Image) bool {
					c, ok := get(im)
					return ok && slices.Contains(list, c)
				})
			case "eq":
				conds = append(conds, func(im *state.Image) bool { c, ok := get(im); return ok && c == value })
			default:
				return nil, badRequest(msgUnknownFilterOperator(op))
			}
		default:
			m, ok := columnEquals(k, v)
			if !ok {
				none = true
				continue
			}
			conds = append(conds, m)
		}
	}
	if none {
		return nil, errNoneWanted
	}
	return func(im *state.Image) bool {
		for _, c := range conds {
			if !c(im) {
				return false
			}
		}
		return true
	}, nil
}

// pythonInt64 is int() of a query value, as pythonInt without a cap.
func pythonInt64(s string) (int64, bool) {
	s = strings.ReplaceAll(strings.TrimSpace(s), "_", "")
	n, err := strconv.ParseInt(strings.TrimPrefix(s, "+"), 10, 64)
	return n, err == nil && !strings.HasPrefix(s, "+-")
}

// intColumn returns the integer column of the images table called name
// (a null reads as not comparable), or nil.
func intColumn(name string) func(*state.Image) (int64, bool) {
	switch name {
	case "size":
		return func(im *state.Image) (int64, bool) { return im.Size, im.Size != 0 }
	case "virtual_size":
		return func(im *state.Image) (int64, bool) { return im.VirtualSize, im.VirtualSize != 0 }
	case "min_disk":
		return func(im *state.Image) (int64, bool) { return int64(im.MinDisk), true }
	case "min_ram":
		return func(im *state.Image) (int64, bool) { return int64(im.MinRAM), true }
	}
	return nil
}

// stringColumn returns the string column of the images table called name
// (a null reads as not comparable), or nil.
func stringColumn(name string) func(*state.Image) (string, bool) {
	str := func(f func(*state.Image) string) func(*state.Image) (string, bool) {
		return func(im *state.Image) (string, bool) { v := f(im); return v, v != "" }
	}
	switch name {
	case "id":
		return str(func(im *state.Image) string { return im.ID })
	case "name":
		return str(func(im *state.Image) string { return im.Name })
	case "status":
		return str(func(im *state.Image) string { return im.Status })
	case "container_format":
		return str(func(im *state.Image) string { return im.ContainerFormat })
	case "disk_format":
		return str(func(im *state.Image) string { return im.DiskFormat })
	case "visibility":
		return str(func(im *state.Image) string { return string(im.Visibility) })
	case "owner":
		return str(func(im *state.Image) string { return im.Owner })
	case "checksum":
		return str(func(im *state.Image) string { return im.Checksum })
	case "os_hash_algo":
		return str(func(im *state.Image) string { return im.OSHashAlgo })
	case "os_hash_value":
		return str(func(im *state.Image) string { return im.OSHashValue })
	}
	return nil
}

// columnEquals is the rest of the filters: equality with a column of the
// images table, else with a custom property. ok is false for a column
// Glance cannot compare with a string.
func columnEquals(k, v string) (matcher, bool) {
	if get := stringColumn(k); get != nil {
		return func(im *state.Image) bool { c, ok := get(im); return ok && c == v }, true
	}
	if get := intColumn(k); get != nil {
		n, isInt := pythonInt64(v)
		return func(im *state.Image) bool { c, ok := get(im); return isInt && ok && c == n }, true
	}
	switch k {
	case "protected":
		want := v == "true"
		return func(im *state.Image) bool { return im.Protected == want }, true
	case "os_hidden":
		want := v == "true" || v == "1"
		return func(im *state.Image) bool { return im.Hidden == want }, true
	case "deleted_at":
		return func(*state.Image) bool { return false }, true
	case "properties", "locations", "members", "tags":
		return nil, false
	}
	return func(im *state.Image) bool {
		p, ok := im.Properties[k]
		return ok && p == v
	}, true
}

// splitFilterOp is glance.common.utils.split_filter_op: "op:value", unless
// the whole is an ISO 8601 time; no colon means "eq".
func splitFilterOp(expr string) (string, string) {
	left, right, found := strings.Cut(expr, ":")
	if !found {
		return "eq", left
	}
	if _, ok := parseISOTime(expr); ok {
		return "eq", expr
	}
	return left, right
}

// timeComparison is evaluate_filter_op for a comparison result.
func timeComparison(op string) (func(int) bool, bool) {
	switch op {
	case "gt":
		return func(c int) bool { return c > 0 }, true
	case "gte":
		return func(c int) bool { return c >= 0 }, true
	case "lt":
		return func(c int) bool { return c < 0 }, true
	case "lte":
		return func(c int) bool { return c <= 0 }, true
	case "neq":
		return func(c int) bool { return c != 0 }, true
	case "eq":
		return func(c int) bool { return c == 0 }, true
	}
	return nil, false
}

// splitFilterValueForQuotes is glance.common.utils'
// split_filter_value_for_quotes: validate_quotes, then the values between
// commas, a double-quoted value kept whole (backslashes and all).
func splitFilterValueForQuotes(v string) ([]string, error) {
	open := true
	for i := 0; i < len(v); i++ {
		if v[i] != '"' || i > 0 && v[i-1] == '\\' {
			continue
		}
		if open {
			if i > 0 && v[i-1] != ',' {
				return nil, badRequest("Invalid filter value " + v + ". There is no comma before opening quotation mark.")
			}
		} else if i+1 != len(v) && v[i+1] != ',' {
			return nil, badRequest("Invalid filter value " + v + ". There is no comma after closing quotation mark.")
		}
		open = !open
	}
	if !open {
		return nil, badRequest("Invalid filter value " + v + ". The quote is not closed.")
	}
	var out []string
	for i := 0; i < len(v); {
		switch {
		case v[i] == '"':
			j := i + 1
			for j < len(v) && v[j] != '"' {
				if v[j] == '\\' {
					j++
				}
				j++
			}
			out = append(out, v[i+1:min(j, len(v))])
			i = j + 1
		case v[i] == ',':
			out = append(out, "")
			i++
			continue
		default:
			j := i
			for j < len(v) && v[j] != ',' {
				j++
			}
			out = append(out, v[i:j])
			i = j
		}
		if i < len(v) && v[i] == ',' {
			i++
		}
	}
	return out, nil
}
