package fakenova

import (
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"time"

	"github.com/novastub/novastub/internal/pyjson"
	"github.com/novastub/novastub/state"
)

// Nova's views of a server (nova/api/openstack/compute/views/servers.py)
// and its links.

// serverView is Nova's detailed view of a server (views/servers.py show)
// at the request's microversion.
func (n *Nova) serverView(c *call, srv state.Server) pyjson.Value {
	v := c.version
	at := func(from Microversion) bool { return !v.Less(from) }
	status := srv.Status()
	m := []pyjson.Member{
		pyjson.M("id", pyjson.Str(srv.ID)),
		pyjson.M("name", pyjson.Str(srv.Name)),
		pyjson.M("status", pyjson.Str(status)),
		pyjson.M("tenant_id", pyjson.Str(srv.ProjectID)),
		pyjson.M("user_id", pyjson.Str(srv.UserID)),
		pyjson.M("metadata", pyjson.Obj()),
		pyjson.M("hostId", pyjson.Str(hostID(srv))),
		pyjson.M("image", n.imageView(c, srv)),
		pyjson.M("flavor", n.flavorView(c, srv)),
		pyjson.M("created", pyjson.Str(isoTime(srv.Created))),
		pyjson.M("updated", pyjson.Str(isoTime(srv.Updated))),
		pyjson.M("addresses", pyjson.Obj()),
		pyjson.M("accessIPv4", pyjson.Str("")),
		pyjson.M("accessIPv6", pyjson.Str("")),
		pyjson.M("links", linkList(n.serverLinks(c, srv.ID))),
		pyjson.M("OS-DCF:diskConfig", pyjson.Str("MANUAL")),
	}
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
	m = append(m,
		pyjson.M("OS-EXT-AZ:availability_zone", pyjson.Str("nova")),
		pyjson.M("config_drive", pyjson.Str("")),
		pyjson.M("key_name", pyjson.NullValue),
		pyjson.M("OS-SRV-USG:launched_at", nullableTime(srv.LaunchedAt)),
		pyjson.M("OS-SRV-USG:terminated_at", pyjson.NullValue),
		pyjson.M("security_groups", pyjson.Arr(pyjson.Obj(pyjson.M("name", pyjson.Str("default"))))),
		pyjson.M("os-extended-volumes:volumes_attached", pyjson.Arr()),
		pyjson.M("OS-EXT-STS:task_state", nullableString(string(srv.TaskState))),
		pyjson.M("OS-EXT-STS:vm_state", pyjson.Str(string(srv.VMState))),
		pyjson.M("OS-EXT-STS:power_state", pyjson.IntValue(int64(srv.PowerState))),
	)
	if allows(c.identity, "os-extended-server-attributes") {
		m = append(m,
			pyjson.M("OS-EXT-SRV-ATTR:host", nullableString(srv.Host)),
			pyjson.M("OS-EXT-SRV-ATTR:instance_name", pyjson.Str("instance-"+srv.ID[:8])),
			pyjson.M("OS-EXT-SRV-ATTR:hypervisor_hostname", nullableString(srv.Host)))
	}
	if at(Microversion{2, 9}) {
		m = append(m, pyjson.M("locked", pyjson.BoolValue(false)))
	}
	if at(Microversion{2, 16}) && allows(c.identity, "servers:show:host_status") {
		m = append(m, pyjson.M("host_status", pyjson.Str(hostStatus(srv))))
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
	if at(Microversion{2, 71}) {
		m = append(m, pyjson.M("server_groups", pyjson.Arr()))
	}
	if at(Microversion{2, 73}) {
		m = append(m, pyjson.M("locked_reason", pyjson.NullValue))
	}
	if at(Microversion{2, 96}) {
		m = append(m, pyjson.M("pinned_availability_zone", pyjson.NullValue))
	}
	return pyjson.Obj(m...)
}

// imageView is the server's image: its id and bookmark link, or "" for a
// server booted from a volume.
func (n *Nova) imageView(c *call, srv state.Server) pyjson.Value {
	if srv.ImageID == "" {
		return pyjson.Str("")
	}
	return pyjson.Obj(pyjson.M("id", pyjson.Str(srv.ImageID)),
		pyjson.M("links", pyjson.Arr(link("bookmark", n.bookmarkURL(c, "images", srv.ImageID)))))
}

// flavorView is the server's flavor: id and link before 2.47, from 2.47 the
// flavor's own description (the model knows only the name it was created
// with, and gives the smallest of sizes).
func (n *Nova) flavorView(c *call, srv state.Server) pyjson.Value {
	if c.version.Less(Microversion{2, 47}) {
		return pyjson.Obj(pyjson.M("id", pyjson.Str(srv.FlavorID)),
			pyjson.M("links", pyjson.Arr(link("bookmark", n.bookmarkURL(c, "flavors", srv.FlavorID)))))
	}
	return pyjson.Obj(
		pyjson.M("vcpus", pyjson.IntValue(1)), pyjson.M("ram", pyjson.IntValue(512)),
		pyjson.M("disk", pyjson.IntValue(1)), pyjson.M("ephemeral", pyjson.IntValue(0)),
		pyjson.M("swap", pyjson.IntValue(0)), pyjson.M("original_name", pyjson.Str(srv.FlavorID)))
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
