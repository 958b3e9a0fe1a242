package fakenova_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/novastub/novastub/fakenova"
)

// apiCall sends one API request with the test's token and returns the
// answer with its body read.
func apiCall(ts *fakenova.Test, method, path, body string) (*http.Response, string) {
	req, err := http.NewRequest(method, ts.URL+path, strings.NewReader(body))
	if err != nil {
		panic(err)
	}
	req.Header.Set("X-Auth-Token", ts.Token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		panic(err)
	}
	return resp, string(raw)
}

// A fault rule makes the next console request of one server fail as a
// busy Nova does; the answer says which rule made it.
func ExampleFaults_Add() {
	t := &exampleT{} // in a test: ts := fakenova.Start(t)
	defer t.done()
	ts := fakenova.Start(t)
	srv := ts.AddServer("web-1")

	id, err := ts.Faults().Add(fakenova.Fault{Operation: "getVNCConsole", ServerID: srv.ID, Status: 503, Times: 1})
	if err != nil {
		panic(err)
	}
	console := `{"os-getVNCConsole": {"type": "novnc"}}`
	resp, body := apiCall(ts, http.MethodPost, "/v2.1/servers/"+srv.ID+"/action", console)
	fmt.Println(resp.StatusCode, resp.Header.Get(fakenova.HeaderInjected) == id)
	fmt.Println(body)

	// The rule fired its one time: the next request gets the console.
	resp, _ = apiCall(ts, http.MethodPost, "/v2.1/servers/"+srv.ID+"/action", console)
	fmt.Println(resp.StatusCode, resp.Header.Get(fakenova.HeaderInjected) == "")

	// A misspelt operation is an error, not a rule that never fires.
	_, err = ts.Faults().Add(fakenova.Fault{Operation: "getVncConsole", Status: 503})
	fmt.Println(errors.Is(err, fakenova.ErrUnknownOperation))
	// Output:
	// 503 true
	// {"serviceUnavailable": {"message": "The server is currently unavailable. Please try again at a later time.", "code": 503}}
	// 200 true
	// true
}

// A sequence: the first two console requests meet a 503, the third passes
// (a rule without a status), then the rules are used up.
func ExampleFaults_Sequence() {
	t := &exampleT{}
	defer t.done()
	ts := fakenova.Start(t)
	srv := ts.AddServer("web-1")

	_, err := ts.Faults().Sequence(
		fakenova.Fault{Operation: "getVNCConsole", Status: 503, Times: 1},
		fakenova.Fault{Operation: "getVNCConsole", Status: 503, Times: 1},
		fakenova.Fault{Operation: "getVNCConsole", Times: 1},
	)
	if err != nil {
		panic(err)
	}
	var codes []int
	for range 4 {
		resp, _ := apiCall(ts, http.MethodPost, "/v2.1/servers/"+srv.ID+"/action", `{"os-getVNCConsole": {"type": "novnc"}}`)
		codes = append(codes, resp.StatusCode)
	}
	fmt.Println(codes)
	fmt.Println(len(ts.Faults().List()), "rules left")
	for _, e := range ts.Journal().Entries(fakenova.Query{Operation: "getVNCConsole"}) {
		fmt.Println(e.Method, e.Status)
	}
	// Output:
	// [503 503 200 200]
	// 0 rules left
	// POST 503
	// POST 503
	// POST 200
	// POST 200
}

// The journal shows what the code under test sent; AssertCalled and
// LastBody check it. A wrong count fails the test (here, prints).
func ExampleTest_AssertCalled() {
	t := &exampleT{}
	defer t.done()
	ts := fakenova.Start(t)
	srv := ts.AddServer("web-1")

	for range 2 {
		apiCall(ts, http.MethodPost, "/v2.1/servers/"+srv.ID+"/action", `{"os-getVNCConsole": {"type": "novnc"}}`)
	}
	fmt.Println(ts.AssertCalled("getVNCConsole", 2))
	fmt.Println(ts.LastBody("getVNCConsole"))
	fmt.Println(ts.AssertCalled("getVNCConsole", 3))
	fmt.Println(ts.AssertCalled("stopServer", 0))
	// Output:
	// true
	// {"os-getVNCConsole": {"type": "novnc"}}
	// error: fakenova: getVNCConsole called 2 times, want 3
	// false
	// true
}

