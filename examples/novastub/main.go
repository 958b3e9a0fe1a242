// Command novastub runs a fake OpenStack Nova on 127.0.0.1 for local
// development: a cloud with a project, a token and servers whose consoles
// an app, a browser or a non-Go test suite can ask for.
//
//	go run ./examples/novastub                      # the demo cloud on 127.0.0.1:8774
//	go run ./examples/novastub -listen 127.0.0.1:0  # any free port
//	go run ./examples/novastub -seed cloud.json     # your own seed file
//
// It prints what it serves and a curl line that gets a console, then
// "listening on http://HOST:PORT" once it accepts connections, and exits
// cleanly on SIGINT or SIGTERM.
package main

import (
	"context"
	_ "embed"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/novastub/novastub/fakenova"
	"github.com/novastub/novastub/state"
)

//go:embed demo.json
var demoSeed []byte

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "novastub:", err)
		}
		os.Exit(2)
	}
}

// run serves until ctx is done. It is main without the process around it,
// so that tests can run the stub in process.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("novastub", flag.ContinueOnError)
	fs.SetOutput(stderr)
	listen := fs.String("listen", "127.0.0.1:8774", "address to listen on; port 0 picks a free one")
	seedFile := fs.String("seed", "", "seed file (JSON) to start from instead of the demo cloud")
	if err := fs.Parse(args); err != nil {
		return err
	}
	seed, err := loadSeed(*seedFile)
	if err != nil {
		return err
	}
	store := state.New()
	if err := store.Load(seed); err != nil {
		return fmt.Errorf("seed %s: %w", seedName(*seedFile), err)
	}

	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return err
	}
	base := "http://" + ln.Addr().String()
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	nova := fakenova.New(
		fakenova.WithState(store),
		fakenova.WithLogger(logger),
		// Console URLs lead to the stub's own console page.
		fakenova.WithConsoleURL(state.ConsoleNoVNC, base+"/vnc_auto.html", fakenova.TokenQuery),
		fakenova.WithConsoleURL(state.ConsoleXVPVNC, base+"/console", fakenova.TokenQuery),
	)
	mux := http.NewServeMux()
	page := fakenova.ConsolePage(store)
	mux.Handle("/vnc_auto.html", page)
	mux.Handle("/console", page)
	mux.Handle("/", nova)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}

	printSummary(stdout, store, base)
	fmt.Fprintf(stdout, "listening on %s\n", base)

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "novastub: stopped")
	return nil
}

func loadSeed(path string) (*state.Seed, error) {
	if path == "" {
		return state.ParseSeed(demoSeed)
	}
	seed, err := state.ReadSeedFile(path)
	if err != nil {
		return nil, fmt.Errorf("seed %s: %w", path, err)
	}
	return seed, nil
}

func seedName(path string) string {
	if path == "" {
		return "(demo)"
	}
	return path
}

// printSummary shows the first token, its project and a server of that
// project whose console works, with a curl line that gets the console.
func printSummary(w io.Writer, store *state.Store, base string) {
	fmt.Fprintln(w, "novastub: a fake OpenStack Nova (remote consoles)")
	tokens := store.Tokens()
	if len(tokens) == 0 {
		fmt.Fprintln(w, "  (the seed has no tokens: add one to call the API)")
		return
	}
	tok := tokens[0]
	name := "(not in the seed: its calls get 409)"
	if p, err := store.Project(tok.ProjectID); err == nil {
		name = p.Name
	}
	fmt.Fprintf(w, "  project  %s %s\n", tok.ProjectID, name)
	fmt.Fprintf(w, "  token    %s\n", tok.Token)
	for _, srv := range store.Servers() {
		if srv.ProjectID != tok.ProjectID || srv.Host == "" || srv.Status() != "ACTIVE" {
			continue
		}
		if h, err := store.Host(srv.Host); err != nil || !h.Supports(state.ConsoleNoVNC) {
			continue
		}
		fmt.Fprintf(w, "  server   %s %s (%s)\n", srv.ID, srv.Name, srv.Status())
		fmt.Fprintln(w, "get a console:")
		fmt.Fprintf(w, "  curl -s -X POST -H 'X-Auth-Token: %s' -H 'Content-Type: application/json' -d '{\"os-getVNCConsole\": {\"type\": \"novnc\"}}' %s/v2/%s/servers/%s/action\n",
			tok.Token, base, tok.ProjectID, srv.ID)
		return
	}
}
