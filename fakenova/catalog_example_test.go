package fakenova_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/novastub/novastub/fakenova"
	"github.com/novastub/novastub/state"
)

// A server's console log grows as it boots on the fake's clock and ends
// in a login prompt: code that waits for a server to boot can be tested
// without sleeping.
func ExampleTest_consoleOutput() {
	t := &exampleT{}
	defer t.done()
	clock := state.NewManualClock(time.Date(2027, 1, 2, 3, 4, 5, 0, time.UTC))
	ts := fakenova.Start(t, fakenova.WithState(state.New(state.WithClock(clock))))

	_, body := apiCall(ts, http.MethodPost, "/v2.1/servers", `{"server": {"name": "web-1", "imageRef": "`+
		fakenova.TestImageID+`", "flavorRef": "`+fakenova.TestFlavorID+`", "networks": [{"uuid": "`+fakenova.TestNetworkID+`"}]}}`)
	var created struct{ Server struct{ ID string } }
	_ = json.Unmarshal([]byte(body), &created)
	// The last line: length 2, as a log that ends in a newline has an
	// empty last line (Nova's _tail_log).
	lastLine := func() string {
		resp, body := apiCall(ts, http.MethodPost, "/v2.1/servers/"+created.Server.ID+"/action",
			`{"os-getConsoleOutput": {"length": 2}}`)
		if resp.StatusCode != http.StatusOK {
			return resp.Status
		}
		var out struct{ Output string }
		_ = json.Unmarshal([]byte(body), &out)
		return fmt.Sprintf("%q", out.Output)
	}

	fmt.Println(lastLine()) // scheduling: no host, no console yet
	for i := 0; i < 6; i++ {
		ts.Advance(time.Second)
		fmt.Println(lastLine())
	}
	all, _ := ts.State.ConsoleOutput(created.Server.ID)
	fmt.Println(strings.Contains(all, "Linux version"), strings.Count(all, "\n"))
	// Output:
	// 409 Conflict
	// "SeaBIOS (version 1.16.3-debian-1.16.3-2)\n"
	// "[    1.000000] EXT4-fs (vda1): mounted filesystem with ordered data mode. Quota mode: none.\n"
	// "cloud-init[412]: Cloud-init v. 22.4.2 running 'init' at Sat, 02 Jan 2027 03:04:08 +0000. Up 2.00 seconds.\n"
	// "[  OK  ] Started OpenBSD Secure Shell server.\n"
	// "cloud-init[530]: Cloud-init v. 22.4.2 running 'modules:config' at Sat, 02 Jan 2027 03:04:09 +0000. Up 3.50 seconds.\n"
	// "\nweb-1 login: "
	// true 24
}

// Start's cloud has Nova's classic flavors, which the flavors API lists as
// Nova does.
func ExampleTest_flavors() {
	t := &exampleT{}
	defer t.done()
	ts := fakenova.Start(t)

	_, body := apiCall(ts, http.MethodGet, "/v2.1/flavors/detail?minRam=4096", "")
	var out struct {
		Flavors []struct {
			ID, Name   string
			RAM, VCPUs int
		}
	}
	_ = json.Unmarshal([]byte(body), &out)
	for _, f := range out.Flavors {
		fmt.Println(f.ID, f.Name, f.RAM, f.VCPUs)
	}
	resp, body := apiCall(ts, http.MethodGet, "/v2.1/flavors/m1.tiny", "")
	fmt.Println(resp.StatusCode, body)
	// Output:
	// 3 m1.medium 4096 2
	// 4 m1.large 8192 4
	// 5 m1.xlarge 16384 8
	// 404 {"itemNotFound": {"message": "Flavor m1.tiny could not be found.", "code": 404}}
}
