package fakenova

import (
	"net/http"

	"github.com/novastub/novastub/middleware"
)

// Nova's default policies (nova/policies/*.py), by the role a rule needs:
// PROJECT_READER_OR_ADMIN, PROJECT_MEMBER_OR_ADMIN or ADMIN. The project
// half of the project rules holds by construction: a non-admin only ever
// finds its own project's servers.
type roleNeeded uint8

const (
	readerRole roleNeeded = iota + 1
	memberRole
	adminRole
)

var policies = map[string]roleNeeded{
	"os-remote-consoles":              memberRole,
	"os-console-auth-tokens":          adminRole,
	"servers:index":                   readerRole,
	"servers:detail":                  readerRole,
	"servers:show":                    readerRole,
	"servers:index:get_all_tenants":   adminRole,
	"servers:detail:get_all_tenants":  adminRole,
	"servers:show:host_status":        adminRole,
	"os-extended-server-attributes":   adminRole,
	"servers:create":                  memberRole,
	"servers:delete":                  memberRole,
	"servers:start":                   memberRole,
	"servers:stop":                    memberRole,
	"servers:reboot":                  memberRole,
	"os-pause-server:pause":           memberRole,
	"os-pause-server:unpause":         memberRole,
	"os-suspend-server:suspend":       memberRole,
	"os-suspend-server:resume":        memberRole,
	"os-shelve:shelve":                memberRole,
	"os-shelve:unshelve":              memberRole,
	"os-shelve:shelve_offload":        adminRole,
	"os-console-output":               memberRole,
	"os-flavor-extra-specs:index":     readerRole,
	"os-flavor-extra-specs:show":      readerRole,
	"servers:show:flavor-extra-specs": readerRole,
	"servers:create:attach_network":   memberRole,
	"servers:create:zero_disk_flavor": adminRole,
	"networks:list":                   readerRole,
	"networks:show":                   readerRole,
}

// msgPolicy is Nova's PolicyNotAuthorized (nova/exception.py).
func msgPolicy(rule string) string {
	return "Policy doesn't allow os_compute_api:" + rule + " to be performed."
}

// allows reports whether id passes rule (os_compute_api:<rule>): admin
// always; member for the member rules; reader or member for the reader
// ones. An unknown rule allows only admins.
func allows(id *middleware.Identity, rule string) bool {
	if id.HasRole("admin") {
		return true
	}
	switch policies[rule] {
	case readerRole:
		return id.HasRole("reader") || id.HasRole("member")
	case memberRole:
		return id.HasRole("member")
	}
	return false
}

// authorize checks rule for the caller: nil, or Nova's 403.
func (c *call) authorize(rule string) error {
	if allows(c.identity, rule) {
		return nil
	}
	return fault(http.StatusForbidden, msgPolicy(rule))
}
