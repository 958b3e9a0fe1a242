package fakenova

import (
	"net/http"

	"github.com/novastub/novastub/internal/pyjson"
	"github.com/novastub/novastub/state"
)

// GET /os-networks and /os-networks/{id} (nova/api/openstack/compute/
// networks.py): the deprecated proxy to Neutron that nova-network left
// behind, up to microversion 2.35 (404 from 2.36). Each network shows its
// id and its name as label; every other field of nova-network's is null,
// and an admin sees the admin fields too, null all the same.

// msgNetworkNotFoundProxy is the proxy's 404.
const msgNetworkNotFoundProxy = "Network not found"

// computeNetworkFields are network_dict's fields, and the admin ones after
// them, in Nova's order.
var (
	computeNetworkFields = []string{"id", "cidr", "netmask", "gateway", "broadcast", "dns1", "dns2",
		"cidr_v6", "gateway_v6", "label", "netmask_v6"}
	computeNetworkAdminFields = []string{"created_at", "updated_at", "deleted_at", "deleted",
		"injected", "bridge", "vlan", "vpn_public_address", "vpn_public_port", "vpn_private_address", "dhcp_start",
		"project_id", "host", "bridge_interface", "multi_host", "priority", "rxtx_base", "mtu", "dhcp_server",
		"enable_dhcp", "share_address"}
)

// serveListComputeNetworks is GET /os-networks: the networks the caller
// sees in Neutron.
func (n *Nova) serveListComputeNetworks(c *call) error {
	if _, err := c.checkQuery(anyQuery); err != nil {
		return err
	}
	if err := c.authorize("networks:list"); err != nil {
		return err
	}
	nets := n.store.ListNetworks(c.viewer())
	items := make([]pyjson.Value, len(nets))
	for i := range nets {
		items[i] = computeNetworkView(c, &nets[i])
	}
	return c.replyValue(http.StatusOK, pyjson.Obj(pyjson.M("networks", pyjson.Arr(items...))))
}

// serveShowComputeNetwork is GET /os-networks/{network_id}.
func (n *Nova) serveShowComputeNetwork(c *call) error {
	if _, err := c.checkQuery(anyQuery); err != nil {
		return err
	}
	if err := c.authorize("networks:show"); err != nil {
		return err
	}
	net, err := n.store.NetworkFor(c.param("network_id"), c.viewer())
	if err != nil {
		return fault(http.StatusNotFound, msgNetworkNotFoundProxy)
	}
	return c.replyValue(http.StatusOK, pyjson.Obj(pyjson.M("network", computeNetworkView(c, &net))))
}

// computeNetworkView is network_dict.
func computeNetworkView(c *call, net *state.Network) pyjson.Value {
	m := make([]pyjson.Member, 0, len(computeNetworkFields)+len(computeNetworkAdminFields))
	add := func(fields []string) {
		for _, f := range fields {
			v := pyjson.NullValue
			switch f {
			case "id":
				v = pyjson.Str(net.ID)
			case "label":
				v = pyjson.Str(net.Name)
			}
			m = append(m, pyjson.M(f, v))
		}
	}
	add(computeNetworkFields)
	if c.isAdmin() {
		add(computeNetworkAdminFields)
	}
	return pyjson.Obj(m...)
}

// anyQuery is a query schema of {}: any parameters, none checked (Nova
// still reads the query string, so it must be UTF-8).
var anyQuery = &querySchema{}
