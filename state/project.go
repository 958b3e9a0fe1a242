package state

// Project is a Keystone project (tenant) that owns servers.
type Project struct {
	// ID is 32 lowercase hex digits, as Keystone makes them, or a dashed
	// UUID. Left empty, AddProject generates a Keystone-style id.
	ID string `json:"id"`
	// Name is the project's name; clients scope tokens by it.
	Name string `json:"name"`
	// DomainID is the id of the project's domain; empty means "default".
	DomainID string `json:"domain_id,omitempty"`
}

// ValidProjectID reports whether id is a well-formed project id: 32
// lowercase hex digits (Keystone's form) or a lowercase dashed UUID.
func ValidProjectID(id string) bool {
	switch len(id) {
	case 32:
		return isLowerHex(id)
	case 36:
		return ValidUUID(id)
	}
	return false
}

// ValidUUID reports whether id is a lowercase dashed UUID
// (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx), the form Nova gives server ids.
func ValidUUID(id string) bool {
	if len(id) != 36 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !isLowerHexByte(c) {
				return false
			}
		}
	}
	return true
}

func isLowerHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isLowerHexByte(s[i]) {
			return false
		}
	}
	return true
}

func isLowerHexByte(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' }
