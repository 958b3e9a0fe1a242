package network

import (
	"cmp"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/novastub/novastub/fakenova/internal/apiservice"
	"github.com/novastub/novastub/fakenova/internal/multidict"
	"github.com/novastub/novastub/internal/pyjson"
	"github.com/novastub/novastub/internal/wire"
	"github.com/novastub/novastub/state"
)

// parseQuery reads the request's query as webob does (a query that is
// not UTF-8 is read as it is).
func parseQuery(r *http.Request) multidict.Params {
	ps, _ := multidict.ParseWebob(r.URL.RawQuery)
	return ps
}

// skipped are the query parameters that are not filters
// (query_parameters.py _set_filters).
var skipped = map[string]bool{"fields": true, "sort_key": true, "sort_dir": true, "limit": true,
	"marker": true, "page_reverse": true}

// item is an object of a list with its record.
type item struct {
	id   string
	rec  record
	port *state.Port // the port, for the fixed_ips filter
}

// load returns every object of res that v may see, in the order they were
// added.
func (s *Service) load(res *resource, v state.Viewer, q multidict.Params) []item {
	switch res {
	case networks:
		list := s.store.ListNetworks(v)
		out := make([]item, len(list))
		for i := range list {
			out[i] = item{id: list[i].ID, rec: networkRecord(&list[i])}
		}
		return out
	case subnets:
		external := map[string]bool{}
		for _, n := range s.store.Networks() {
			external[n.ID] = n.External
		}
		list := s.store.ListSubnets(v)
		out := make([]item, len(list))
		for i := range list {
			out[i] = item{id: list[i].ID, rec: subnetRecord(&list[i], external[list[i].NetworkID])}
		}
		return out
	}
	var list []state.Port
	if devices := q.All("device_id"); len(devices) == 1 && devices[0] != "" {
		// Nova's question, GET /v2.0/ports?device_id=<server>: the
		// store's index of bound ports answers it.
		for _, p := range s.store.ServerPorts(devices[0]) {
			if _, err := s.store.PortFor(p.ID, v); err == nil {
				list = append(list, p)
			}
		}
	} else {
		list = s.store.ListPorts(v)
	}
	security := map[string]bool{}
	out := make([]item, len(list))
	for i := range list {
		p := &list[i]
		sec, ok := security[p.NetworkID]
		if !ok {
			n, err := s.store.Network(p.NetworkID)
			sec = err == nil && !n.PortSecurityDisabled
			security[p.NetworkID] = sec
		}
		out[i] = item{id: p.ID, rec: portRecord(p, sec), port: p}
	}
	return out
}

// pageOf reads limit and marker as api_common.get_limit_and_marker does
// (pagination_max_limit infinite): no limit, or 0, means no paging.
func pageOf(q multidict.Params) (int, string, *neutronError) {
	limit := 0
	if v, ok := q.Get("limit"); ok {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < 0 {
			return 0, "", badRequest("BadRequest", "Bad limit request: Limit must be an integer 0 or greater and not '"+v+"'.")
		}
		limit = n
	}
	if limit == 0 {
		return 0, "", nil
	}
	marker, _ := q.Get("marker")
	return limit, marker, nil
}

// sortKey is one key of a list's order.
type sortKey struct {
	index int
	asc   bool
}

// sortsOf reads sort_key and sort_dir as api_common.get_sorts does.
func sortsOf(res *resource, q multidict.Params) ([]sortKey, *neutronError) {
	keys, dirs := nonEmpty(q.All("sort_key")), nonEmpty(q.All("sort_dir"))
	if len(keys) != len(dirs) {
		return nil, badRequest("HTTPBadRequest", msgSortCount)
	}
	var absent, invalid []string
	for _, k := range keys {
		if i, ok := res.index[k]; !ok || !res.attrs[i].sort {
			absent = append(absent, k)
		}
	}
	if absent != nil {
		return nil, badRequest("HTTPBadRequest", pyjson.StringListRepr(absent)+" is invalid attribute for sort_keys")
	}
	for _, d := range dirs {
		if d != "asc" && d != "desc" {
			invalid = append(invalid, d)
		}
	}
	if invalid != nil {
		return nil, badRequest("HTTPBadRequest", pyjson.StringListRepr(invalid)+" is invalid value for sort_dirs, valid value is 'asc' and 'desc'")
	}
	out := make([]sortKey, len(keys))
	for i, k := range keys {
		out[i] = sortKey{res.index[k], dirs[i] == "asc"}
	}
	return out, nil
}

