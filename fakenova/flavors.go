package fakenova

import (
	"errors"
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/novastub/novastub/fakenova/internal/multidict"
	"github.com/novastub/novastub/internal/pyjson"
	"github.com/novastub/novastub/state"
)

// The flavors API (nova/api/openstack/compute/flavors.py and
// flavors_extraspecs.py): lists, show and the extra specs, read only, as
// the store's flavors. Views are in flavorviews.go.

// Nova's messages for flavors.
func msgFlavorNotFound(id string) string { return "Flavor " + id + " could not be found." }

func msgInvalidIsPublic(v string) string { return "Invalid is_public filter [" + v + "]" }

func msgInvalidMinRAM(v string) string { return "Invalid minRam filter [" + v + "]" }

func msgInvalidMinDisk(v string) string { return "Invalid minDisk filter [" + v + "]" }

func msgNoExtraSpec(flavor, key string) string {
	return "Flavor " + flavor + " has no extra specs with key " + key + "."
}

// flavorSortKeys are VALID_SORT_KEYS of nova/api/openstack/compute/schemas/
// flavors.py, in its order (which the enum's message shows); 2.102 drops
// rxtx_factor.
var flavorSortKeys = []string{"created_at", "description", "disabled", "ephemeral_gb", "flavorid", "id",
	"is_public", "memory_mb", "name", "root_gb", "rxtx_factor", "swap", "updated_at", "vcpu_weight", "vcpus"}

// flavorIndexQuery is index_query (2.1-2.74; additional parameters
// stripped), index_query_v275 (none allowed) and index_query_v2102 (name,
// and no rxtx_factor sort key).
func flavorIndexQuery(v Microversion) *querySchema {
	switch {
	case !v.Less(Microversion{2, 102}):
		return flavorIndexQuery2102
	case !v.Less(Microversion{2, 75}):
		return flavorIndexQuery275
	}
	return flavorIndexQuery21
}

var (
	flavorIndexQuery21   = newFlavorIndexQuery(false, false)
	flavorIndexQuery275  = newFlavorIndexQuery(true, false)
	flavorIndexQuery2102 = newFlavorIndexQuery(true, true)
	// showQuery is the query schema of a show that takes no parameters:
	// any (stripped) before 2.102, none from it.
	showQuery21   = &querySchema{}
	showQuery2102 = &querySchema{noAdditional: true}
)

func newFlavorIndexQuery(noAdditional, v2102 bool) *querySchema {
	keys := flavorSortKeys
	if v2102 {
		keys = nil
		for _, k := range flavorSortKeys {
			if k != "rxtx_factor" {
				keys = append(keys, k)
			}
		}
	}
	str := typed("string")
	q := &querySchema{noAdditional: noAdditional, params: []property{
		prop("limit", nonNegativeInteger), prop("marker", str), prop("is_public", str),
		prop("minRam", str), prop("minDisk", str),
		prop("sort_key", &schema{types: []string{"string"}, enum: keys}),
		prop("sort_dir", enum("asc", "desc")),
	}}
	if v2102 {
		q.params = append(q.params, prop("name", str))
	}
	return q
}

// showQuery is the query schema of a show that takes no parameters.
func showQuery(v Microversion) *querySchema {
	if v.Less(Microversion{2, 102}) {
		return showQuery21
	}
	return showQuery2102
}

// checkQuery parses the request's query string and validates it, as
// Nova's query_schema does, returning the parameters the handler sees.
func (c *call) checkQuery(q *querySchema) (multidict.Params, error) {
	pairs, ok := multidict.ParseWebob(c.r.URL.RawQuery)
	if !ok {
		return nil, fault(http.StatusBadRequest, msgQueryNotUTF8)
	}
	return q.validate(pairs, c.legacy)
}

// viewer is who the caller is to the catalog's visibility rules.
func (c *call) viewer() state.Viewer {
	return state.Viewer{ProjectID: c.projectID(), Admin: c.isAdmin()}
}

