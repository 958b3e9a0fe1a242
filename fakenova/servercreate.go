package fakenova

import (
	"crypto/rand"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/novastub/novastub/internal/pyjson"
	"github.com/novastub/novastub/state"
)

// POST /servers (nova/api/openstack/compute/servers.py create, schemas/
// servers.py, nova/compute/api.py _create_instance and nova/network/
// neutron.py validate_networks): the schema of the request's
// microversion, then Nova's checks in Nova's order, then a server that
// builds on the clock with ports on the networks asked for.

// Nova's messages for a server create.
const (
	msgMinCount          = "min_count must be <= max_count"
	msgMissingImageRef   = "Missing imageRef attribute"
	msgImageNotFound     = "Can not find requested image"
	msgBadNetworksFormat = "Bad networks format"
	msgInvalidKeyName    = "Invalid key_name provided."
	msgMemoryTooSmall    = "Flavor's memory is too small for requested image."
	msgZeroDiskFlavor    = "Only volume-backed servers are allowed for flavors with zero disk."
	msgNetworkAmbiguous  = "Multiple possible networks found, use a Network ID to be more specific."
	// msgNetworkAllocationFailed is the fault of a server whose ports
	// could not be made (the compute manager's BuildAbortException).
	msgNetworkAllocationFailed = "Failed to allocate the network(s), not rescheduling."
	// msgMultiCreate is the fake's own: it makes one server a request.
	msgMultiCreate = "novastub does not model creating several servers in one request (max_count above 1)."
)

func msgBadNetworkUUID(id string) string {
	return "Bad networks format: network uuid is not in proper format (" + id + ")"
}

func msgBadNetworkMissing(key string) string { return "Bad network format: missing '" + key + "'" }

func msgPortTwice(port string) string {
	return "Port ID '" + port + "' was specified twice: you cannot attach a port multiple times."
}

func msgPortWithFixedIP(ip, port string) string {
	return "Specified Fixed IP '" + ip + "' cannot be used with port '" + port + "': the two cannot be specified together."
}

func msgImageNotActive(id string) string { return "Image " + id + " is not active." }

func msgNetworkNotFound(ids string) string { return "Network " + ids + " could not be found." }

func msgPortNotFound(id string) string { return "Port id " + id + " could not be found." }

func msgPortInUse(id string) string { return "Port " + id + " is still in use." }

func msgPortRequiresFixedIP(id string) string {
	return "Port " + id + " requires a FixedIP in order to be used."
}

func msgNetworkRequiresSubnet(id string) string {
	return "Network " + id + " requires a subnet in order to boot instances on."
}

func msgFixedIPInUse(ip, server string) string {
	return "Fixed IP address " + ip + " is already in use on instance " + server + "."
}

func msgExternalNetwork(id string) string {
	return "It is not allowed to create an interface on external network " + id
}

func msgAutoAllocate(project string) string {
	return "Unable to automatically allocate a network for project " + project
}

// msgSecurityGroupNotFound is neutronclient's NotFound of
// find_resourceid_by_name_or_id, which Nova's SecurityGroupNotFound carries.
func msgSecurityGroupNotFound(name string) string {
	return "Unable to find security_group with name or id '" + name + "'"
}

func msgBuildAborted(id, reason string) string {
	return "Build of instance " + id + " aborted: " + reason
}

func msgDiskSmallerThanImage(flavor, image int64) string {
	return fmt.Sprintf("Flavor's disk is too small for requested image. Flavor disk is %d bytes, image is %d bytes.", flavor, image)
}

func msgDiskSmallerThanMinDisk(flavor, min int64) string {
	return fmt.Sprintf("Flavor's disk is smaller than the minimum size specified in image metadata. Flavor disk is %d bytes, minimum size is %d bytes.", flavor, min)
}

