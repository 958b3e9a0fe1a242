package state

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"
)

// Seed is the whole model as JSON: the seed file that the stub binary starts
// from, that non-Go users write by hand, and what Snapshot returns. Load
// checks every id and reference and names the bad field in its error.
type Seed struct {
	Projects []Project  `json:"projects"` // Keystone projects
	Hosts    []SeedHost `json:"hosts"`    // compute hosts
	// ConsoleProtocols are the console protocols the cloud enables (vnc,
	// spice, serial, mks, rdp: Nova's [vnc] enabled and the like); left
	// out, those the Store was made with (WithProtocols; VNC only by
	// default).
	ConsoleProtocols *[]string     `json:"console_protocols,omitempty"`
	Tokens           []SeedToken   `json:"tokens"`             // static API tokens
	Users            []User        `json:"users"`              // users of the identity service
	Images           []SeedImage   `json:"images,omitempty"`   // Glance images
	Flavors          []SeedFlavor  `json:"flavors,omitempty"`  // Nova flavors
	Networks         []SeedNetwork `json:"networks,omitempty"` // Neutron networks and their subnets
	Servers          []SeedServer  `json:"servers"`            // servers
	Ports            []SeedPort    `json:"ports,omitempty"`    // Neutron ports, after the servers they are bound to
}

// SeedHost is a host in a seed file.
type SeedHost struct {
	Name string `json:"name"` // the compute host's name
	// ConsoleTypes left out means every type; [] means none (bare metal).
	ConsoleTypes *[]ConsoleType `json:"console_types,omitempty"`
	// SerialPortsExhausted makes the host's serial consoles fail.
	SerialPortsExhausted bool `json:"serial_ports_exhausted,omitempty"`
}

// SeedToken is a static API token in a seed file. Its project need not be
// among the seed's projects: that models a project deleted after the
// token was issued.
type SeedToken struct {
	Token     string     `json:"token"`                // the secret sent as X-Auth-Token
	ProjectID string     `json:"project_id"`           // the project it is scoped to
	Roles     []string   `json:"roles,omitempty"`      // its roles on that project
	UserID    string     `json:"user_id,omitempty"`    // the user's id, optional
	UserName  string     `json:"user_name,omitempty"`  // the user's name, optional
	ExpiresAt *time.Time `json:"expires_at,omitempty"` // when it expires; left out, never
}

// SeedServer is a server in a seed file.
type SeedServer struct {
	ID        string `json:"id"`                // a lowercase dashed UUID
	Name      string `json:"name"`              // the display name
	ProjectID string `json:"project_id"`        // a project of the seed
	UserID    string `json:"user_id,omitempty"` // the user who created it, optional
	// Status is Nova's status (ACTIVE, BUILD, SHUTOFF, ...); empty means
	// ACTIVE.
	Status string `json:"status,omitempty"`
	// TaskState overrides the task_state the status implies; JSON null
	// or left out keeps it.
	TaskState *string `json:"task_state,omitempty"`
	// VMState and PowerState override what the status implies, for the
	// combinations a status does not tell apart (stopped and rebuilding
	// shows REBUILD, as active and rebuilding does). Snapshot writes them
	// only then.
	VMState    *string `json:"vm_state,omitempty"`
	PowerState *int    `json:"power_state,omitempty"`
	// Host left out means the first host for a status that has one, none
	// for BUILD and SHELVED_OFFLOADED; "" means none.
	Host *string `json:"host,omitempty"`
	// ImageID is the image the server was booted from (any id: the
	// image may have been deleted since); FlavorID is its flavor's
	// flavorid.
	ImageID  string `json:"image_id,omitempty"`
	FlavorID string `json:"flavor_id,omitempty"`
	// ConsoleOutput, when set, is what the server's console shows
	// (os-getConsoleOutput) in place of the generated boot log (see
	// Store.SetConsoleOutput).
	ConsoleOutput *string `json:"console_output,omitempty"`
}

