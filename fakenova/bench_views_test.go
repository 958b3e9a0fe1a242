package fakenova_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/novastub/novastub/fakenova"
	"github.com/novastub/novastub/state"
)

// GET of a server and the detail list, through the whole stack, beside a
// floor: a bare handler that looks the server up in a map and encodes the
// same server JSON (the same members and values, checked by
// TestViewFloorsEncodeTheSameJSON) with encoding/json, from a struct built
// beforehand. The ratio is what the fake pays over encoding the answer.
//
//	go test -run '^$' -bench 'ShowServer|ServersDetail' -benchmem ./fakenova/

// viewVariant is a GET of a server's view: at a microversion, by a member
// or an admin.
type viewVariant struct {
	name    string
	version string // "" for none (2.1)
	admin   bool
}

// viewVariants are the views a client sees: 2.1 (no header), the embedded
// flavor of 2.47, the image properties of 2.98 as an admin (extended
// attributes, host_status), and the latest as a member and an admin.
var viewVariants = []viewVariant{
	{"2.1", "", false},
	{"2.47", "2.47", false},
	{"2.98-admin", "2.98", true},
	{"latest", "latest", false},
	{"latest-admin", "latest", true},
}

// benchAdminToken is an admin token the view benchmarks add.
const benchAdminToken = "0123456789abcdef0123456789abcdef"

// viewFixture is a fake with n servers with a port each (their image,
// the default flavor), and an admin token.
func viewFixture(tb testing.TB, n int) (*fakenova.Test, []state.Server) {
	tb.Helper()
	ts := serversWithPorts(tb, n)
	if err := ts.State.AddToken(state.AuthToken{Token: benchAdminToken, ProjectID: ts.ProjectID,
		Roles: []string{"admin", "member", "reader"}}); err != nil {
		tb.Fatal(err)
	}
	return ts, ts.State.Servers()
}

func (v viewVariant) token(ts *fakenova.Test) string {
	if v.admin {
		return benchAdminToken
	}
	return ts.Token
}

// BenchmarkShowServer is GET /v2.1/servers/{id} of a server with a port.
func BenchmarkShowServer(b *testing.B) {
	for _, v := range viewVariants {
		b.Run(v.name, func(b *testing.B) {
			ts, servers := viewFixture(b, 1)
			runGet(b, ts.Nova, "/v2.1/servers/"+servers[0].ID, v.token(ts), v.version)
		})
	}
}

// BenchmarkShowServerFloor encodes the same server JSON from a map.
func BenchmarkShowServerFloor(b *testing.B) {
	for _, v := range viewVariants {
		b.Run(v.name, func(b *testing.B) {
			ts, servers := viewFixture(b, 1)
			path := "/v2.1/servers/" + servers[0].ID
			floor := showFloor(b, ts.Nova, path, v.token(ts), v.version)
			runGet(b, floor, path, v.token(ts), "")
		})
	}
}

// BenchmarkListServersDetail is GET /v2.1/servers/detail of 20 servers
// with a port each.
func BenchmarkListServersDetail(b *testing.B) {
	for _, v := range viewVariants {
		b.Run(v.name, func(b *testing.B) {
			ts, _ := viewFixture(b, 20)
			runGet(b, ts.Nova, "/v2.1/servers/detail", v.token(ts), v.version)
		})
	}
}

// BenchmarkListServersDetailFloor encodes the same 20 servers' JSON.
func BenchmarkListServersDetailFloor(b *testing.B) {
	for _, v := range viewVariants {
		b.Run(v.name, func(b *testing.B) {
			ts, _ := viewFixture(b, 20)
			floor := listFloor(b, ts.Nova, "/v2.1/servers/detail", v.token(ts), v.version)
			runGet(b, floor, "/v2.1/servers/detail", v.token(ts), "")
		})
	}
}