// Parameter types of nova/api/validation/parameter_types.py.
var (
	nameType           = &schema{types: []string{"string"}, format: "name", minLength: 1, maxLength: 255}
	nameWithSpacesType = &schema{types: []string{"string"}, format: "name_with_leading_trailing_spaces", minLength: 1, maxLength: 255}
	uuidType           = &schema{types: []string{"string"}, format: "uuid"}
	ipAddressType      = &schema{types: []string{"string"}, oneOf: []*schema{{format: "ipv4"}, {format: "ipv6"}}}
	positiveInteger    = &schema{types: []string{"integer", "string"}, pattern: newPattern("^[0-9]*$"),
		minimum: 1, hasMinimum: true, minLength: 1}
	booleanType = &schema{types: []string{"boolean", "string"}, enumValues: []pyjson.Value{
		pyjson.BoolValue(true), pyjson.Str("True"), pyjson.Str("TRUE"), pyjson.Str("true"), pyjson.Str("1"),
		pyjson.Str("ON"), pyjson.Str("On"), pyjson.Str("on"), pyjson.Str("YES"), pyjson.Str("Yes"), pyjson.Str("yes"),
		pyjson.BoolValue(false), pyjson.Str("False"), pyjson.Str("FALSE"), pyjson.Str("false"), pyjson.Str("0"),
		pyjson.Str("OFF"), pyjson.Str("Off"), pyjson.Str("off"), pyjson.Str("NO"), pyjson.Str("No"), pyjson.Str("no")}}
	tagType  = &schema{types: []string{"string"}, pattern: newPattern("^[^,/]*$"), minLength: 1, maxLength: 60}
	fqdnType = &schema{types: []string{"string"}, pattern: newPattern("^[a-zA-Z0-9-._]*$"), minLength: 1, maxLength: 255}
	// hostnameType is 2.90's hostname.
	hostnameType = &schema{types: []string{"string"}, pattern: newPattern("^[a-zA-Z0-9]+[a-zA-Z0-9-]*[a-zA-Z0-9]+$"),
		minLength: 2, maxLength: 63}
)

// networksSchema is server.networks: below 2.37 an optional list (tag in
// its items at 2.32 to 2.36); from 2.37 a list with uuid in uuid format,
// or "none" or "auto" (tag again from 2.42).
func networksSchema(v Microversion) *schema {
	item := func(uuid *schema, tag bool) *schema {
		s := &schema{types: []string{"object"}, noAdditional: true, properties: []property{
			prop("fixed_ip", ipAddressType),
			prop("port", &schema{types: []string{"string", "null"}, format: "uuid"}),
			prop("uuid", uuid),
		}}
		if tag {
			s.properties = append(s.properties, prop("tag", tagType))
		}
		return s
	}
	switch {
	case v.Less(Microversion{2, 32}):
		return &schema{types: []string{"array"}, items: item(typed("string"), false)}
	case v.Less(Microversion{2, 37}):
		return &schema{types: []string{"array"}, items: item(typed("string"), true)}
	}
	return &schema{oneOf: []*schema{
		{types: []string{"array"}, items: item(uuidType, !v.Less(Microversion{2, 42}))},
		enum("none", "auto"),
	}}
}

// createServerSchema is Nova's create schema for a microversion (create,
// create_v20 for the legacy endpoint, create_v219 ... create_v294); built
// once per schema version. What the model does not keep is checked by
// type and shape only (metadata's keys, description's characters,
// user_data's base64, block device mappings, scheduler hints).
func createServerSchema(v Microversion, legacy bool) *schema {
	key := v
	if legacy {
		key = Microversion{2, 0}
	}
	for _, s := range createSchemas {
		if !key.Less(s.from) {
			return s.schema
		}
	}
	return createSchemas[len(createSchemas)-1].schema
}

