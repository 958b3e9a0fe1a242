package fakenova

import (
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/novastub/novastub/internal/pyjson"
	"github.com/novastub/novastub/state"
)

// Nova's views of a server (nova/api/openstack/compute/views/servers.py)
// and its links.

// serverView is Nova's detailed view of a server (views/servers.py show)
// at the request's microversion, in Nova's key order. A list (detail)
// differs from a show as Nova's detail does: no server_groups, and
// host_status and security_groups last. views remembers what the servers
// of one answer share (their flavors and images).
func (n *Nova) serverView(c *call, srv *state.Server, detail bool, views *viewCache) pyjson.Value {
	v := c.version
	at := func(from Microversion) bool { return !v.Less(from) }
	status := srv.Status()
	nets := n.store.ServerAddresses(srv.ID)
	m := make([]pyjson.Member, 0, 48)
	m = append(m,
		pyjson.M("accessIPv4", pyjson.Str("")),
		pyjson.M("accessIPv6", pyjson.Str("")),
		pyjson.M("addresses", addressesView(srv, nets)),
		pyjson.M("created", pyjson.Str(isoTime(srv.Created))),
		pyjson.M("flavor", n.serverFlavorView(c, srv, &views.flavors)),
		pyjson.M("hostId", pyjson.Str(hostID(*srv))),
		pyjson.M("id", pyjson.Str(srv.ID)),
		pyjson.M("image", n.imageView(c, srv, views)),
		pyjson.M("links", linkList(n.serverLinks(c, srv.ID))),
		pyjson.M("metadata", pyjson.Obj()),
		pyjson.M("name", pyjson.Str(srv.Name)),
		pyjson.M("status", pyjson.Str(status)),
		pyjson.M("tenant_id", pyjson.Str(srv.ProjectID)),
		pyjson.M("user_id", pyjson.Str(srv.UserID)),
		pyjson.M("updated", pyjson.Str(isoTime(srv.Updated))),
		pyjson.M("OS-DCF:diskConfig", pyjson.Str("MANUAL")),
	)
	if srv.Fault != "" && (status == "ERROR" || status == "DELETED") {
		m = append(m, pyjson.M("fault", pyjson.Obj(
			pyjson.M("code", pyjson.IntValue(500)),
			pyjson.M("created", pyjson.Str(isoTime(srv.Updated))),
			pyjson.M("message", pyjson.Str(srv.Fault)))))
	}
	switch status {
	case "ACTIVE", "BUILD", "REBUILD", "RESIZE", "VERIFY_RESIZE", "MIGRATING":
		m = append(m, pyjson.M("progress", pyjson.IntValue(0)))
	}
	// The host's zone; a server not yet scheduled shows the zone it
	// asked for, none.
	az := "nova"
	if srv.Host == "" && srv.VMState == state.VMBuilding {
		az = ""
	}
	m = append(m,
		pyjson.M("OS-EXT-AZ:availability_zone", pyjson.Str(az)),
		pyjson.M("config_drive", pyjson.Str("")),
		pyjson.M("key_name", pyjson.NullValue),
		pyjson.M("OS-SRV-USG:launched_at", nullableTime(srv.LaunchedAt)),
		pyjson.M("OS-SRV-USG:terminated_at", pyjson.NullValue),
	)
	// Security groups are those of the server's ports: none without.
	groups := len(nets) > 0
	if groups && !detail {
		m = append(m, pyjson.M("security_groups", defaultSecurityGroups))
	}
	extended := allows(c.identity, "os-extended-server-attributes")
	if extended {
		m = append(m,
			pyjson.M("OS-EXT-SRV-ATTR:host", nullableString(srv.Host)),
			pyjson.M("OS-EXT-SRV-ATTR:instance_name", pyjson.Str("instance-"+srv.ID[:8])),
			pyjson.M("OS-EXT-SRV-ATTR:hypervisor_hostname", nullableString(srv.Host)))
		if at(Microversion{2, 3}) {
			root := pyjson.NullValue
			if srv.Host != "" || srv.VMState != state.VMBuilding {
				root = pyjson.Str("/dev/vda")
			}
			m = append(m,
				pyjson.M("OS-EXT-SRV-ATTR:hostname", pyjson.Str(srv.Hostname())),
				pyjson.M("OS-EXT-SRV-ATTR:kernel_id", pyjson.Str("")),
				pyjson.M("OS-EXT-SRV-ATTR:launch_index", pyjson.IntValue(0)),
				pyjson.M("OS-EXT-SRV-ATTR:ramdisk_id", pyjson.Str("")),
				pyjson.M("OS-EXT-SRV-ATTR:reservation_id", pyjson.Str(serverReservationID(srv.ID))),
				pyjson.M("OS-EXT-SRV-ATTR:root_device_name", root),
				pyjson.M("OS-EXT-SRV-ATTR:user_data", pyjson.NullValue))
		}
	}
	m = append(m,
		pyjson.M("OS-EXT-STS:task_state", nullableString(string(srv.TaskState))),
		pyjson.M("OS-EXT-STS:vm_state", pyjson.Str(string(srv.VMState))),
		pyjson.M("OS-EXT-STS:power_state", pyjson.IntValue(int64(srv.PowerState))),
		pyjson.M("os-extended-volumes:volumes_attached", pyjson.Arr()),
	)
	if at(Microversion{2, 9}) {
		m = append(m, pyjson.M("locked", pyjson.BoolValue(false)))
	}
	hostStatusShown := at(Microversion{2, 16}) && allows(c.identity, "servers:show:host_status")
	if hostStatusShown && !detail {
		m = append(m, pyjson.M("host_status", pyjson.Str(hostStatus(*srv))))
	}
	if at(Microversion{2, 19}) {
		m = append(m, pyjson.M("description", pyjson.NullValue))
	}
	if at(Microversion{2, 26}) {
		m = append(m, pyjson.M("tags", pyjson.Arr()))
	}
	if at(Microversion{2, 63}) {
		m = append(m, pyjson.M("trusted_image_certificates", pyjson.NullValue))
	}
	if at(Microversion{2, 71}) && !detail {
		m = append(m, pyjson.M("server_groups", pyjson.Arr()))
	}
	if at(Microversion{2, 73}) {
		m = append(m, pyjson.M("locked_reason", pyjson.NullValue))
	}
	if at(Microversion{2, 90}) && !extended {
		m = append(m, pyjson.M("OS-EXT-SRV-ATTR:hostname", pyjson.Str(srv.Hostname())))
	}
	if at(Microversion{2, 96}) {
		m = append(m, pyjson.M("pinned_availability_zone", pyjson.NullValue))
	}
	if at(Microversion{2, 100}) {
		m = append(m, pyjson.M("scheduler_hints", pyjson.Obj()))
	}
	if detail {
		// Nova's detail adds these to every server at the end.
		if hostStatusShown {
			m = append(m, pyjson.M("host_status", pyjson.Str(hostStatus(*srv))))
		}
		if groups {
			m = append(m, pyjson.M("security_groups", defaultSecurityGroups))
		}
	}
	return pyjson.Obj(m...)
}