// ParseSeed decodes a seed file. Unknown fields and wrongly typed values are
// errors that name the field, such as `servers[1].stauts: unknown field`.
// ParseSeed checks the form only; Store.Load checks ids and references.
func ParseSeed(data []byte) (*Seed, error) {
	var top struct {
		Projects         []json.RawMessage `json:"projects"`
		Hosts            []json.RawMessage `json:"hosts"`
		ConsoleProtocols *[]string         `json:"console_protocols"`
		Tokens           []json.RawMessage `json:"tokens"`
		Users            []json.RawMessage `json:"users"`
		Images           []json.RawMessage `json:"images"`
		Flavors          []json.RawMessage `json:"flavors"`
		Networks         []json.RawMessage `json:"networks"`
		Servers          []json.RawMessage `json:"servers"`
		Ports            []json.RawMessage `json:"ports"`
	}
	if err := decodeStrict(data, &top); err != nil {
		return nil, seedError("", withPosition(data, err))
	}
	seed := &Seed{
		Projects:         make([]Project, len(top.Projects)),
		Hosts:            make([]SeedHost, len(top.Hosts)),
		ConsoleProtocols: top.ConsoleProtocols,
		Tokens:           make([]SeedToken, len(top.Tokens)),
		Users:            make([]User, len(top.Users)),
		Servers:          make([]SeedServer, len(top.Servers)),
	}
	if top.Images != nil {
		seed.Images = make([]SeedImage, len(top.Images))
	}
	if top.Flavors != nil {
		seed.Flavors = make([]SeedFlavor, len(top.Flavors))
	}
	if top.Ports != nil {
		seed.Ports = make([]SeedPort, len(top.Ports))
	}
	if top.Networks != nil {
		seed.Networks = make([]SeedNetwork, len(top.Networks))
	}
	// A network's subnets are parsed one by one, so that an error names
	// networks[i].subnets[j].field.
	subnets := make([][]json.RawMessage, len(top.Networks))
	placeNetwork := func(i int) any {
		return &seedNetworkRaw{SeedNetwork: &seed.Networks[i], Subnets: &subnets[i]}
	}
	sections := []struct {
		name  string
		raw   []json.RawMessage
		place func(i int) any
	}{
		{"projects", top.Projects, func(i int) any { return &seed.Projects[i] }},
		{"hosts", top.Hosts, func(i int) any { return &seed.Hosts[i] }},
		{"tokens", top.Tokens, func(i int) any { return &seed.Tokens[i] }},
		{"users", top.Users, func(i int) any { return &seed.Users[i] }},
		{"images", top.Images, func(i int) any { return &seed.Images[i] }},
		{"flavors", top.Flavors, func(i int) any { return &seed.Flavors[i] }},
		{"networks", top.Networks, placeNetwork},
		{"servers", top.Servers, func(i int) any { return &seed.Servers[i] }},
		{"ports", top.Ports, func(i int) any { return &seed.Ports[i] }},
	}
	for _, sec := range sections {
		for i, raw := range sec.raw {
			if err := decodeStrict(raw, sec.place(i)); err != nil {
				return nil, seedError(fmt.Sprintf("%s[%d]", sec.name, i), err)
			}
		}
	}
	for i, raws := range subnets {
		if raws == nil {
			continue
		}
		seed.Networks[i].Subnets = make([]SeedSubnet, len(raws))
		for j, raw := range raws {
			if err := decodeStrict(raw, &seed.Networks[i].Subnets[j]); err != nil {
				return nil, seedError(fmt.Sprintf("networks[%d].subnets[%d]", i, j), err)
			}
		}
	}
	return seed, nil
}

// ReadSeedFile reads and parses the seed file at path.
func ReadSeedFile(path string) (*Seed, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("seed: %w", err)
	}
	return ParseSeed(data)
}

// seedNetworkRaw decodes a network with its subnets left raw.
type seedNetworkRaw struct {
	*SeedNetwork
	Subnets *[]json.RawMessage `json:"subnets"`
}

func decodeStrict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("unexpected data after the JSON value")
	}
	return nil
}

// seedError turns an encoding/json error into one that names the field.
func seedError(at string, err error) error {
	join := func(field string) string {
		switch {
		case at == "":
			return field
		case field == "":
			return at
		}
		return at + "." + field
	}
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	var positioned *syntaxError
	switch {
	case errors.As(err, &positioned):
		return &InvalidError{Field: join(""), Reason: positioned.reason(), Err: err}
	case errors.As(err, &typeErr):
		return &InvalidError{Field: join(typeErr.Field), Reason: "expected " + jsonKind(typeErr.Type.String()) + ", got " + typeErr.Value, Err: err}
	case errors.As(err, &syntaxErr):
		return &InvalidError{Field: join(""), Reason: fmt.Sprintf("malformed JSON at byte %d: %v", syntaxErr.Offset, err), Err: err}
	case errors.Is(err, io.ErrUnexpectedEOF):
		return &InvalidError{Field: join(""), Reason: "malformed JSON: unexpected end of input"}
	case errors.Is(err, io.EOF):
		return &InvalidError{Field: join(""), Reason: "malformed JSON: no JSON value"}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return &InvalidError{Field: join(name), Reason: "unknown field", Err: err}
	}
	return &InvalidError{Field: join(""), Reason: err.Error(), Err: err}
}

