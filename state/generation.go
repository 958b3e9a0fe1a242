package state

// CatalogGeneration returns a number that changes whenever the catalog
// does: images, flavors, networks, subnets, ports and the servers they are
// bound to (so a server's addresses), or the whole model (Reset, Load).
// A cache of anything made from the catalog, such as a server's view
// with its flavor, image and addresses, reads it before what it covers
// and is true while it stays the same; the server itself it compares as
// a value.
func (s *Store) CatalogGeneration() uint64 { return s.catalogGen.Load() }

// catalogChanged marks a change of the catalog; s.mu is held for writing.
func (s *Store) catalogChanged() { s.catalogGen.Add(1) }