// createSchemas are the create schemas by the microversion they start at,
// newest first.
var createSchemas = func() []struct {
	from   Microversion
	schema *schema
} {
	starts := []Microversion{{2, 94}, {2, 90}, {2, 74}, {2, 67}, {2, 63}, {2, 57}, {2, 52}, {2, 42}, {2, 37},
		{2, 33}, {2, 32}, {2, 19}, {2, 1}, {2, 0}}
	out := make([]struct {
		from   Microversion
		schema *schema
	}, len(starts))
	for i, from := range starts {
		out[i].from, out[i].schema = from, buildCreateSchema(from)
	}
	return out
}()

func buildCreateSchema(v Microversion) *schema {
	at := func(from Microversion) bool { return !v.Less(from) }
	legacy := v == Microversion{2, 0}
	name := nameType
	userData := &schema{types: []string{"string"}, maxLength: 65535}
	if legacy {
		name = nameWithSpacesType
		userData = &schema{types: []string{"string", "null"}, maxLength: 65535}
	}
	object := typed("object")
	array := typed("array")
	server := &schema{types: []string{"object"}, noAdditional: true, required: []string{"name", "flavorRef"}}
	server.properties = []property{
		prop("name", name),
		prop("imageRef", &schema{oneOf: []*schema{uuidType, {types: []string{"string"}, maxLength: maxLengthZero}}}),
		prop("flavorRef", &schema{types: []string{"string", "integer"}, minLength: 1}),
		prop("adminPass", typed("string")),
		prop("metadata", object),
		prop("networks", networksSchema(v)),
		prop("OS-DCF:diskConfig", enum("AUTO", "MANUAL")),
		prop("accessIPv4", &schema{types: []string{"string"}, format: "ipv4"}),
		prop("accessIPv6", &schema{types: []string{"string"}, format: "ipv6"}),
	}
	if !at(Microversion{2, 57}) {
		server.properties = append(server.properties, prop("personality", &schema{types: []string{"array"},
			items: &schema{types: []string{"object"}, noAdditional: true, properties: []property{
				prop("path", typed("string")), prop("contents", typed("string"))}}}))
	}
	server.properties = append(server.properties,
		prop("availability_zone", name),
		prop("block_device_mapping", array),
		prop("block_device_mapping_v2", array),
		prop("config_drive", booleanType),
		prop("key_name", name),
		prop("min_count", positiveInteger),
		prop("max_count", positiveInteger),
		prop("return_reservation_id", booleanType),
		prop("security_groups", &schema{types: []string{"array"}, items: &schema{types: []string{"object"},
			noAdditional: true, properties: []property{prop("name", name)}}}),
		prop("user_data", userData),
	)
	if at(Microversion{2, 19}) {
		server.properties = append(server.properties, prop("description",
			&schema{types: []string{"string", "null"}, maxLength: 255}))
	}
	if at(Microversion{2, 52}) {
		server.properties = append(server.properties, prop("tags", &schema{types: []string{"array"}, items: tagType}))
	}
	if at(Microversion{2, 63}) {
		server.properties = append(server.properties, prop("trusted_image_certificates", typed("array", "null")))
	}
	if at(Microversion{2, 74}) {
		server.properties = append(server.properties, prop("host", fqdnType), prop("hypervisor_hostname", fqdnType))
	}
	switch {
	case at(Microversion{2, 94}):
		server.properties = append(server.properties, prop("hostname", fqdnType))
	case at(Microversion{2, 90}):
		server.properties = append(server.properties, prop("hostname", hostnameType))
	}
	if at(Microversion{2, 37}) {
		server.required = append(server.required, "networks")
	}
	return &schema{types: []string{"object"}, noAdditional: true, required: []string{"server"},
		properties: []property{prop("server", server), prop("os:scheduler_hints", object),
			prop("OS-SCH-HNT:scheduler_hints", object)}}
}

// networkRequest is one item of a create's networks, parsed as Nova's
// _get_requested_networks does.
type networkRequest struct {
	network, port, fixedIP string
}