func jsonKind(goType string) string {
	switch {
	case strings.HasPrefix(goType, "[]"):
		return "an array"
	case strings.HasPrefix(goType, "map["), strings.HasPrefix(goType, "state."), strings.HasPrefix(goType, "struct"):
		if goType == "state.ConsoleType" {
			return "a string"
		}
		return "an object"
	case goType == "string", goType == "*string":
		return "a string"
	case goType == "bool", goType == "*bool":
		return "a boolean"
	case goType == "int", goType == "*int", goType == "int64":
		return "an integer"
	case goType == "float64":
		return "a number"
	case goType == "time.Time":
		return "an RFC 3339 time string"
	}
	return goType
}

// Load replaces the whole model with seed, or leaves it untouched and
// returns an error that names the bad field (servers[1].project_id, ...).
func (s *Store) Load(seed *Seed) error {
	tmp := New()
	tmp.clock, tmp.timings = s.clock, s.timings
	if err := tmp.fill(seed); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.projects, s.projOrder = tmp.projects, tmp.projOrder
	s.hosts, s.hostOrder, s.hostNames = tmp.hosts, tmp.hostOrder, tmp.hostNames
	s.servers, s.byProject, s.seq, s.timers = tmp.servers, tmp.byProject, tmp.seq, tmp.timers
	s.consoles = newConsoleTokens(s.maxConsoles) // a new model has no console tokens
	s.foreignIDs = names{}
	s.tokens, s.users = tmp.tokens, tmp.users
	s.tokenGen.Add(1)
	s.cat = tmp.cat
	s.catalogChanged()
	protocols := s.protocolsSet
	if seed.ConsoleProtocols != nil {
		protocols = tmp.protocolsSet
	}
	s.protocols.Store(protocols)
	return s.persistAll()
}

func (s *Store) fill(seed *Seed) error {
	if err := checkSeed(seed); err != nil {
		return err
	}
	at := func(section string, i int, err error) error {
		var inv *InvalidError
		var nf *NotFoundError
		var cf *ConflictError
		prefix := fmt.Sprintf("%s[%d]", section, i)
		switch {
		case errors.As(err, &inv):
			return &InvalidError{Field: prefix + "." + inv.Field, Reason: inv.Reason, Err: inv.Err}
		case errors.As(err, &nf):
			field := map[string]string{"project": "project_id", "host": "host"}[nf.Kind]
			return &InvalidError{Field: prefix + "." + field, Reason: fmt.Sprintf("no %s %q in this seed", nf.Kind, nf.ID), Err: err}
		case errors.As(err, &cf):
			return &InvalidError{Field: prefix, Reason: fmt.Sprintf("duplicate %s %q", cf.Kind, cf.ID), Err: err}
		}
		return &InvalidError{Field: prefix, Reason: err.Error(), Err: err}
	}
	for i, p := range seed.Projects {
		if p.ID == "" {
			return &InvalidError{Field: fmt.Sprintf("projects[%d].id", i), Reason: "required"}
		}
		if _, err := s.AddProject(p); err != nil {
			return at("projects", i, err)
		}
	}
	for i, h := range seed.Hosts {
		host := Host{Name: h.Name, SerialPortsExhausted: h.SerialPortsExhausted}
		if h.ConsoleTypes != nil {
			host.ConsoleTypes = append([]ConsoleType{}, (*h.ConsoleTypes)...)
		}
		if err := s.AddHost(host); err != nil {
			return at("hosts", i, err)
		}
	}
	for i, t := range seed.Tokens {
		tok := AuthToken{Token: t.Token, ProjectID: t.ProjectID, Roles: t.Roles, UserID: t.UserID, UserName: t.UserName}
		if t.ProjectID == "" {
			return &InvalidError{Field: fmt.Sprintf("tokens[%d].project_id", i), Reason: "required"}
		}
		if t.ExpiresAt != nil {
			tok.ExpiresAt = *t.ExpiresAt
		}
		if err := s.AddToken(tok); err != nil {
			return at("tokens", i, err)
		}
	}
	for i, u := range seed.Users {
		for project := range u.Roles {
			if !s.hasProjectNamed(project) {
				return &InvalidError{Field: fmt.Sprintf("users[%d].roles", i), Reason: fmt.Sprintf("no project named %q in this seed", project)}
			}
		}
		if _, err := s.AddUser(u); err != nil {
			return at("users", i, err)
		}
	}
	if err := s.fillCatalog(seed); err != nil {
		return err
	}
	for i, ss := range seed.Servers {
		srv, err := s.seedServer(ss)
		if err == nil {
			_, err = s.AddServer(srv)
		}
		if err == nil && ss.ConsoleOutput != nil {
			err = s.SetConsoleOutput(srv.ID, *ss.ConsoleOutput)
		}
		if err != nil {
			return at("servers", i, err)
		}
	}
	return s.fillPorts(seed)
}

