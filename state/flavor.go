package state

import (
	"cmp"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Flavor is a Nova flavor. The zero value of each field is Nova's default:
// a public, enabled flavor with no ephemeral disk, no swap and an rxtx
// factor of 1.0.
type Flavor struct {
	// ID is the flavorid clients use, a string ("1", "m1.tiny", a UUID);
	// AddFlavor generates a UUID when empty, as Nova does for "auto".
	ID string
	// Name is unique among flavors.
	Name string
	// VCPUs, RAM (MiB), Disk (root disk, GiB), Ephemeral (GiB) and Swap
	// (MiB) are the flavor's sizes.
	VCPUs, RAM, Disk, Ephemeral, Swap int
	// RXTXFactor is the flavor's rxtx_factor; 0 means Nova's default, 1.0.
	RXTXFactor float64
	// Private flavors (os-flavor-access:is_public false) are seen only by
	// admins and by the projects in Projects.
	Private bool
	// Disabled flavors are shown by id and to admins only.
	Disabled bool
	// Description is shown from microversion 2.55; "" shows as null.
	Description string
	// ExtraSpecs are the flavor's extra specs (hw:cpu_policy, ...).
	ExtraSpecs map[string]string
	// Projects may use the flavor when it is private (Nova's flavor
	// access list).
	Projects []string
	// InternalID is the flavor's database id, which Nova's "Flavor ...
	// could not be found." names for a disabled flavor; AddFlavor numbers
	// flavors from 1 in the order they are added.
	InternalID int
	// Created and Updated are stamped from the clock.
	Created, Updated time.Time
}

// DefaultRXTXFactor is Nova's rxtx_factor of a flavor created without one.
const DefaultRXTXFactor = 1.0

// clone returns a copy of f that shares no memory with it.
func (f Flavor) clone() Flavor {
	f.Projects = slices.Clone(f.Projects)
	if f.ExtraSpecs != nil {
		specs := make(map[string]string, len(f.ExtraSpecs))
		for k, v := range f.ExtraSpecs {
			specs[k] = v
		}
		f.ExtraSpecs = specs
	}
	return f
}

// flavorIDPattern is Nova's flavorid pattern (nova/api/validation/
// parameter_types.py flavor_id: no leading or trailing space).
var flavorIDPattern = regexp.MustCompile(`^[a-zA-Z0-9. _-]+$`)

func checkFlavor(f *Flavor) error {
	if f.ID == "" {
		f.ID = newUUID4().String()
	}
	switch {
	case len(f.ID) > 255 || !flavorIDPattern.MatchString(f.ID) || strings.TrimSpace(f.ID) != f.ID:
		return &InvalidError{Field: "id", Reason: quote(f.ID) + " is not 1 to 255 letters, digits, spaces, '.', '_' or '-' without a space at either end"}
	case f.Name == "" || len(f.Name) > 255 || strings.TrimSpace(f.Name) != f.Name:
		return &InvalidError{Field: "name", Reason: "a flavor needs a name of 1 to 255 characters without a space at either end"}
	case f.VCPUs < 1:
		return &InvalidError{Field: "vcpus", Reason: "must be at least 1"}
	case f.RAM < 1:
		return &InvalidError{Field: "ram", Reason: "must be at least 1"}
	case f.Disk < 0:
		return &InvalidError{Field: "disk", Reason: "negative"}
	case f.Ephemeral < 0:
		return &InvalidError{Field: "ephemeral", Reason: "negative"}
	case f.Swap < 0:
		return &InvalidError{Field: "swap", Reason: "negative"}
	case f.RXTXFactor < 0:
		return &InvalidError{Field: "rxtx_factor", Reason: "negative"}
	}
	if f.RXTXFactor == 0 {
		f.RXTXFactor = DefaultRXTXFactor
	}
	for _, p := range f.Projects {
		if !ValidProjectID(p) {
			return &InvalidError{Field: "projects", Reason: quote(p) + " is not 32 lowercase hex digits or a dashed UUID"}
		}
	}
	for k := range f.ExtraSpecs {
		if k == "" || len(k) > 255 {
			return &InvalidError{Field: "extra_specs", Reason: quote(k) + " is not 1 to 255 characters"}
		}
	}
	return nil
}

// AddFlavor adds a flavor and returns it as stored. Its id and its name
// must both be new (Nova's FlavorIdExists and FlavorExists).
func (s *Store) AddFlavor(f Flavor) (Flavor, error) {
	f = f.clone()
	if err := checkFlavor(&f); err != nil {
		return Flavor{}, err
	}
	now := s.clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.cat.flavors[f.ID]; ok {
		return Flavor{}, &ConflictError{Kind: "flavor", ID: f.ID}
	}
	for _, e := range s.cat.flavorOrder {
		if e.Name == f.Name {
			return Flavor{}, &ConflictError{Kind: "flavor name", ID: f.Name}
		}
	}
	s.cat.flavorSeq++
	f.InternalID = s.cat.flavorSeq
	f.Created, f.Updated = now, now
	e := &f
	s.cat.flavors[f.ID] = e
	s.catalogChanged()
	s.cat.flavorOrder = append(s.cat.flavorOrder, e)
	return f.clone(), s.persistFlavor(e)
}

// Flavor returns the flavor with the given flavorid, whoever may see it.
func (s *Store) Flavor(id string) (Flavor, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	e, ok := s.cat.flavors[id]
	if !ok {
		return Flavor{}, &NotFoundError{Kind: "flavor", ID: id}
	}
	return e.clone(), nil
}

// Flavors returns every flavor, in the order they were added.
func (s *Store) Flavors() []Flavor {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]Flavor, len(s.cat.flavorOrder))
	for i, e := range s.cat.flavorOrder {
		out[i] = e.clone()
	}
	return out
}