// requestedNetworks is what a create asks for: nothing (auto-pick, below
// 2.37), "auto", "none", or a list.
type requestedNetworks struct {
	given bool   // the request has networks
	word  string // "auto" or "none"
	list  []networkRequest
}

// parseNetworks is _get_requested_networks: duplicate ports and a port
// with a fixed IP are 400s, a network item without uuid is "Bad network
// format: missing 'uuid'", and below 2.37 a uuid not like a UUID is
// "Bad networks format".
func parseNetworks(v pyjson.Value) (requestedNetworks, error) {
	rn := requestedNetworks{given: true}
	if v.Kind == pyjson.String {
		rn.word = v.Text
		return rn, nil
	}
	if v.Kind != pyjson.Array {
		return rn, fault(http.StatusBadRequest, msgBadNetworksFormat)
	}
	var ports []string
	for _, item := range v.Items {
		if item.Kind != pyjson.Object {
			return rn, fault(http.StatusBadRequest, msgBadNetworksFormat)
		}
		var r networkRequest
		fixed, hasFixed := item.Get("fixed_ip")
		if hasFixed && fixed.Kind != pyjson.Null {
			r.fixedIP = fixed.Text
		}
		if port, ok := item.Get("port"); ok && port.Kind == pyjson.String && port.Text != "" {
			r.port = port.Text
			if slices.Contains(ports, r.port) {
				return rn, fault(http.StatusBadRequest, msgPortTwice(r.port))
			}
			if hasFixed && fixed.Kind != pyjson.Null {
				return rn, fault(http.StatusBadRequest, msgPortWithFixedIP(fixed.Str(), r.port))
			}
			ports = append(ports, r.port)
		} else {
			id, ok := item.Get("uuid")
			if !ok {
				return rn, fault(http.StatusBadRequest, msgBadNetworkMissing("uuid"))
			}
			if id.Kind != pyjson.String || !uuidLike(id.Text) {
				return rn, fault(http.StatusBadRequest, msgBadNetworkUUID(id.Str()))
			}
			r.network = id.Text
		}
		rn.list = append(rn.list, r)
	}
	return rn, nil
}

