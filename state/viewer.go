package state

// Viewer is who looks at the catalog (images, flavors, networks, subnets and
// ports): the project the caller's token is scoped to, and whether the
// caller is an admin. Each kind applies its own service's rules of who sees
// what (Glance's, Nova's, Neutron's) to it.
type Viewer struct {
	// ProjectID is the caller's project; "" for a token without one.
	ProjectID string
	// Admin is whether the caller has the admin role: an admin sees
	// every project's objects (with each service's exceptions).
	Admin bool
}
