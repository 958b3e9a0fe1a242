package fakenova_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/novastub/novastub/fakenova"
	"github.com/novastub/novastub/state"
)

// Benchmarks of the calls of issue 10 through the whole stack, each
// beside a floor: a bare handler that makes the same JSON from the same
// data with encoding/json. The ratio is the cost of being Nova.
//
//	go test -run '^$' -bench 'Flavors|ServersDetailWithPorts|ConsoleOutput' -benchmem ./fakenova/

// runGet replays GET path with the test's token against h.
func runGet(b *testing.B, h http.Handler, path, token, version string) {
	b.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.Header.Set("X-Auth-Token", token)
	if version != "" {
		req.Header.Set("OpenStack-API-Version", "compute "+version)
	}
	w := &discardWriter{h: http.Header{}}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for k := range w.h {
			delete(w.h, k)
		}
		w.code = 0
		h.ServeHTTP(w, req)
		if w.code != http.StatusOK {
			b.Fatalf("status %d", w.code)
		}
	}
}

// BenchmarkListFlavorsDetail is GET /flavors/detail?is_public=None at 2.61
// (openstacksdk's flavors()): Start's five flavors, with extra specs.
func BenchmarkListFlavorsDetail(b *testing.B) {
	ts := fakenova.Start(b)
	runGet(b, ts.Nova, "/v2.1/flavors/detail?is_public=None", ts.Token, "2.61")
}

// BenchmarkListFlavorsDetailFloor makes the same five flavors' JSON.
func BenchmarkListFlavorsDetailFloor(b *testing.B) {
	ts := fakenova.Start(b)
	type link struct {
		Rel  string `json:"rel"`
		Href string `json:"href"`
	}
	type flavor struct {
		ID         string            `json:"id"`
		Name       string            `json:"name"`
		RAM        int               `json:"ram"`
		Disk       int               `json:"disk"`
		Swap       string            `json:"swap"`
		Ephemeral  int               `json:"OS-FLV-EXT-DATA:ephemeral"`
		Disabled   bool              `json:"OS-FLV-DISABLED:disabled"`
		VCPUs      int               `json:"vcpus"`
		Public     bool              `json:"os-flavor-access:is_public"`
		RXTX       float64           `json:"rxtx_factor"`
		Links      []link            `json:"links"`
		Desc       *string           `json:"description"`
		ExtraSpecs map[string]string `json:"extra_specs"`
	}
	st := ts.State
	floor := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		list := st.Flavors()
		out := make([]flavor, len(list))
		for i, f := range list {
			out[i] = flavor{ID: f.ID, Name: f.Name, RAM: f.RAM, Disk: f.Disk, VCPUs: f.VCPUs, Public: !f.Private,
				RXTX: f.RXTXFactor, ExtraSpecs: f.ExtraSpecs,
				Links: []link{{"self", "http://x/v2.1/flavors/" + f.ID}, {"bookmark", "http://x/flavors/" + f.ID}}}
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"flavors": out})
	})
	runGet(b, floor, "/v2.1/flavors/detail?is_public=None", ts.Token, "")
}

// BenchmarkListServersDetailWithPorts is GET /servers/detail at 2.73
// (openstacksdk's servers()) for 20 servers, each with a port: the views
// with their flavor, image and addresses.
func BenchmarkListServersDetailWithPorts(b *testing.B) {
	ts := serversWithPorts(b, 20)
	runGet(b, ts.Nova, "/v2.1/servers/detail", ts.Token, "2.73")
}

// BenchmarkListServersDetailWithPortsFloor reads the same 20 servers and
// their addresses from the store and encodes a view of about the same
// size with encoding/json.
func BenchmarkListServersDetailWithPortsFloor(b *testing.B) {
	ts := serversWithPorts(b, 20)
	st := ts.State
	floor := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		servers, _ := st.ListServers(state.ServerFilter{ProjectID: ts.ProjectID, Limit: 1000})
		out := make([]map[string]any, len(servers))
		for i, s := range servers {
			out[i] = map[string]any{"id": s.ID, "name": s.Name, "status": s.Status(), "tenant_id": s.ProjectID,
				"user_id": s.UserID, "hostId": s.Host, "created": s.Created, "updated": s.Updated,
				"addresses": st.ServerAddresses(s.ID), "flavor": map[string]any{"id": s.FlavorID},
				"image": map[string]any{"id": s.ImageID}, "links": []string{"http://x/v2.1/servers/" + s.ID, "http://x/servers/" + s.ID},
				"OS-EXT-STS:vm_state": s.VMState, "OS-EXT-STS:task_state": s.TaskState, "OS-EXT-STS:power_state": s.PowerState,
				"metadata": map[string]string{}, "security_groups": []map[string]string{{"name": "default"}}}
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"servers": out})
	})
	runGet(b, floor, "/v2.1/servers/detail", ts.Token, "")
}

func serversWithPorts(b testing.TB, n int) *fakenova.Test {
	b.Helper()
	ts := fakenova.Start(b)
	for i := 0; i < n; i++ {
		srv, err := ts.State.AddServer(state.Server{Name: "vm", ProjectID: ts.ProjectID, Host: fakenova.TestHost,
			ImageID: fakenova.TestImageID})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := ts.State.AllocatePorts(srv.ID, state.Viewer{ProjectID: ts.ProjectID},
			[]state.NetworkRequest{{NetworkID: fakenova.TestNetworkID}}); err != nil {
			b.Fatal(err)
		}
	}
	return ts
}

// BenchmarkGetConsoleOutput is os-getConsoleOutput of a booted server's
// generated log (about 2 KiB), the last 50 lines.
func BenchmarkGetConsoleOutput(b *testing.B) {
	ts := serversWithPorts(b, 1)
	srv := ts.State.Servers()[0]
	h := newBenchHarnessBody("/v2.1/"+ts.ProjectID+"/servers/"+srv.ID+"/action", ts.Token, `{"os-getConsoleOutput": {"length": 50}}`)
	h.run(b, ts.Nova)
}

// BenchmarkGetConsoleOutputFloor reads the same log from the store and
// encodes it with encoding/json.
func BenchmarkGetConsoleOutputFloor(b *testing.B) {
	ts := serversWithPorts(b, 1)
	st := ts.State
	srv := st.Servers()[0]
	floor := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Args struct {
				Length *int `json:"length"`
			} `json:"os-getConsoleOutput"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		out, _ := st.ConsoleOutput(srv.ID)
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{"output": out})
	})
	h := newBenchHarnessBody("/v2.1/"+ts.ProjectID+"/servers/"+srv.ID+"/action", ts.Token, `{"os-getConsoleOutput": {"length": 50}}`)
	h.run(b, floor)
}
