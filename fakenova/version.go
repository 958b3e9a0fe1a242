package fakenova

import (
	"runtime/debug"
	"sync"
)

// modulePath is this module's path, which the build info names.
const modulePath = "github.com/novastub/novastub"

// Version returns the version of novastub in the running program, from
// its build information: the module version it was built at (v1.2.3, or a
// pseudo-version), or for a build from a checkout "(devel)" with the VCS
// revision and "+dirty" when the tree had changes; "unknown" without build
// information.
func Version() string { return version() }

var version = sync.OnceValue(func() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	v := ""
	if info.Main.Path == modulePath {
		v = info.Main.Version
	}
	for _, dep := range info.Deps {
		if dep.Path == modulePath {
			v = dep.Version
		}
	}
	if v != "" && v != "(devel)" {
		return v
	}
	rev, dirty := "", false
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if v == "" {
		v = "(devel)"
	}
	if rev != "" {
		if len(rev) > 12 {
			rev = rev[:12]
		}
		v += " " + rev
		if dirty {
			v += "+dirty"
		}
	}
	return v
})