func nonEmpty(vs []string) []string {
	var out []string
	for _, v := range vs {
		if v != "" {
			out = append(out, v)
		}
	}
	return out
}

// filter is a compiled query filter.
type filter func(*item) bool

// filtersOf reads the filters as api_common.get_filters_from_dict does,
// with filter validation on: a key that is not a filter of the resource is
// a 400 naming every such key; empty values are dropped; each filter's
// values are ORed, and filters ANDed.
func filtersOf(res *resource, q multidict.Params) ([]filter, *neutronError) {
	var invalid []string
	var out []filter
	for _, key := range q.Keys() {
		if skipped[key] {
			continue
		}
		values := nonEmpty(q.All(key))
		i, ok := res.index[key]
		if (!ok || !res.attrs[i].filter) && !res.extraFilters[key] {
			invalid = append(invalid, key)
			continue
		}
		if len(values) == 0 {
			continue
		}
		if res.extraFilters[key] {
			m, err := extraFilter(res, key, values)
			if err != nil {
				return nil, err
			}
			out = append(out, m)
			continue
		}
		m, err := attrFilter(res, i, values)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	if invalid != nil {
		return nil, badRequest("HTTPBadRequest", pyjson.StringListRepr(invalid)+" is invalid attribute for filtering")
	}
	return out, nil
}

// extraFilter is a tag filter, or a filter on an attribute the fake does
// not model (it keeps nothing).
func extraFilter(res *resource, key string, values []string) (filter, *neutronError) {
	var tags []string
	for _, v := range values {
		tags = append(tags, strings.Split(v, ",")...)
	}
	tagIndex := res.index["tags"]
	has := func(it *item, t string) bool { return slices.Contains(it.rec[tagIndex].list, t) }
	all := func(it *item) bool {
		for _, t := range tags {
			if !has(it, t) {
				return false
			}
		}
		return true
	}
	anyOf := func(it *item) bool {
		for _, t := range tags {
			if has(it, t) {
				return true
			}
		}
		return false
	}
	switch key {
	case "tags":
		return all, nil
	case "tags-any":
		return anyOf, nil
	case "not-tags":
		return func(it *item) bool { return !all(it) }, nil
	case "not-tags-any":
		return func(it *item) bool { return !anyOf(it) }, nil
	}
	return func(*item) bool { return false }, nil
}

// attrFilter matches attribute i against values, converted as the
// attribute's convert_to does.
func attrFilter(res *resource, i int, values []string) (filter, *neutronError) {
	name := res.attrs[i].name
	if name == "fixed_ips" {
		return fixedIPsFilter(values)
	}
	if name == "security_groups" {
		return func(it *item) bool {
			for _, v := range values {
				if slices.Contains(it.rec[i].list, v) {
					return true
				}
			}
			return false
		}, nil
	}
	var bools []bool
	var ints []int64
	switch kindOf(res, i) {
	case kBool:
		for _, v := range values {
			b, ok := convertToBoolean(v)
			if !ok {
				return nil, invalidInput("'" + v + "' cannot be converted to boolean")
			}
			bools = append(bools, b)
		}
		return func(it *item) bool { return slices.Contains(bools, it.rec[i].b) }, nil
	case kInt:
		for _, v := range values {
			n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			if err != nil {
				return nil, invalidInput("'" + v + "' is not an integer")
			}
			ints = append(ints, n)
		}
		return func(it *item) bool { return slices.Contains(ints, it.rec[i].n) }, nil
	case kNullStr:
		return func(it *item) bool { return it.rec[i].s != "" && slices.Contains(values, it.rec[i].s) }, nil
	}
	return func(it *item) bool { return slices.Contains(values, it.rec[i].s) }, nil
}

// kindOf is the kind of attribute i of res (every record of a resource
// has the same kinds).
func kindOf(res *resource, i int) kind {
	switch res {
	case networks:
		return networkKinds[i]
	case subnets:
		return subnetKinds[i]
	}
	return portKinds[i]
}

var (
	networkKinds = kinds(networkRecord(&state.Network{}))
	subnetKinds  = kinds(subnetRecord(&state.Subnet{}, false))
	portKinds    = kinds(portRecord(&state.Port{}, false))
)

func kinds(r record) []kind {
	out := make([]kind, len(r))
	for i, v := range r {
		out[i] = v.k
	}
	return out
}

// convertToBoolean is neutron-lib's convert_to_boolean of a string.
func convertToBoolean(v string) (bool, bool) {
	switch strings.ToLower(v) {
	case "true", "1":
		return true, true
	case "false", "0":
		return false, true
	}
	return false, false
}

// fixedIPsFilter is the ports' fixed_ips filter: values of the form
// ip_address=..., subnet_id=... (convert_kvp_list_to_dict); a port matches
// when one of its fixed IPs has one of the addresses and one of the
// subnets asked for.
func fixedIPsFilter(values []string) (filter, *neutronError) {
	want := map[string][]string{}
	for _, v := range values {
		k, val, ok := strings.Cut(v, "=")
		if !ok {
			return nil, invalidInput("'" + v + "' is not of the form <key>=[value]")
		}
		want[k] = append(want[k], val)
	}
	return func(it *item) bool {
		if it.port == nil {
			return false
		}
		for _, ip := range it.port.FixedIPs {
			if a, ok := want["ip_address"]; ok && !slices.Contains(a, ip.IPAddress) {
				continue
			}
			if sn, ok := want["subnet_id"]; ok && !slices.Contains(sn, ip.SubnetID) {
				continue
			}
			if sub, ok := want["ip_address_substr"]; ok && !slices.ContainsFunc(sub, func(x string) bool { return strings.Contains(ip.IPAddress, x) }) {
				continue
			}
			return true
		}
		return false
	}, nil
}

// fieldsOf returns the fields asked for, nil for all.
func fieldsOf(q multidict.Params) []string {
	return q.All("fields")
}

// compareVals orders two values of the same attribute.
func compareVals(a, b val) int {
	switch a.k {
	case kBool:
		x, y := 0, 0
		if a.b {
			x = 1
		}
		if b.b {
			y = 1
		}
		return cmp.Compare(x, y)
	case kInt, kTime:
		return cmp.Compare(a.n, b.n)
	}
	return cmp.Compare(a.s, b.s)
}

// serveList answers GET /v2.0/<collection>: filtered, sorted and, with a
// limit, paged as Neutron's native pagination does, with its links.
func (s *Service) serveList(w http.ResponseWriter, r *http.Request, res *resource, q multidict.Params) {
	fields := fieldsOf(q)
	filters, err := filtersOf(res, q)
	if err == nil {
		var sorts []sortKey
		sorts, err = sortsOf(res, q)
		if err == nil {
			var limit int
			var marker string
			limit, marker, err = pageOf(q)
			if err == nil {
				s.writeList(w, r, res, q, filters, sorts, limit, marker, fields)
				return
			}
		}
	}
	writeError(w, err)
}

func (s *Service) writeList(w http.ResponseWriter, r *http.Request, res *resource, q multidict.Params,
	filters []filter, sorts []sortKey, limit int, marker string, fields []string) {
	v := apiservice.Viewer(r)
	all := s.load(res, v, q)
	items := all[:0]
	for i := range all {
		keep := true
		for _, f := range filters {
			if !f(&all[i]) {
				keep = false
				break
			}
		}
		if keep {
			items = append(items, all[i])
		}
	}
	reverse := false
	if pr, _ := q.Get("page_reverse"); strings.ToLower(pr) == "true" && limit > 0 {
		reverse = true
	}
	if limit > 0 && !slices.ContainsFunc(sorts, func(k sortKey) bool { return k.index == 0 }) {
		sorts = append(sorts, sortKey{0, true}) // the id closes the order of a page
	}
	order := func(a, b *item) int {
		for _, k := range sorts {
			c := compareVals(a.rec[k.index], b.rec[k.index])
			if !k.asc {
				c = -c
			}
			if reverse {
				c = -c
			}
			if c != 0 {
				return c
			}
		}
		return 0
	}
	if len(sorts) > 0 {
		slices.SortStableFunc(items, func(a, b item) int { return order(&a, &b) })
	}
	if limit > 0 && marker != "" {
		m, ok := s.markerItem(res, v, marker, q)
		if !ok {
			writeError(w, notFoundOf(res.collection, marker))
			return
		}
		i := 0
		for i < len(items) && order(&items[i], m) <= 0 {
			i++
		}
		items = items[i:]
	}
	if limit > 0 && len(items) > limit {
		items = items[:limit]
	}
	if reverse {
		slices.Reverse(items)
	}
	b := make([]byte, 0, 64+700*len(items))
	b = append(b, `{"`+res.collection+`":[`...)
	for i := range items {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendRecord(b, res, items[i].rec, fields)
	}
	b = append(b, ']')
	if limit > 0 {
		b = s.appendLinks(b, r, res, q, items, limit, reverse)
	}
	b = append(b, '}')
	wire.WriteJSON(w, http.StatusOK, b)
}

// markerItem finds the marker as the plugin's get_<resource> does (any
// object v may see, whatever the filters).
func (s *Service) markerItem(res *resource, v state.Viewer, id string, q multidict.Params) (*item, bool) {
	for _, it := range s.load(res, v, q[:0:0]) {
		if it.id == id {
			it := it
			return &it, true
		}
	}
	return nil, false
}

// appendLinks writes <collection>_links as api_common.get_pagination_links
// does: next unless the page is short (or always when reversing),
// previous unless the page is short when reversing.
func (s *Service) appendLinks(b []byte, r *http.Request, res *resource, q multidict.Params, items []item, limit int, reverse bool) []byte {
	path := s.cfg.BaseURL(r) + strings.TrimSuffix(r.URL.Path, "/")
	if strings.HasSuffix(r.URL.Path, "/") {
		path += "/"
	}
	var links [][2]string
	if !(len(items) < limit && !reverse) {
		p := append(multidict.Params(nil), q...)
		p.Pop("marker")
		if len(items) > 0 {
			p.Set("marker", items[len(items)-1].id)
		}
		p.Pop("page_reverse")
		links = append(links, [2]string{"next", path + "?" + p.Encode()})
	}
	if !(len(items) < limit && reverse) {
		p := append(multidict.Params(nil), q...)
		p.Pop("marker")
		if len(items) > 0 {
			p.Set("marker", items[0].id)
		}
		p.Set("page_reverse", "True")
		links = append(links, [2]string{"previous", path + "?" + p.Encode()})
	}
	if len(links) == 0 {
		return b
	}
	b = append(b, `,"`+res.collection+`_links":[`...)
	for i, l := range links {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"rel":"`+l[0]+`","href":`...)
		b = pyjson.AppendString(b, l[1])
		b = append(b, '}')
	}
	return append(b, ']')
}

// serveShow answers GET /v2.0/<collection>/<id>: {"<member>": {...}} or
// the resource's NotFound. The query's filters are checked as for a list.
func (s *Service) serveShow(w http.ResponseWriter, r *http.Request, res *resource, id string, q multidict.Params) {
	if _, err := filtersOf(res, q); err != nil {
		writeError(w, err)
		return
	}
	v := apiservice.Viewer(r)
	var rec record
	switch res {
	case networks:
		n, err := s.store.NetworkFor(id, v)
		if err != nil {
			writeError(w, notFoundOf(res.collection, id))
			return
		}
		rec = networkRecord(&n)
	case subnets:
		sn, err := s.store.SubnetFor(id, v)
		if err != nil {
			writeError(w, notFoundOf(res.collection, id))
			return
		}
		n, _ := s.store.Network(sn.NetworkID)
		rec = subnetRecord(&sn, n.External)
	default:
		p, err := s.store.PortFor(id, v)
		if err != nil {
			writeError(w, notFoundOf(res.collection, id))
			return
		}
		n, _ := s.store.Network(p.NetworkID)
		rec = portRecord(&p, !n.PortSecurityDisabled)
	}
	b := make([]byte, 0, 1024)
	b = append(b, `{"`+res.member+`":`...)
	b = appendRecord(b, res, rec, fieldsOf(q))
	b = append(b, '}')
	wire.WriteJSON(w, http.StatusOK, b)
}