// serveCreateServer is POST /servers: 202 with the new server's id, links,
// security groups and admin password, and a Location header; the server
// builds on the clock.
func (n *Nova) serveCreateServer(c *call) error {
	if verr := createServerSchema(c.version, c.legacy).validate(c.body, c.legacy); verr != nil {
		return fault(http.StatusBadRequest, verr.Message())
	}
	args, _ := c.body.Get("server")
	minCount, maxCount := 1, 0
	if v, ok := args.Get("min_count"); ok {
		minCount = countValue(v)
	}
	maxCount = minCount
	if v, ok := args.Get("max_count"); ok {
		maxCount = countValue(v)
	}
	if minCount > maxCount {
		return fault(http.StatusBadRequest, msgMinCount)
	}
	if err := c.authorize("servers:create"); err != nil {
		return err
	}
	bdm := nonEmptyArray(args, "block_device_mapping") || nonEmptyArray(args, "block_device_mapping_v2")
	imageRef, _ := args.Get("imageRef")
	if imageRef.Text == "" && !bdm {
		return fault(http.StatusBadRequest, msgMissingImageRef)
	}
	var networks requestedNetworks
	if v, ok := args.Get("networks"); ok {
		var err error
		if networks, err = parseNetworks(v); err != nil {
			return err
		}
		if len(networks.list) > 0 || networks.word == "auto" {
			if err := c.authorize("servers:create:attach_network"); err != nil {
				return err
			}
		}
	}
	flavorRef, _ := args.Get("flavorRef")
	flavorID := idFromHref(flavorRef.Str())
	flavor, err := n.store.FlavorFor(flavorID, c.viewer())
	if err != nil {
		return fault(http.StatusBadRequest, msgFlavorNotFound(flavorID))
	}
	if maxCount > 1 {
		return fault(http.StatusNotImplemented, msgMultiCreate)
	}
	var image state.Image
	if imageRef.Text != "" {
		if image, err = n.findImage(c, imageRef.Text); err != nil {
			return fault(http.StatusBadRequest, msgImageNotFound)
		}
	}
	if flavor.Disabled {
		return fault(http.StatusBadRequest, msgFlavorNotFound(strconv.Itoa(flavor.InternalID)))
	}
	if groups, ok := args.Get("security_groups"); ok {
		for _, g := range groups.Items {
			if name, _ := g.Get("name"); name.Text != "" && name.Text != "default" {
				return fault(http.StatusBadRequest, msgSecurityGroupNotFound(name.Text))
			}
		}
	}
	reqs, err := n.validateNetworks(c, networks)
	if err != nil {
		return err
	}
	if key, ok := args.Get("key_name"); ok && key.Kind != pyjson.Null {
		// The fake has no key pairs: every name is unknown.
		return fault(http.StatusBadRequest, msgInvalidKeyName)
	}
	if imageRef.Text != "" {
		if err := c.checkFlavorImage(flavor, image); err != nil {
			return err
		}
	}
	name, _ := args.Get("name")
	displayName := name.Text
	if c.legacy {
		displayName = strings.TrimSpace(displayName) // common.normalize_name
	}
	req := state.ServerRequest{Name: displayName, ProjectID: c.projectID(), UserID: c.identity.UserID,
		ImageID: imageRef.Text, FlavorID: flavor.ID, Networks: reqs, Admin: c.isAdmin()}
	srv, err := n.store.CreateServer(req)
	if err != nil {
		if srv, err = n.failedNetworkCreate(c, req, err); err != nil {
			return err
		}
	}
	if v, ok := args.Get("return_reservation_id"); ok && truthy(v) {
		return c.replyValue(http.StatusAccepted, pyjson.Obj(pyjson.M("reservation_id", pyjson.Str(reservationID()))))
	}
	password := adminPassword()
	if v, ok := args.Get("adminPass"); ok {
		password = v.Text
	}
	groups, ok := args.Get("security_groups")
	if !ok {
		groups = pyjson.Arr(pyjson.Obj(pyjson.M("name", pyjson.Str("default"))))
	}
	links := n.serverLinks(c, srv.ID)
	c.w.Header().Set("Location", links[0])
	return c.replyValue(http.StatusAccepted, pyjson.Obj(pyjson.M("server", pyjson.Obj(
		pyjson.M("id", pyjson.Str(srv.ID)),
		pyjson.M("links", linkList(links)),
		pyjson.M("OS-DCF:diskConfig", pyjson.Str("MANUAL")),
		pyjson.M("security_groups", groups),
		pyjson.M("adminPass", pyjson.Str(password)),
	))))
}

// failedNetworkCreate answers a create whose ports the model could not
// make after Nova's API checks passed (no address left, a fixed IP
// outside the network's subnets, an external network): an external
// network is Nova's 403; otherwise the server is made, and fails to
// build, as the compute manager's network allocation fails.
func (n *Nova) failedNetworkCreate(c *call, req state.ServerRequest, cause error) (state.Server, error) {
	var forbidden *state.ForbiddenError
	var exhausted *state.ExhaustedError
	var invalid *state.InvalidError
	switch {
	case errors.As(cause, &forbidden):
		return state.Server{}, fault(http.StatusForbidden, msgExternalNetwork(forbidden.ID))
	case errors.As(cause, &exhausted), errors.As(cause, &invalid) && invalid.Field == "fixed_ip":
	default:
		return state.Server{}, fmt.Errorf("creating a server: %w", cause)
	}
	req.Networks = nil
	srv, err := n.store.CreateServer(req)
	if err != nil {
		return state.Server{}, fmt.Errorf("creating a server: %w", err)
	}
	return n.store.UpdateServer(srv.ID, func(s *state.Server) {
		s.VMState, s.TaskState, s.PowerState, s.Host = state.VMError, state.TaskNone, state.PowerNoState, ""
		s.Fault = msgBuildAborted(s.ID, msgNetworkAllocationFailed)
	})
}