// serveListFlavors is GET /flavors: {"flavors": [{id, name, links}]}.
func (n *Nova) serveListFlavors(c *call) error { return n.listFlavors(c, false) }

// serveListFlavorsDetailed is GET /flavors/detail.
func (n *Nova) serveListFlavorsDetailed(c *call) error { return n.listFlavors(c, true) }

// listFlavors is FlavorsController._get_flavors and its views: the query
// schema, then limit and marker, the visibility rules (a non-admin lists
// public and enabled flavors whatever it asks; an admin chooses with
// is_public), minRam, minDisk, name (2.102), the sort, and a next link
// when the page is full.
func (n *Nova) listFlavors(c *call, detail bool) error {
	params, err := c.checkQuery(flavorIndexQuery(c.version))
	if err != nil {
		return err
	}
	f := state.FlavorFilter{Viewer: c.viewer(), Limit: maxListLimit}
	f.SortKey, _ = params.Get("sort_key")
	f.SortDir, _ = params.Get("sort_dir")
	if v, ok := params.Get("limit"); ok {
		// The schema let through digits only: Nova's int() of them,
		// capped at max_limit.
		limit, err := strconv.Atoi(v)
		if err != nil || limit > maxListLimit {
			limit = maxListLimit
		}
		if limit == 0 {
			// LIMIT 0: no rows, and no next link.
			return c.replyValue(http.StatusOK, pyjson.Obj(pyjson.M("flavors", pyjson.Arr())))
		}
		f.Limit = limit
	}
	f.Marker, _ = params.Get("marker")
	if c.isAdmin() {
		v, given := params.Get("is_public")
		public, err := parseIsPublic(v, given)
		if err != nil {
			return err
		}
		f.IsPublic = public
	} else {
		yes, no := true, false
		f.IsPublic, f.Disabled = &yes, &no
	}
	if v, ok := params.Get("minRam"); ok {
		n, valid := pyIntFilter(v)
		if !valid {
			return fault(http.StatusBadRequest, msgInvalidMinRAM(v))
		}
		f.MinRAM = n
	}
	if v, ok := params.Get("minDisk"); ok {
		n, valid := pyIntFilter(v)
		if !valid {
			return fault(http.StatusBadRequest, msgInvalidMinDisk(v))
		}
		f.MinDisk = n
	}
	if v, ok := params.Get("name"); ok {
		f.Name = v
		if f.Name == "" {
			f.Name = "^" // REGEXP '' matches every name
		}
	}
	flavors, err := n.store.ListFlavors(f)
	var missing *state.NotFoundError
	switch {
	case errors.As(err, &missing):
		return fault(http.StatusBadRequest, msgMarkerNotFound(f.Marker))
	case err != nil:
		return err
	}
	items := make([]pyjson.Value, len(flavors))
	for i := range flavors {
		if detail {
			items[i] = n.flavorDetail(c, &flavors[i], c.showFlavorExtraSpecs())
		} else {
			items[i] = n.flavorBasic(c, &flavors[i])
		}
	}
	doc := []pyjson.Member{pyjson.M("flavors", pyjson.Arr(items...))}
	// _get_collection_links: a next link when the page is as long as
	// the limit asked for (capped at max_limit) allows.
	if len(flavors) > 0 && len(flavors) == f.Limit {
		path := "/flavors"
		if detail {
			path = "/flavors/detail"
		}
		href := n.collectionURL(c, path) + "?" + nextQuery(params, flavors[len(flavors)-1].ID)
		doc = append(doc, pyjson.M("flavors_links", pyjson.Arr(link("next", href))))
	}
	return c.replyValue(http.StatusOK, pyjson.Obj(doc...))
}

