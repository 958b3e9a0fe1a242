package state

import "github.com/google/uuid"

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
	_, ok := parseUUID(id)
	return ok
}

// uuidHexPairs are where the 16 bytes of a dashed UUID are written.
var uuidHexPairs = [16]uint8{0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34}

// lowerHexValue is the value of each lowercase hex digit; 0xff for every
// other byte.
var lowerHexValue = func() (t [256]byte) {
	for i := range t {
		t[i] = 0xff
	}
	for c := byte('0'); c <= '9'; c++ {
		t[c] = c - '0'
	}
	for c := byte('a'); c <= 'f'; c++ {
		t[c] = c - 'a' + 10
	}
	return t
}()

// parseUUID decodes id when it is in ValidUUID's form: in one pass, where
// ValidUUID and uuid.Parse (which also takes upper case, braces and a urn
// prefix) would read it twice.
func parseUUID(id string) (u uuid.UUID, ok bool) {
	if len(id) != 36 || id[8] != '-' || id[13] != '-' || id[18] != '-' || id[23] != '-' {
		return u, false
	}
	for k, at := range uuidHexPairs {
		hi, lo := lowerHexValue[id[at]], lowerHexValue[id[at+1]]
		if hi > 15 || lo > 15 {
			return uuid.UUID{}, false
		}
		u[k] = hi<<4 | lo
	}
	return u, true
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

// AddProject adds a project; an empty ID gets a generated Keystone-style
// one. It returns the project as stored.
func (s *Store) AddProject(p Project) (Project, error) {
	if p.ID == "" {
		p.ID = NewProjectID()
	}
	if !ValidProjectID(p.ID) {
		return Project{}, &InvalidError{Field: "id", Reason: quote(p.ID) + " is not 32 lowercase hex digits or a dashed UUID"}
	}
	if p.DomainID == "" {
		p.DomainID = "default"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.projects[p.ID]; ok {
		return Project{}, &ConflictError{Kind: "project", ID: p.ID}
	}
	s.projects[p.ID] = p
	s.projOrder = append(s.projOrder, p.ID)
	return p, s.persistProject(p)
}

// Project returns the project with the given id.
func (s *Store) Project(id string) (Project, error) {
	s.mu.RLock()
	p, ok := s.projects[id]
	s.mu.RUnlock()
	if !ok {
		return Project{}, &NotFoundError{Kind: "project", ID: id}
	}
	return p, nil
}

// Projects returns every project, in the order they were added.
func (s *Store) Projects() []Project {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]Project, 0, len(s.projOrder))
	for _, id := range s.projOrder {
		out = append(out, s.projects[id])
	}
	return out
}

// NewProjectID returns a random id in Keystone's form: 32 lowercase hex
// digits.
func NewProjectID() string {
	u := uuid.New()
	const hex = "0123456789abcdef"
	b := make([]byte, 32)
	for i, c := range u {
		b[2*i], b[2*i+1] = hex[c>>4], hex[c&0xf]
	}
	return string(b)
}