// FlavorFor returns the flavor with the given flavorid if v may see it, as
// Nova's show does (disabled flavors included): an admin sees every
// flavor, others the public ones and the private ones their project has
// access to. Any other is a *NotFoundError.
func (s *Store) FlavorFor(id string, v Viewer) (Flavor, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	e, ok := s.cat.flavors[id]
	if !ok || !flavorVisible(e, v) {
		return Flavor{}, &NotFoundError{Kind: "flavor", ID: id}
	}
	return e.clone(), nil
}

// flavorVisible is Nova's _flavor_get_query_from_db: an admin sees every
// flavor, others the public ones and those whose access list has their
// project.
func flavorVisible(f *Flavor, v Viewer) bool {
	return v.Admin || !f.Private || v.ProjectID != "" && slices.Contains(f.Projects, v.ProjectID)
}

// FlavorSortKeys are the sort keys Nova's flavor lists take (the enum of
// nova/api/openstack/compute/schemas/flavors.py).
var FlavorSortKeys = []string{"created_at", "description", "disabled", "ephemeral_gb", "flavorid", "id",
	"is_public", "memory_mb", "name", "root_gb", "rxtx_factor", "swap", "updated_at", "vcpu_weight", "vcpus"}

// FlavorFilter selects flavors for ListFlavors, as Nova's database query
// (_flavor_get_all_from_db) takes them. Nova's API decides them from the
// request first (flavors.py _get_flavors): for a non-admin it forces
// IsPublic true and Disabled false whatever the query says; for an admin
// it takes is_public from the query (true when absent, nil for "none")
// and leaves Disabled nil.
type FlavorFilter struct {
	// Viewer is who lists: a non-admin sees public flavors and private
	// ones its project has access to.
	Viewer Viewer
	// IsPublic, when set, keeps flavors of that is_public; true also keeps
	// the private flavors the viewer's project has access to.
	IsPublic *bool
	// Disabled, when set, keeps flavors of that disabled.
	Disabled *bool
	// MinRAM and MinDisk keep flavors with at least that much memory
	// (MiB) and root disk (GiB); 0 keeps every one.
	MinRAM, MinDisk int
	// Name, when set, is a regular expression a flavor's name must match
	// anywhere (microversion 2.102's name filter, SQL REGEXP).
	Name string
	// SortKey is one of FlavorSortKeys; "" means "flavorid". SortDir is
	// "asc" (the default when "") or "desc"; it applies to the key and
	// to the internal id after it, as oslo.db's paginate_query does.
	SortKey, SortDir string
	// Marker, when set, is the flavorid after which the list starts; it
	// must be a flavor the viewer may see (any that passes the filters
	// or not), else a *NotFoundError of kind "marker".
	Marker string
	// Limit caps the number of flavors; 0 means no cap.
	Limit int
}

