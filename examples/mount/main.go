// Command mount shows novastub mounted inside a server that already runs:
// an app's own mux keeps its routes, and the fake Nova answers under
// /compute, as a development portal or an integration-test harness would
// mount it.
package main

import (
	"fmt"
	"log"
	"net/http"
	"time"

	"github.com/novastub/novastub/fakenova"
	"github.com/novastub/novastub/state"
)

// newMux is the app's mux with the fake mounted under /compute.
func newMux(nova *fakenova.Nova) *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintln(w, "ok")
	})
	mux.Handle("/compute/", http.StripPrefix("/compute", nova))
	return mux
}

// seed gives the fake a project, a token and a server.
func seed(st *state.Store) error {
	return st.Load(&state.Seed{
		Projects: []state.Project{{ID: "1ab83fbf1b594600bfa618dc33694dd6", Name: "demo"}},
		Hosts:    []state.SeedHost{{Name: "compute-1"}},
		Tokens: []state.SeedToken{{Token: "50c17af54c154f528d135e7f74098cfd",
			ProjectID: "1ab83fbf1b594600bfa618dc33694dd6", Roles: []string{"member"}}},
		Servers: []state.SeedServer{{ID: "365313c5-5d0c-4c43-af05-16f765c0f2bc", Name: "vm1",
			ProjectID: "1ab83fbf1b594600bfa618dc33694dd6", Status: "ACTIVE"}},
	})
}

func main() {
	nova := fakenova.New()
	if err := seed(nova.State()); err != nil {
		log.Fatal(err)
	}
	srv := &http.Server{Addr: "127.0.0.1:8080", Handler: newMux(nova), ReadHeaderTimeout: 10 * time.Second}
	log.Printf("app on http://%s, fake Nova under http://%s/compute/v2.1/", srv.Addr, srv.Addr)
	log.Fatal(srv.ListenAndServe())
}