// defaultSecurityGroups is the security groups of a server with ports:
// Neutron's default group, the only one the fake has.
var defaultSecurityGroups = pyjson.Arr(pyjson.Obj(pyjson.M("name", pyjson.Str("default"))))

// viewCache holds what the server views of one answer look up: flavors and
// images by id.
type viewCache struct {
	flavors  flavorCache
	imageIDs []string
	images   []pyjson.Value
}

// addressesView is Nova's addresses (views/ips.py) of a server's
// networks: by network name, each fixed IP with its version, type and
// MAC; {} while the server builds.
func addressesView(srv *state.Server, nets []state.ServerNetwork) pyjson.Value {
	if srv.VMState == state.VMBuilding || len(nets) == 0 {
		return pyjson.Obj()
	}
	m := make([]pyjson.Member, len(nets))
	for i, net := range nets {
		items := make([]pyjson.Value, len(net.Addresses))
		for j, a := range net.Addresses {
			items[j] = pyjson.Obj(
				pyjson.M("version", pyjson.IntValue(int64(a.Version))),
				pyjson.M("addr", pyjson.Str(a.Addr)),
				pyjson.M("OS-EXT-IPS:type", pyjson.Str("fixed")),
				pyjson.M("OS-EXT-IPS-MAC:mac_addr", pyjson.Str(a.MAC)))
		}
		m[i] = pyjson.M(net.Name, pyjson.Arr(items...))
	}
	return pyjson.Obj(m...)
}

