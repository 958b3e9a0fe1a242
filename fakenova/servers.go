package fakenova

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/novastub/novastub/internal/pyjson"
	"github.com/novastub/novastub/state"
)

// The servers API: create, list, show and delete, and the actions that
// move a server through Nova's state machine
// (nova/api/openstack/compute/servers.py, views/servers.py and the action
// controllers). Server bodies carry the fields of the request's
// microversion that the model can fill.

// Nova's messages for the servers API.
const (
	msgLimitNotInteger = "limit param must be an integer"
	msgLimitNegative   = "limit param must be positive"
)

func msgMarkerNotFound(marker string) string { return "marker [" + marker + "] not found" }

// regexParams are the parameters of Nova's servers list query schema
// whose format is "regex", by their place in the schema (query_params_v21,
// then the tags filters query_params_v226 adds): the first one in that
// order with a value Python's re.compile refuses is the 400.
var regexParams = func() map[string]int {
	names := []string{"kernel_id", "ramdisk_id", "hostname", "key_name",
		"power_state", "node", "flavor", "reservation_id", "launched_at",
		"terminated_at", "availability_zone", "name", "display_name",
		"description", "display_description", "locked_by", "root_device_name",
		"config_drive", "access_ip_v4", "access_ip_v6", "auto_disk_config",
		"progress", "ip", "ip6", "created_at",
		"tags", "tags-any", "not-tags", "not-tags-any"} // from 2.26
	m := make(map[string]int, len(names))
	for i, n := range names {
		m[n] = i
	}
	return m
}()

// checkRegexParams is the "regex" format of the servers list's query
// schema, which Nova checks before its policy, from 2.1 (the legacy /v2
// endpoint has no query schema).
func checkRegexParams(c *call, q url.Values) error {
	if c.legacy {
		return nil
	}
	first, name, bad := len(regexParams), "", ""
	for p, values := range q {
		i, ok := regexParams[p]
		if !ok || i >= first || (strings.Contains(p, "tags") && c.version.Less(Microversion{2, 26})) {
			continue
		}
		for _, v := range values {
			if pythonRegexInvalid(v) {
				first, name, bad = i, p, v
				break
			}
		}
	}
	if name == "" {
		return nil
	}
	return fault(http.StatusBadRequest, msgNotARegex(name, bad))
}

// msgNotARegex is Nova's 400 for a value of a "regex" query parameter
// that Python's re.compile refuses.
func msgNotARegex(param, value string) string {
	return "Invalid input for query parameters " + param + ". Value: " + value + ". " +
		pyjson.StringRepr(value) + " is not a 'regex'"
}

func msgAllTenants(v string) string {
	return "Invalid input received: Unrecognized value '" + v +
		"', acceptable values are: '0', '1', 'f', 'false', 'n', 'no', 'off', 'on', 't', 'true', 'y', 'yes'"
}

// maxListLimit is Nova's [api] max_limit: a page holds at most this many
// servers, and a full page links to the next.
const maxListLimit = 1000

// serveListServers is GET /servers ({"servers": [{id, links, name}]}).
func (n *Nova) serveListServers(c *call) error { return n.listServers(c, false) }

// serveListServersDetailed is GET /servers/detail.
func (n *Nova) serveListServersDetailed(c *call) error { return n.listServers(c, true) }

// serveShowServer is GET /servers/{server_id}.
func (n *Nova) serveShowServer(c *call) error {
	srv, err := n.visibleServer(c, c.serverID())
	if err != nil {
		return err
	}
	if err := c.authorize("servers:show"); err != nil {
		return err
	}
	var views viewCache
	c.out = append(c.out, `{"server": `...)
	n.appendServerView(c, &srv, false, &views)
	c.out = append(c.out, '}')
	return c.reply(http.StatusOK)
}

