package network_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/novastub/novastub/fakenova/network"
	"github.com/novastub/novastub/state"
)

// The network service under /networking: a network with a subnet, and a
// port Nova's side gave a server, found by its device_id.
func Example() {
	store := state.New()
	const demo = "1ab83fbf1b594600bfa618dc33694dd6"
	_, _ = store.AddProject(state.Project{ID: demo, Name: "demo"})
	_ = store.AddToken(state.AuthToken{Token: "secret", ProjectID: demo})
	n, _ := store.AddNetwork(state.Network{Name: "private", ProjectID: demo})
	_, _ = store.AddSubnet(state.Subnet{NetworkID: n.ID, Name: "private-subnet", CIDR: "10.0.0.0/26"})
	srv, _ := store.CreateServer(state.ServerRequest{Name: "vm1", ProjectID: demo,
		Networks: []state.NetworkRequest{{NetworkID: n.ID}}})

	mux := http.NewServeMux()
	mux.Handle("/networking/", http.StripPrefix("/networking", network.New(store)))
	ts := httptest.NewServer(mux)
	defer ts.Close()

	req, _ := http.NewRequest("GET", ts.URL+"/networking/v2.0/ports?device_id="+srv.ID+"&fields=fixed_ips", nil)
	req.Header.Set("X-Auth-Token", "secret")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.Status)
	fmt.Println(string(body)[:38])
	// Output:
	// 200 OK
	// {"ports":[{"fixed_ips":[{"subnet_id":"
}