// TestViewFloorsEncodeTheSameJSON checks that each floor writes the JSON
// the fake does (the same members with the same values; the order of the
// members and the spaces aside), so that the floors measure the same work.
func TestViewFloorsEncodeTheSameJSON(t *testing.T) {
	for _, v := range viewVariants {
		ts, servers := viewFixture(t, 20)
		for path, floor := range map[string]http.Handler{
			"/v2.1/servers/" + servers[0].ID: showFloor(t, ts.Nova, "/v2.1/servers/"+servers[0].ID, v.token(ts), v.version),
			"/v2.1/servers/detail":           listFloor(t, ts.Nova, "/v2.1/servers/detail", v.token(ts), v.version),
		} {
			_, fake := getBody(t, ts.Nova, path, v.token(ts), v.version)
			code, floorBody := getBody(t, floor, path, v.token(ts), "")
			require.Equal(t, http.StatusOK, code)
			var want, got any
			require.NoError(t, json.Unmarshal(fake, &want))
			require.NoError(t, json.Unmarshal(floorBody, &got))
			require.Equal(t, want, got, "%s at %s", path, v.name)
			require.Contains(t, string(fake), `"addresses": {"private": [{"version": 4`, "a server with its port")
		}
	}
}

// getBody answers one GET.
func getBody(tb testing.TB, h http.Handler, path, token, version string) (int, []byte) {
	tb.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.Header.Set("X-Auth-Token", token)
	if version != "" {
		req.Header.Set("OpenStack-API-Version", "compute "+version)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w.Code, w.Body.Bytes()
}

// showFloor is the floor of a GET of a server: the server JSON the fake
// gives at path, in a struct by id; the handler looks it up and encodes it.
func showFloor(tb testing.TB, nova http.Handler, path, token, version string) http.Handler {
	tb.Helper()
	code, body := getBody(tb, nova, path, token, version)
	if code != http.StatusOK {
		tb.Fatalf("GET %s: %d", path, code)
	}
	var doc struct {
		Server map[string]json.RawMessage `json:"server"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		tb.Fatal(err)
	}
	servers := map[string]*floorServer{}
	srv := newFloorServer(tb, doc.Server)
	servers[srv.ID] = srv
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		srv, ok := servers[r.URL.Path[strings.LastIndexByte(r.URL.Path, '/')+1:]]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(struct {
			Server *floorServer `json:"server"`
		}{srv})
	})
}

// listFloor is the floor of the detail list: the servers' JSON the fake
// gives, in a slice by project; the handler encodes the project's.
func listFloor(tb testing.TB, nova http.Handler, path, token, version string) http.Handler {
	tb.Helper()
	code, body := getBody(tb, nova, path, token, version)
	if code != http.StatusOK {
		tb.Fatalf("GET %s: %d", path, code)
	}
	var doc struct {
		Servers []map[string]json.RawMessage `json:"servers"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		tb.Fatal(err)
	}
	byProject := map[string][]*floorServer{}
	for _, m := range doc.Servers {
		srv := newFloorServer(tb, m)
		byProject[srv.TenantID] = append(byProject[srv.TenantID], srv)
	}
	var project string
	for p := range byProject {
		project = p
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(struct {
			Servers []*floorServer `json:"servers"`
		}{byProject[project]})
	})
}