func (s *Store) hasProjectNamed(name string) bool {
	for _, p := range s.projects {
		if p.Name == name {
			return true
		}
	}
	return false
}

func (s *Store) seedServer(ss SeedServer) (Server, error) {
	if ss.ID == "" {
		return Server{}, &InvalidError{Field: "id", Reason: "required"}
	}
	status := ss.Status
	if status == "" {
		status = "ACTIVE"
	}
	vm, task, power, err := storeStatusStates(status)
	if err != nil {
		return Server{}, err
	}
	if ss.TaskState != nil {
		task = TaskState(*ss.TaskState)
	}
	if ss.VMState != nil {
		vm = VMState(*ss.VMState)
	}
	if ss.PowerState != nil {
		power = PowerState(*ss.PowerState)
	}
	srv := Server{ID: ss.ID, Name: ss.Name, ProjectID: ss.ProjectID, UserID: ss.UserID,
		VMState: vm, TaskState: task, PowerState: power, ImageID: ss.ImageID, FlavorID: ss.FlavorID}
	switch {
	case ss.Host != nil:
		srv.Host = *ss.Host
	case !hostless(vm):
		if len(s.hostOrder) == 0 {
			return Server{}, &InvalidError{Field: "host", Reason: "a " + status + " server needs a host, and the seed has no hosts"}
		}
		srv.Host = s.hostOrder[0]
	}
	return srv, nil
}

// Snapshot returns the whole model as a Seed, read at one instant; Load of
// it restores the model, but for console tokens (not part of a seed),
// transitions under way (the servers stay in the state they are in), and
// what the seed format does not hold (servers' faults and times; tokens'
// identity-service details; flavors' times and internal ids).
func (s *Store) Snapshot() *Seed {
	s.rlock()
	defer s.mu.RUnlock()
	seed := &Seed{}
	for _, id := range s.projOrder {
		seed.Projects = append(seed.Projects, s.projects[id])
	}
	for _, name := range s.hostOrder {
		h := s.hosts[name]
		sh := SeedHost{Name: h.Name, SerialPortsExhausted: h.SerialPortsExhausted}
		if h.ConsoleTypes != nil {
			types := append([]ConsoleType{}, h.ConsoleTypes...)
			sh.ConsoleTypes = &types
		}
		seed.Hosts = append(seed.Hosts, sh)
	}
	now := s.clock.Now()
	for _, t := range s.tokens {
		if !t.ExpiresAt.IsZero() && !now.Before(t.ExpiresAt) {
			continue
		}
		st := SeedToken{Token: t.Token, ProjectID: t.ProjectID, Roles: append([]string(nil), t.Roles...),
			UserID: t.UserID, UserName: t.UserName}
		if !t.ExpiresAt.IsZero() {
			exp := t.ExpiresAt
			st.ExpiresAt = &exp
		}
		seed.Tokens = append(seed.Tokens, st)
	}
	sort.Slice(seed.Tokens, func(i, j int) bool { return seed.Tokens[i].Token < seed.Tokens[j].Token })
	for _, u := range s.users {
		u.Roles = cloneRoles(u.Roles)
		seed.Users = append(seed.Users, u)
	}
	sort.Slice(seed.Users, func(i, j int) bool {
		return seed.Users[i].Domain+"/"+seed.Users[i].Name < seed.Users[j].Domain+"/"+seed.Users[j].Name
	})
	for _, e := range s.servers.inOrder() {
		ss := SeedServerOf(e.Server)
		ss.ConsoleOutput = e.consoleOutputSet()
		seed.Servers = append(seed.Servers, ss)
	}
	s.snapshotCatalog(seed)
	return seed
}

// SeedServerOf writes a server as a seed file does: its status, and the
// states the status does not imply.
func SeedServerOf(srv Server) SeedServer {
	host := srv.Host
	ss := SeedServer{ID: srv.ID, Name: srv.Name, ProjectID: srv.ProjectID, UserID: srv.UserID,
		Status: srv.Status(), Host: &host, ImageID: srv.ImageID, FlavorID: srv.FlavorID}
	vm, task, power, err := StatusStates(ss.Status)
	if err != nil || task != srv.TaskState {
		t := string(srv.TaskState)
		ss.TaskState = &t
	}
	if err != nil || vm != srv.VMState {
		v := string(srv.VMState)
		ss.VMState = &v
	}
	if err != nil || power != srv.PowerState {
		p := int(srv.PowerState)
		ss.PowerState = &p
	}
	return ss
}
