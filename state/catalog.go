package state

// catalog holds the store's images, flavors, networks, subnets and ports.
// Every map is keyed by id; the slices keep the order of addition, which
// lists follow. It is guarded by the Store's mu.
type catalog struct {
	images     map[string]*Image
	imageOrder []*Image

	flavors     map[string]*Flavor
	flavorOrder []*Flavor
	flavorSeq   int // the last InternalID given

	networks     map[string]*networkEntry
	networkOrder []*networkEntry
	subnets      map[string]*subnetEntry
	subnetOrder  []*subnetEntry
	ports        map[string]*portEntry
	portOrder    []*portEntry            // compacted lazily: removed entries are skipped
	portsRemoved int                     // removed entries still in portOrder
	byDevice     map[string][]*portEntry // bound ports by device_id, in binding order
}

func newCatalog() catalog {
	return catalog{
		images:   map[string]*Image{},
		flavors:  map[string]*Flavor{},
		networks: map[string]*networkEntry{},
		subnets:  map[string]*subnetEntry{},
		ports:    map[string]*portEntry{},
		byDevice: map[string][]*portEntry{},
	}
}