// floorServer is every member a server's view has at some microversion,
// typed; a pointer with omitempty is a member that is there only at some
// versions or for some callers, a pointer to a pointer one that may be
// there as null.
type floorServer struct {
	AccessIPv4     string                 `json:"accessIPv4"`
	AccessIPv6     string                 `json:"accessIPv6"`
	Addresses      map[string][]floorAddr `json:"addresses"`
	Created        string                 `json:"created"`
	Flavor         floorFlavor            `json:"flavor"`
	HostID         string                 `json:"hostId"`
	ID             string                 `json:"id"`
	Image          floorImage             `json:"image"`
	Links          []floorLink            `json:"links"`
	Metadata       struct{}               `json:"metadata"`
	Name           string                 `json:"name"`
	Status         string                 `json:"status"`
	TenantID       string                 `json:"tenant_id"`
	UserID         string                 `json:"user_id"`
	Updated        string                 `json:"updated"`
	DiskConfig     string                 `json:"OS-DCF:diskConfig"`
	Progress       *int                   `json:"progress,omitempty"`
	AZ             string                 `json:"OS-EXT-AZ:availability_zone"`
	ConfigDrive    string                 `json:"config_drive"`
	KeyName        *string                `json:"key_name"`
	LaunchedAt     *string                `json:"OS-SRV-USG:launched_at"`
	TerminatedAt   *string                `json:"OS-SRV-USG:terminated_at"`
	SecurityGroups []floorName            `json:"security_groups,omitempty"`
	Host           **string               `json:"OS-EXT-SRV-ATTR:host,omitempty"`
	InstanceName   *string                `json:"OS-EXT-SRV-ATTR:instance_name,omitempty"`
	Hypervisor     **string               `json:"OS-EXT-SRV-ATTR:hypervisor_hostname,omitempty"`
	Hostname       *string                `json:"OS-EXT-SRV-ATTR:hostname,omitempty"`
	KernelID       *string                `json:"OS-EXT-SRV-ATTR:kernel_id,omitempty"`
	LaunchIndex    *int                   `json:"OS-EXT-SRV-ATTR:launch_index,omitempty"`
	RamdiskID      *string                `json:"OS-EXT-SRV-ATTR:ramdisk_id,omitempty"`
	ReservationID  *string                `json:"OS-EXT-SRV-ATTR:reservation_id,omitempty"`
	RootDevice     **string               `json:"OS-EXT-SRV-ATTR:root_device_name,omitempty"`
	UserData       **string               `json:"OS-EXT-SRV-ATTR:user_data,omitempty"`
	TaskState      *string                `json:"OS-EXT-STS:task_state"`
	VMState        string                 `json:"OS-EXT-STS:vm_state"`
	PowerState     int                    `json:"OS-EXT-STS:power_state"`
	Volumes        []struct{}             `json:"os-extended-volumes:volumes_attached"`
	Locked         *bool                  `json:"locked,omitempty"`
	HostStatus     *string                `json:"host_status,omitempty"`
	Description    **string               `json:"description,omitempty"`
	Tags           *[]string              `json:"tags,omitempty"`
	TrustedCerts   **string               `json:"trusted_image_certificates,omitempty"`
	ServerGroups   *[]string              `json:"server_groups,omitempty"`
	LockedReason   **string               `json:"locked_reason,omitempty"`
	PinnedAZ       **string               `json:"pinned_availability_zone,omitempty"`
	SchedulerHints *struct{}              `json:"scheduler_hints,omitempty"`
}

type floorAddr struct {
	Version int    `json:"version"`
	Addr    string `json:"addr"`
	Type    string `json:"OS-EXT-IPS:type"`
	MAC     string `json:"OS-EXT-IPS-MAC:mac_addr"`
}

type floorFlavor struct {
	ID           *string            `json:"id,omitempty"`
	Links        []floorLink        `json:"links,omitempty"`
	VCPUs        *int               `json:"vcpus,omitempty"`
	RAM          *int               `json:"ram,omitempty"`
	Disk         *int               `json:"disk,omitempty"`
	Ephemeral    *int               `json:"ephemeral,omitempty"`
	Swap         *int               `json:"swap,omitempty"`
	OriginalName *string            `json:"original_name,omitempty"`
	ExtraSpecs   *map[string]string `json:"extra_specs,omitempty"`
}

type floorImage struct {
	ID         string             `json:"id"`
	Links      []floorLink        `json:"links"`
	Properties *map[string]string `json:"properties,omitempty"`
}

type floorLink struct {
	Rel  string `json:"rel"`
	Href string `json:"href"`
}

type floorName struct {
	Name string `json:"name"`
}

// newFloorServer fills a floorServer from a view's members: each member
// decoded into its field (a member there as null into a pointer to a nil
// pointer), and one the struct lacks is an error.
func newFloorServer(tb testing.TB, members map[string]json.RawMessage) *floorServer {
	tb.Helper()
	srv := &floorServer{Volumes: []struct{}{}}
	v := reflect.ValueOf(srv).Elem()
	fields := map[string]reflect.Value{}
	for i := 0; i < v.NumField(); i++ {
		name, _, _ := strings.Cut(v.Type().Field(i).Tag.Get("json"), ",")
		fields[name] = v.Field(i)
	}
	for name, raw := range members {
		f, ok := fields[name]
		if !ok {
			tb.Fatalf("the floor has no member %q", name)
		}
		if f.Kind() == reflect.Pointer && f.Type().Elem().Kind() == reflect.Pointer {
			f.Set(reflect.New(f.Type().Elem()))
			if bytes.Equal(raw, []byte("null")) {
				continue
			}
			f = f.Elem()
		}
		if err := json.Unmarshal(raw, f.Addr().Interface()); err != nil {
			tb.Fatalf("member %q: %v", name, err)
		}
	}
	return srv
}