// listServers answers GET /servers and /servers/detail with Nova's filters
// that clients use: name (a regular expression, searched), status,
// all_tenants (admin), limit and marker; newest first, at most 1000 a page.
func (n *Nova) listServers(c *call, detail bool) error {
	rule := "servers:index"
	if detail {
		rule = "servers:detail"
	}
	q := c.r.URL.Query()
	if err := checkRegexParams(c, q); err != nil {
		return err
	}
	if err := c.authorize(rule); err != nil {
		return err
	}
	filter := state.ServerFilter{ProjectID: c.projectID(), Limit: maxListLimit}
	if values, ok := q["all_tenants"]; ok {
		all, valid := parseAllTenants(values[len(values)-1])
		if !valid {
			return fault(http.StatusBadRequest, msgAllTenants(values[len(values)-1]))
		}
		if all {
			if err := c.authorize(rule + ":get_all_tenants"); err != nil {
				return err
			}
			filter.ProjectID = ""
		}
	}
	if v := q.Get("limit"); v != "" {
		// Nova's common.get_limit_and_marker: an integer, not negative,
		// capped at max_limit (as Python's int, however large).
		limit, err := strconv.Atoi(v)
		var numErr *strconv.NumError
		switch {
		case errors.As(err, &numErr) && numErr.Err == strconv.ErrRange && !strings.HasPrefix(strings.TrimSpace(v), "-"):
			limit = maxListLimit
		case err != nil:
			return fault(http.StatusBadRequest, msgLimitNotInteger)
		case limit < 0:
			return fault(http.StatusBadRequest, msgLimitNegative)
		}
		if limit == 0 {
			// Nova asks its database for no rows.
			c.out = append(c.out, `{"servers": []}`...)
			return c.reply(http.StatusOK)
		}
		filter.Limit = min(limit, maxListLimit)
	}
	filter.Marker = q.Get("marker")
	// Nova hands the pattern to the database; one that Go's regexp does
	// not take (a lookahead, say) matches nothing here.
	filter.Name = q.Get("name")
	if status, ok := q["status"]; ok {
		vms, tasks, known := state.StatusFilter(status[len(status)-1])
		if !known {
			// Nova answers an empty list for a status it does not know.
			c.out = append(c.out, `{"servers": []}`...)
			return c.reply(http.StatusOK)
		}
		filter.VMStates, filter.TaskStates = vms, tasks
	}
	servers, err := n.store.ListServers(filter)
	if err != nil {
		return fault(http.StatusBadRequest, msgMarkerNotFound(filter.Marker))
	}
	// {"servers": [...], "servers_links": [...]}, as pyjson writes it,
	// one server at a time.
	var views viewCache
	c.out = append(c.out, `{"servers": [`...)
	for i := range servers {
		srv := &servers[i]
		if i > 0 {
			c.out = append(c.out, ", "...)
		}
		if detail {
			n.appendServerView(c, srv, true, &views)
		} else {
			c.out = pyjson.AppendValue(c.out, pyjson.Obj(
				pyjson.M("id", pyjson.Str(srv.ID)),
				pyjson.M("links", linkList(n.serverLinks(c, srv.ID))),
				pyjson.M("name", pyjson.Str(srv.Name))))
		}
	}
	c.out = append(c.out, ']')
	if len(servers) > 0 && len(servers) == filter.Limit {
		next := n.collectionURL(c, c.r.URL.Path[strings.LastIndex(c.r.URL.Path, "/servers"):])
		q.Set("limit", strconv.Itoa(filter.Limit))
		q.Set("marker", servers[len(servers)-1].ID)
		c.out = append(c.out, `, "servers_links": `...)
		c.out = pyjson.AppendValue(c.out, pyjson.Arr(link("next", next+"?"+q.Encode())))
	}
	c.out = append(c.out, '}')
	return c.reply(http.StatusOK)
}

// parseAllTenants is oslo's bool_from_string(strict=True), with Nova's
// reading of a bare all_tenants (no value) as true.
func parseAllTenants(v string) (all, valid bool) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "", "1", "t", "true", "on", "y", "yes":
		return true, true
	case "0", "f", "false", "off", "n", "no":
		return false, true
	}
	return false, false
}

// serveDeleteServer is DELETE /servers/{server_id}: 204; the server goes
// through task_state deleting on the clock.
func (n *Nova) serveDeleteServer(c *call) error {
	id := c.serverID()
	if _, err := n.visibleServer(c, id); err != nil {
		return err
	}
	if err := c.authorize("servers:delete"); err != nil {
		return err
	}
	return n.startAction(c, id, state.ActionDelete, "delete", http.StatusNoContent)
}