// findImage is Nova's Glance lookup of imageRef for the caller: the image
// by its id (a UUID in another case or form finds the same image).
func (n *Nova) findImage(c *call, ref string) (state.Image, error) {
	im, err := n.store.ImageFor(ref, c.viewer())
	if err != nil {
		if canon := canonicalUUID(ref); canon != "" && canon != ref {
			return n.store.ImageFor(canon, c.viewer())
		}
	}
	return im, err
}

// canonicalUUID is the lowercase dashed form of a UUID-like string, or "".
func canonicalUUID(s string) string {
	if !uuidLike(s) {
		return ""
	}
	s = strings.ToLower(strings.Trim(strings.ReplaceAll(strings.ReplaceAll(s, "urn:", ""), "uuid:", ""), "{}"))
	s = strings.ReplaceAll(s, "-", "")
	return s[:8] + "-" + s[8:12] + "-" + s[12:16] + "-" + s[16:20] + "-" + s[20:]
}

// checkFlavorImage is _validate_flavor_image: the image must be active,
// and the flavor big enough for it (memory, then disk unless the flavor's
// root disk is 0, which only admins may boot from an image with).
func (c *call) checkFlavorImage(f state.Flavor, im state.Image) error {
	const gib = 1 << 30
	switch {
	case im.Status != state.ImageActive:
		return fault(http.StatusBadRequest, msgImageNotActive(im.ID))
	case f.RAM < im.MinRAM:
		return fault(http.StatusBadRequest, msgMemoryTooSmall)
	}
	dest := int64(f.Disk) * gib
	switch {
	case dest != 0 && im.Size > dest:
		return fault(http.StatusBadRequest, msgDiskSmallerThanImage(dest, im.Size))
	case dest != 0 && int64(im.MinDisk)*gib > dest:
		return fault(http.StatusBadRequest, msgDiskSmallerThanMinDisk(dest, int64(im.MinDisk)*gib))
	case dest == 0 && im.Size != 0 && !allows(c.identity, "servers:create:zero_disk_flavor"):
		return fault(http.StatusForbidden, msgZeroDiskFlavor)
	}
	return nil
}