// ListFlavors returns the flavors f selects, sorted by f's key and then by
// internal id. flavorid and the other string keys sort as strings ("10"
// before "2"). An unknown sort key or direction is an *InvalidError.
func (s *Store) ListFlavors(f FlavorFilter) ([]Flavor, error) {
	key, dir := f.SortKey, f.SortDir
	if key == "" {
		key = "flavorid"
	}
	if dir == "" {
		dir = "asc"
	}
	if !slices.Contains(FlavorSortKeys, key) {
		return nil, &InvalidError{Field: "sort_key", Reason: quote(key) + " is not a flavor sort key"}
	}
	if dir != "asc" && dir != "desc" {
		return nil, &InvalidError{Field: "sort_dir", Reason: quote(dir) + " is not asc or desc"}
	}
	match := nameMatcher(f.Name)
	v := f.Viewer
	s.mu.RLock()
	defer s.mu.RUnlock()
	var marker *Flavor
	if f.Marker != "" {
		e, ok := s.cat.flavors[f.Marker]
		if !ok || !flavorVisible(e, v) {
			return nil, &NotFoundError{Kind: "marker", ID: f.Marker}
		}
		marker = e
	}
	var rows []*Flavor
	for _, e := range s.cat.flavorOrder {
		switch {
		case !flavorVisible(e, v),
			f.MinRAM > 0 && e.RAM < f.MinRAM,
			f.MinDisk > 0 && e.Disk < f.MinDisk,
			f.Disabled != nil && e.Disabled != *f.Disabled,
			match != nil && !match(e.Name):
			continue
		}
		if f.IsPublic != nil {
			access := *f.IsPublic && v.ProjectID != "" && slices.Contains(e.Projects, v.ProjectID)
			if e.Private == *f.IsPublic && !access {
				continue
			}
		}
		rows = append(rows, e)
	}
	order := func(a, b *Flavor) int {
		c := compareFlavors(a, b, key)
		if c == 0 {
			c = cmp.Compare(a.InternalID, b.InternalID)
		}
		if dir == "desc" {
			c = -c
		}
		return c
	}
	slices.SortFunc(rows, order)
	if marker != nil {
		i := 0
		for i < len(rows) && order(rows[i], marker) <= 0 {
			i++
		}
		rows = rows[i:]
	}
	if f.Limit > 0 && len(rows) > f.Limit {
		rows = rows[:f.Limit]
	}
	out := make([]Flavor, len(rows))
	for i, e := range rows {
		out[i] = e.clone()
	}
	return out, nil
}

// compareFlavors compares two flavors by one of FlavorSortKeys, by the
// database column the key names. vcpu_weight is not modelled (null for
// every flavor), so it compares equal.
func compareFlavors(a, b *Flavor, key string) int {
	boolInt := func(x bool) int {
		if x {
			return 1
		}
		return 0
	}
	switch key {
	case "created_at":
		return a.Created.Compare(b.Created)
	case "updated_at":
		return a.Updated.Compare(b.Updated)
	case "description":
		return cmp.Compare(a.Description, b.Description)
	case "disabled":
		return cmp.Compare(boolInt(a.Disabled), boolInt(b.Disabled))
	case "ephemeral_gb":
		return cmp.Compare(a.Ephemeral, b.Ephemeral)
	case "flavorid":
		return cmp.Compare(a.ID, b.ID)
	case "id":
		return cmp.Compare(a.InternalID, b.InternalID)
	case "is_public":
		return cmp.Compare(boolInt(!a.Private), boolInt(!b.Private))
	case "memory_mb":
		return cmp.Compare(a.RAM, b.RAM)
	case "name":
		return cmp.Compare(a.Name, b.Name)
	case "root_gb":
		return cmp.Compare(a.Disk, b.Disk)
	case "rxtx_factor":
		return cmp.Compare(a.RXTXFactor, b.RXTXFactor)
	case "swap":
		return cmp.Compare(a.Swap, b.Swap)
	case "vcpus":
		return cmp.Compare(a.VCPUs, b.VCPUs)
	}
	return 0
}

// DefaultFlavorName is the name of the flavor a server added without one
// gets when the store has a flavor of that name: m1.tiny, the smallest of
// Nova's classic flavors and devstack's default.
const DefaultFlavorName = "m1.tiny"

// DefaultFlavor returns the flavor a server added without one gets (see
// AddServer): the public, enabled flavor named DefaultFlavorName when
// there is one, else the smallest public, enabled flavor (by RAM, then
// vCPUs, root disk and flavorid); false when the store has none.
func (s *Store) DefaultFlavor() (Flavor, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	e := s.defaultFlavor()
	if e == nil {
		return Flavor{}, false
	}
	return e.clone(), true
}

// defaultFlavor is DefaultFlavor's choice; s.mu is held.
func (s *Store) defaultFlavor() *Flavor {
	var best *Flavor
	for _, e := range s.cat.flavorOrder {
		switch {
		case e.Private || e.Disabled:
			continue
		case e.Name == DefaultFlavorName:
			return e
		case best == nil || smallerFlavor(e, best):
			best = e
		}
	}
	return best
}

func smallerFlavor(a, b *Flavor) bool {
	if c := cmp.Compare(a.RAM, b.RAM); c != 0 {
		return c < 0
	}
	if c := cmp.Compare(a.VCPUs, b.VCPUs); c != 0 {
		return c < 0
	}
	if c := cmp.Compare(a.Disk, b.Disk); c != 0 {
		return c < 0
	}
	return a.ID < b.ID
}