// imageView is the server's image: its id and bookmark link (the compute
// API's URL, not Glance's), with its properties from 2.98; "" for a
// server booted from a volume.
func (n *Nova) imageView(c *call, srv *state.Server, views *viewCache) pyjson.Value {
	if srv.ImageID == "" {
		return pyjson.Str("")
	}
	for i, id := range views.imageIDs {
		if id == srv.ImageID {
			return views.images[i]
		}
	}
	id := idFromHref(srv.ImageID)
	m := []pyjson.Member{pyjson.M("id", pyjson.Str(id)),
		pyjson.M("links", pyjson.Arr(link("bookmark", n.rawBookmarkURL(c, "images", id))))}
	if !c.version.Less(Microversion{2, 98}) {
		var props []pyjson.Member
		if im, err := n.store.Image(id); err == nil {
			props = imageMetaProperties(im.Properties)
		}
		m = append(m, pyjson.M("properties", pyjson.Obj(props...)))
	}
	view := pyjson.Obj(m...)
	views.imageIDs = append(views.imageIDs, srv.ImageID)
	views.images = append(views.images, view)
	return view
}

// imageMetaProperties are the image properties Nova keeps with a server
// (system_metadata image_*) that are ImageMetaProps fields, by name: the
// hw_, img_ and os_ families and a few others.
func imageMetaProperties(props map[string]string) []pyjson.Member {
	var keys []string
	for k := range props {
		switch {
		case strings.HasPrefix(k, "hw_"), strings.HasPrefix(k, "img_"), strings.HasPrefix(k, "os_"),
			k == "architecture", k == "auto_disk_config", k == "hypervisor_type", k == "hypervisor_version_requires",
			k == "vm_mode":
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	m := make([]pyjson.Member, len(keys))
	for i, k := range keys {
		m[i] = pyjson.M(k, pyjson.Str(props[k]))
	}
	return m
}

// serverReservationID is a server's reservation id ("r-" and eight
// characters), fixed for the server.
func serverReservationID(id string) string {
	sum := sha256.Sum256([]byte(id))
	const symbols = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := []byte("r-00000000")
	for i := 0; i < 8; i++ {
		b[2+i] = symbols[int(sum[i])%len(symbols)]
	}
	return string(b)
}

// hostID is Nova's hostId: sha224 of the project id and host, so that a
// project can tell its servers apart by host without learning the host.
func hostID(srv state.Server) string {
	if srv.Host == "" {
		return ""
	}
	sum := sha256.Sum224([]byte(srv.ProjectID + srv.Host))
	return hex.EncodeToString(sum[:])
}

// hostStatus is the 2.16 host_status: UP for a server on a host, "" for
// one without.
func hostStatus(srv state.Server) string {
	if srv.Host == "" {
		return ""
	}
	return "UP"
}

// serverLinks are a server's self and bookmark links. Nova puts the project
// id in them only when the request's URL has it.
func (n *Nova) serverLinks(c *call, id string) []string {
	return []string{n.collectionURL(c, "/servers/"+id), n.bookmarkURL(c, "servers", id)}
}

// collectionURL is base/v2.1[/project]/path for the request's API root.
func (n *Nova) collectionURL(c *call, path string) string {
	root := "/v2.1"
	if c.legacy {
		root = "/v2"
	}
	if c.urlProject != "" {
		root += "/" + c.urlProject
	}
	return n.baseURL(c.r) + root + path
}

// rawBookmarkURL is a bookmark link with the id written as it is, as
// Nova's _get_bookmark_link does (str(identifier)).
func (n *Nova) rawBookmarkURL(c *call, collection, id string) string {
	project := ""
	if c.urlProject != "" {
		project = "/" + c.urlProject
	}
	return n.baseURL(c.r) + project + "/" + collection + "/" + id
}

// bookmarkURL is the versionless link Nova gives as "bookmark".
func (n *Nova) bookmarkURL(c *call, collection, id string) string {
	project := ""
	if c.urlProject != "" {
		project = "/" + c.urlProject
	}
	return n.baseURL(c.r) + project + "/" + collection + "/" + url.PathEscape(id)
}

func linkList(links []string) pyjson.Value {
	return pyjson.Arr(link("self", links[0]), link("bookmark", links[1]))
}

// isoTime is Nova's utils.isotime: seconds, UTC, "Z".
func isoTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

func nullableTime(t time.Time) pyjson.Value {
	if t.IsZero() {
		return pyjson.NullValue
	}
	return pyjson.Str(t.UTC().Format("2006-01-02T15:04:05.000000"))
}

func nullableString(s string) pyjson.Value {
	if s == "" {
		return pyjson.NullValue
	}
	return pyjson.Str(s)
}
