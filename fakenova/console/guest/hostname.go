package guest

import "strings"

// hostnameOf turns a server's display name into the guest's hostname as
// Nova's utils.sanitize_hostname does: cut to 63 characters, spaces,
// underscores and dots become hyphens, other characters than letters,
// digits and hyphens are dropped (this fake keeps ASCII letters only),
// lower case, hyphens trimmed from both ends. An empty result is
// "server-<id>".
func hostnameOf(name, id string) string {
	if len(name) > 63 {
		name = name[:63]
	}
	var b strings.Builder
	for _, r := range name {
		switch {
		case r == ' ' || r == '_' || r == '.':
			b.WriteByte('-')
		case r >= 'A' && r <= 'Z':
			b.WriteRune(r + 'a' - 'A')
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-':
			b.WriteRune(r)
		}
	}
	if h := strings.Trim(b.String(), ".-"); h != "" {
		return h
	}
	return "server-" + id
}