// Journal.Last is the latest request of an operation: what it was, how it
// went, and its body with the secrets blanked out.
func ExampleJournal_Last() {
	t := &exampleT{}
	defer t.done()
	ts := fakenova.Start(t)

	apiCall(ts, http.MethodPost, "/v2.1/servers", `{"server": {"name": "db", "imageRef": "0f6a2c1e-8b5d-4e7a-9c3f-1d2e3f4a5b6c", "flavorRef": "1", "adminPass": "s3cret"}}`)
	e, ok := ts.Journal().Last("createServer")
	fmt.Println(ok, e.Method, e.Path, e.Status, e.Microversion, e.ProjectID == ts.ProjectID)
	fmt.Println(e.Body)
	fmt.Println(e.Time.Equal(ts.Clock.Now()))
	// Output:
	// true POST /v2.1/servers 202 2.1 true
	// {"server": {"name": "db", "imageRef": "0f6a2c1e-8b5d-4e7a-9c3f-1d2e3f4a5b6c", "flavorRef": "1", "adminPass": "***"}}
	// true
}

// The fake's clock moves only when the test says: a new server builds for
// 6 s (1 s to schedule, 5 to spawn), then is ACTIVE. Nothing sleeps.
func ExampleTest_Advance() {
	t := &exampleT{}
	defer t.done()
	ts := fakenova.Start(t)

	_, body := apiCall(ts, http.MethodPost, "/v2.1/servers", `{"server": {"name": "web-1", "imageRef": "0f6a2c1e-8b5d-4e7a-9c3f-1d2e3f4a5b6c", "flavorRef": "1"}}`)
	var created struct{ Server struct{ ID string } }
	if err := json.Unmarshal([]byte(body), &created); err != nil {
		panic(err)
	}
	status := func() string {
		_, body := apiCall(ts, http.MethodGet, "/v2.1/servers/"+created.Server.ID, "")
		var out struct{ Server struct{ Status string } }
		if err := json.Unmarshal([]byte(body), &out); err != nil {
			panic(err)
		}
		return out.Server.Status
	}

	start := ts.Clock.Now()
	fmt.Println(status())
	ts.Advance(5 * time.Second)
	fmt.Println(status())
	now := ts.Advance(time.Second)
	fmt.Println(status(), now.Sub(start))
	// Output:
	// BUILD
	// BUILD
	// ACTIVE 6s
}

// A client with retry logic meets 503, 503, then Nova's answer, and
// succeeds on its third try.
func ExampleFaults_Sequence_retry() {
	t := &exampleT{}
	defer t.done()
	ts := fakenova.Start(t)
	srv := ts.AddServer("web-1")
	_, _ = ts.Faults().Sequence(
		fakenova.Fault{Operation: "getVNCConsole", Status: 503, Times: 1},
		fakenova.Fault{Operation: "getVNCConsole", Status: 503, Times: 1})

	// consoleURL is the code under test: it retries a 503 up to three times.
	consoleURL := func() (string, int, error) {
		for try := 1; ; try++ {
			resp, body := apiCall(ts, http.MethodPost, "/v2.1/servers/"+srv.ID+"/action", `{"os-getVNCConsole": {"type": "novnc"}}`)
			if resp.StatusCode == http.StatusServiceUnavailable && try < 3 {
				time.Sleep(time.Millisecond) // a real client backs off longer
				continue
			}
			if resp.StatusCode != http.StatusOK {
				return "", try, fmt.Errorf("status %d", resp.StatusCode)
			}
			var out struct{ Console struct{ URL string } }
			err := json.Unmarshal([]byte(body), &out)
			return out.Console.URL, try, err
		}
	}
	url, tries, err := consoleURL()
	fmt.Println(err, tries, strings.Contains(url, "/vnc_auto.html?token="))
	// Output: <nil> 3 true
}