// parseIsPublic is FlavorsController._parse_is_public for an admin: absent
// is true (public flavors, and private ones the admin's project may use);
// "none" in any case is no filter; oslo's strict booleans; anything else
// Nova's 400.
func parseIsPublic(v string, given bool) (*bool, error) {
	yes, no := true, false
	switch {
	case !given:
		return &yes, nil
	case strings.ToLower(v) == "none":
		return nil, nil
	}
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "1", "t", "true", "on", "y", "yes":
		return &yes, nil
	case "0", "f", "false", "off", "n", "no":
		return &no, nil
	}
	return nil, fault(http.StatusBadRequest, msgInvalidIsPublic(v))
}

// pyIntFilter is Python's int() of a minRam or minDisk value, clamped to
// what the model compares with (a bound beyond any flavor, or none).
func pyIntFilter(v string) (int, bool) {
	i, ok := pyjson.ParseInt(v)
	if !ok {
		return 0, false
	}
	switch {
	case !i.IsInt64() && i.Sign() > 0, i.IsInt64() && i.Int64() > math.MaxInt32:
		return math.MaxInt32, true
	case i.Sign() <= 0:
		return 0, true
	}
	return int(i.Int64()), true
}

// serveShowFlavor is GET /flavors/{flavor_id}: any flavor the caller may
// see, disabled ones included.
func (n *Nova) serveShowFlavor(c *call) error {
	if _, err := c.checkQuery(showQuery(c.version)); err != nil {
		return err
	}
	id := c.param("flavor_id")
	f, err := n.store.FlavorFor(id, c.viewer())
	if err != nil {
		return fault(http.StatusNotFound, msgFlavorNotFound(id))
	}
	return c.replyValue(http.StatusOK, pyjson.Obj(pyjson.M("flavor", n.flavorDetail(c, &f, c.showFlavorExtraSpecs()))))
}

// serveListFlavorExtraSpecs is GET /flavors/{flavor_id}/os-extra_specs:
// the policy first, then the flavor.
func (n *Nova) serveListFlavorExtraSpecs(c *call) error {
	if _, err := c.checkQuery(showQuery(c.version)); err != nil {
		return err
	}
	if err := c.authorize("os-flavor-extra-specs:index"); err != nil {
		return err
	}
	id := c.param("flavor_id")
	f, err := n.store.FlavorFor(id, c.viewer())
	if err != nil {
		return fault(http.StatusNotFound, msgFlavorNotFound(id))
	}
	return c.replyValue(http.StatusOK, pyjson.Obj(pyjson.M("extra_specs", extraSpecsValue(f.ExtraSpecs))))
}

// serveShowFlavorExtraSpec is GET /flavors/{flavor_id}/os-extra_specs/{key}:
// {"<key>": "<value>"}.
func (n *Nova) serveShowFlavorExtraSpec(c *call) error {
	if _, err := c.checkQuery(showQuery(c.version)); err != nil {
		return err
	}
	if err := c.authorize("os-flavor-extra-specs:show"); err != nil {
		return err
	}
	id, key := c.param("flavor_id"), c.param("key")
	f, err := n.store.FlavorFor(id, c.viewer())
	if err != nil {
		return fault(http.StatusNotFound, msgFlavorNotFound(id))
	}
	value, ok := f.ExtraSpecs[key]
	if !ok {
		return fault(http.StatusNotFound, msgNoExtraSpec(id, key))
	}
	return c.replyValue(http.StatusOK, pyjson.Obj(pyjson.M(key, pyjson.Str(value))))
}

// showFlavorExtraSpecs reports whether a flavor view carries extra_specs:
// from 2.61, when os_compute_api:os-flavor-extra-specs:index allows.
func (c *call) showFlavorExtraSpecs() bool {
	return !c.version.Less(Microversion{2, 61}) && allows(c.identity, "os-flavor-extra-specs:index")
}

// replyValue answers code with v as the body.
func (c *call) replyValue(code int, v pyjson.Value) error {
	c.out = pyjson.AppendValue(c.out, v)
	return c.reply(code)
}