// validateNetworks is Nova's validate_networks with Neutron, as the caller
// sees Neutron: nothing asked for (or "auto") picks the project's network
// or the shared one, more than one being a 409; "none" asks for no port;
// a list checks each port (found, unbound, with an address) and fixed IP
// (not taken), then that the networks have subnets, then that they exist.
func (n *Nova) validateNetworks(c *call, rn requestedNetworks) ([]state.NetworkRequest, error) {
	v := c.viewer()
	switch {
	case rn.word == "none":
		return nil, nil
	case !rn.given || rn.word == "auto" || len(rn.list) == 0:
		var nets []state.Network
		for _, net := range n.store.AvailableNetworks(c.projectID()) {
			if rn.word == "auto" && net.AdminStateDown && !net.Shared {
				continue
			}
			nets = append(nets, net)
		}
		switch {
		case len(nets) > 1:
			return nil, fault(http.StatusConflict, msgNetworkAmbiguous)
		case len(nets) == 0 && rn.word == "auto":
			// The fake's Neutron has no auto-allocated-topology.
			return nil, fault(http.StatusBadRequest, msgAutoAllocate(c.projectID()))
		case len(nets) == 0:
			return nil, nil
		}
		return []state.NetworkRequest{{NetworkID: nets[0].ID}}, nil
	}
	reqs := make([]state.NetworkRequest, len(rn.list))
	var wanted []string
	for i, r := range rn.list {
		if r.port != "" {
			p, err := n.store.PortFor(r.port, v)
			switch {
			case err != nil:
				return nil, fault(http.StatusBadRequest, msgPortNotFound(r.port))
			case p.DeviceID != "":
				return nil, fault(http.StatusConflict, msgPortInUse(r.port))
			case len(p.FixedIPs) == 0:
				return nil, fault(http.StatusBadRequest, msgPortRequiresFixedIP(r.port))
			}
			reqs[i] = state.NetworkRequest{PortID: r.port}
			continue
		}
		wanted = append(wanted, r.network)
		reqs[i] = state.NetworkRequest{NetworkID: r.network, FixedIP: r.fixedIP}
		if r.fixedIP != "" {
			if holder, used := n.fixedIPHolder(v, r.network, r.fixedIP); used {
				return nil, fault(http.StatusBadRequest, msgFixedIPInUse(r.fixedIP, holder))
			}
		}
	}
	var missing []string
	for _, id := range wanted {
		net, err := n.store.NetworkFor(id, v)
		if err != nil {
			if !slices.Contains(missing, id) {
				missing = append(missing, id)
			}
			continue
		}
		if len(net.Subnets) == 0 {
			return nil, fault(http.StatusBadRequest, msgNetworkRequiresSubnet(net.ID))
		}
	}
	if len(missing) > 0 {
		return nil, fault(http.StatusBadRequest, msgNetworkNotFound(strings.Join(missing, ", ")))
	}
	return reqs, nil
}

// fixedIPHolder finds a port the caller sees on network with address ip,
// as Nova's list_ports(network_id, fixed_ips=ip_address=...) does, and
// returns its device.
func (n *Nova) fixedIPHolder(v state.Viewer, network, ip string) (string, bool) {
	for _, p := range n.store.ListPorts(v) {
		if p.NetworkID != network {
			continue
		}
		for _, f := range p.FixedIPs {
			if f.IPAddress == ip {
				return p.DeviceID, true
			}
		}
	}
	return "", false
}

// countValue is int() of a validated min_count or max_count.
func countValue(v pyjson.Value) int {
	i, ok := pyjson.ParseInt(v.Text)
	if !ok || !i.IsInt64() || i.Int64() > 1<<31 {
		return 1 << 31
	}
	return int(i.Int64())
}

func nonEmptyArray(obj pyjson.Value, key string) bool {
	v, ok := obj.Get(key)
	return ok && len(v.Items) > 0
}

// truthy is Python's truth of a validated boolean parameter: any
// non-empty string (even "False") or true.
func truthy(v pyjson.Value) bool {
	return v.Kind == pyjson.Bool && v.Bool || v.Kind == pyjson.String && v.Text != ""
}

// idFromHref is common.get_id_from_href: the last segment of the href's
// path ("http://h/flavors/1" and "1" are both "1").
func idFromHref(href string) string {
	path := href
	if u, err := url.Parse(href); err == nil {
		path = u.Path
	} else if i := strings.IndexAny(path, "?#"); i >= 0 {
		path = path[:i]
	}
	return path[strings.LastIndexByte(path, '/')+1:]
}

// adminPassword is a random password as Nova's generate_password makes
// them: 12 characters without look-alikes.
func adminPassword() string {
	const symbols = "23456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
	var b [12]byte
	_, _ = rand.Read(b[:])
	for i := range b {
		b[i] = symbols[int(b[i])%len(symbols)]
	}
	return string(b[:])
}

// reservationID is Nova's utils.generate_uid('r'): "r-" and eight
// lowercase letters and digits.
func reservationID() string {
	const symbols = "abcdefghijklmnopqrstuvwxyz0123456789"
	var b [8]byte
	_, _ = rand.Read(b[:])
	for i := range b {
		b[i] = symbols[int(b[i])%len(symbols)]
	}
	return "r-" + string(b[:])
}
