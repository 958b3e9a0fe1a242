package fakenova

import (
	"sort"
	"strconv"

	"github.com/novastub/novastub/internal/pyjson"
	"github.com/novastub/novastub/state"
)

// Nova's views of a flavor (nova/api/openstack/compute/views/flavors.py),
// and of a server's flavor (views/servers.py _get_flavor).

// flavorBasic is the index view: id, name, links, and from 2.55 the
// description.
func (n *Nova) flavorBasic(c *call, f *state.Flavor) pyjson.Value {
	m := make([]pyjson.Member, 0, 4)
	m = append(m,
		pyjson.M("id", pyjson.Str(f.ID)),
		pyjson.M("name", pyjson.Str(f.Name)),
		pyjson.M("links", n.flavorLinks(c, f.ID)))
	if !c.version.Less(Microversion{2, 55}) {
		m = append(m, pyjson.M("description", nullableString(f.Description)))
	}
	return pyjson.Obj(m...)
}

// flavorDetail is the detail and show view at the request's microversion:
// swap "" for none until 2.75, description from 2.55, extra_specs from
// 2.61 (when the policy allows), no disabled or rxtx_factor from 2.102.
func (n *Nova) flavorDetail(c *call, f *state.Flavor, extraSpecs bool) pyjson.Value {
	v := c.version
	at := func(from Microversion) bool { return !v.Less(from) }
	swap := pyjson.IntValue(int64(f.Swap))
	if f.Swap == 0 && !at(Microversion{2, 75}) {
		swap = pyjson.Str("")
	}
	m := make([]pyjson.Member, 0, 14)
	m = append(m,
		pyjson.M("id", pyjson.Str(f.ID)),
		pyjson.M("name", pyjson.Str(f.Name)),
		pyjson.M("ram", pyjson.IntValue(int64(f.RAM))),
		pyjson.M("disk", pyjson.IntValue(int64(f.Disk))),
		pyjson.M("swap", swap),
		pyjson.M("OS-FLV-EXT-DATA:ephemeral", pyjson.IntValue(int64(f.Ephemeral))))
	if !at(Microversion{2, 102}) {
		m = append(m, pyjson.M("OS-FLV-DISABLED:disabled", pyjson.BoolValue(f.Disabled)))
	}
	m = append(m,
		pyjson.M("vcpus", pyjson.IntValue(int64(f.VCPUs))),
		pyjson.M("os-flavor-access:is_public", pyjson.BoolValue(!f.Private)))
	if !at(Microversion{2, 102}) {
		// rxtx_factor or "": a factor of 0 shows as "".
		rxtx := pyjson.Str("")
		if f.RXTXFactor != 0 {
			rxtx = floatValue(f.RXTXFactor)
		}
		m = append(m, pyjson.M("rxtx_factor", rxtx))
	}
	m = append(m, pyjson.M("links", n.flavorLinks(c, f.ID)))
	if at(Microversion{2, 55}) {
		m = append(m, pyjson.M("description", nullableString(f.Description)))
	}
	if extraSpecs {
		m = append(m, pyjson.M("extra_specs", extraSpecsValue(f.ExtraSpecs)))
	}
	return pyjson.Obj(m...)
}

// flavorLinks are a flavor's self and bookmark links; Nova writes the
// flavorid into them as it is (common.ViewBuilder._get_links).
func (n *Nova) flavorLinks(c *call, id string) pyjson.Value {
	return pyjson.Arr(
		link("self", n.collectionURL(c, "/flavors/"+id)),
		link("bookmark", n.rawBookmarkURL(c, "flavors", id)))
}

// extraSpecsValue is a flavor's extra specs as an object, by key (the
// model keeps no order of its own).
func extraSpecsValue(specs map[string]string) pyjson.Value {
	keys := make([]string, 0, len(specs))
	for k := range specs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	m := make([]pyjson.Member, len(keys))
	for i, k := range keys {
		m[i] = pyjson.M(k, pyjson.Str(specs[k]))
	}
	return pyjson.Obj(m...)
}

// floatValue is a Python float.
func floatValue(f float64) pyjson.Value {
	return pyjson.Value{Kind: pyjson.Float, Text: strconv.FormatFloat(f, 'g', -1, 64)}
}

// serverFlavorView is a server's flavor (views/servers.py _get_flavor):
// before 2.47 its id and bookmark link; from 2.47 the instance's copy of
// the flavor, with extra_specs when os_compute_api:servers:show:
// flavor-extra-specs allows; {} for a server whose flavor is gone. flavors
// remembers the flavors a list has looked up.
func (n *Nova) serverFlavorView(c *call, srv *state.Server, flavors *flavorCache) pyjson.Value {
	id := srv.FlavorID
	if c.version.Less(Microversion{2, 47}) {
		if id == "" {
			id = flavors.defaultID(n.store)
		}
		return pyjson.Obj(pyjson.M("id", pyjson.Str(id)),
			pyjson.M("links", pyjson.Arr(link("bookmark", n.rawBookmarkURL(c, "flavors", id)))))
	}
	f, ok := flavors.get(n.store, id)
	if !ok {
		return pyjson.Obj()
	}
	m := make([]pyjson.Member, 0, 7)
	m = append(m,
		pyjson.M("vcpus", pyjson.IntValue(int64(f.VCPUs))),
		pyjson.M("ram", pyjson.IntValue(int64(f.RAM))),
		pyjson.M("disk", pyjson.IntValue(int64(f.Disk))),
		pyjson.M("ephemeral", pyjson.IntValue(int64(f.Ephemeral))),
		pyjson.M("swap", pyjson.IntValue(int64(f.Swap))),
		pyjson.M("original_name", pyjson.Str(f.Name)))
	if allows(c.identity, "servers:show:flavor-extra-specs") {
		m = append(m, pyjson.M("extra_specs", extraSpecsValue(f.ExtraSpecs)))
	}
	return pyjson.Obj(m...)
}

// flavorCache holds the flavors one answer has looked up, so that a list
// of servers reads each flavor once.
type flavorCache struct {
	ids     []string
	flavors []state.Flavor
	found   []bool
	def     *string
}

// get returns the flavor with the given id ("" for the store's default).
func (fc *flavorCache) get(st *state.Store, id string) (state.Flavor, bool) {
	if id == "" {
		id = fc.defaultID(st)
		if id == "" {
			return state.Flavor{}, false
		}
	}
	for i, x := range fc.ids {
		if x == id {
			return fc.flavors[i], fc.found[i]
		}
	}
	f, err := st.Flavor(id)
	fc.ids = append(fc.ids, id)
	fc.flavors = append(fc.flavors, f)
	fc.found = append(fc.found, err == nil)
	return f, err == nil
}

// defaultID is the flavor a server without one shows: the store's
// default flavor (state.Store.DefaultFlavor).
func (fc *flavorCache) defaultID(st *state.Store) string {
	if fc.def == nil {
		id := ""
		if f, ok := st.DefaultFlavor(); ok {
			id = f.ID
		}
		fc.def = &id
	}
	return *fc.def
}
