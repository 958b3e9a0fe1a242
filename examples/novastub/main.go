// Command novastub runs a fake OpenStack Nova on 127.0.0.1 for local
// development: a cloud with a project, a token and servers whose consoles
// an app, a browser or a non-Go test suite can ask for. A fake Keystone v3
// on the same port, under /identity, logs the seed's users in by username
// and password, so OpenStack clients configured with an auth URL work too.
//
//	go run ./examples/novastub                      # the demo cloud on 127.0.0.1:8774
//	go run ./examples/novastub -listen 127.0.0.1:0  # any free port
//	go run ./examples/novastub -seed cloud.json     # your own seed file
//	go run ./examples/novastub -state cloud.state   # keep the cloud across restarts
//	go run ./examples/novastub -control-token s3cr3t # choose the control plane's token
//	go run ./examples/novastub -external-url https://stub.example  # behind a proxy
//	NOVASTUB_LISTEN=127.0.0.1:9000 go run ./examples/novastub    # any flag from the environment
//
// Beside the compute API it serves the identity service under /identity,
// the console pages its console URLs open, and the control plane under
// /_novastub/ (faults, journal, clock, state), on the wall clock that the
// control plane can move forward.
//
// It prints what it serves, a curl line that gets a console, how to log in
// with a password and the control plane's token (random unless given),
// then "listening on http://HOST:PORT" once it accepts connections; it logs
// a line per request on stderr (-quiet: none, -log-format json: JSON), and
// exits cleanly on SIGINT or SIGTERM. With -state FILE the whole model
// is kept in FILE: every change is written there before it is answered,
// and the stub starts from FILE when it exists (from the seed when it does
// not); a FILE it cannot read stops it with an error that says where.
// Every flag can also come from the
// environment, NOVASTUB_ and its name in capitals (NOVASTUB_SEED); a flag
// given wins.
package main

import (
	"context"
	_ "embed"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
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
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	switch {
	case errors.Is(err, flag.ErrHelp):
		os.Exit(0) // -h asked for the usage, which was printed
	case err != nil:
		fmt.Fprintln(os.Stderr, "novastub:", err)
		os.Exit(2)
	}
}

// memoryLimit is the Go runtime's soft memory limit for the stub, unless
// GOMEMLIMIT sets another.
const memoryLimit = 192 << 20

// envPrefix prefixes the environment variables that set flags:
// NOVASTUB_LISTEN for -listen, NOVASTUB_CONTROL_TOKEN for -control-token.
const envPrefix = "NOVASTUB_"

// run serves until ctx is done. It is main without the process around it,
// so that tests can run the stub in process.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return runEnv(ctx, args, os.LookupEnv, stdout, stderr)
}

// runEnv is run with the environment given as a lookup function.
func runEnv(ctx context.Context, args []string, env func(string) (string, bool), stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("novastub", flag.ContinueOnError)
	fs.SetOutput(stderr)
	listen := fs.String("listen", "127.0.0.1:8774", "address to listen on; port 0 picks a free one")
	seedFile := fs.String("seed", "", "seed file (JSON) to start from instead of the demo cloud")
	stateFile := fs.String("state", "", "state file that keeps the cloud across restarts: every change is written to it before its answer; when it exists the stub starts from it, not from the seed")
	stateSync := fs.String("state-sync", state.DefaultSync.String(), "when the state file is flushed to disk (what survives power loss; a kill survives anyway): always (each change, before its answer), a duration (at most that much is lost) or never (the OS decides)")
	controlToken := fs.String("control-token", "", "token the control plane (/_novastub/) requires; empty: a random one, printed; \"none\": none (loopback only)")
	externalURL := fs.String("external-url", "", "URL clients reach the stub at (behind a proxy), for links, the catalog and console URLs; empty: each request's host")
	maxConsoles := fs.Int("max-console-tokens", state.DefaultMaxConsoleTokens, "console tokens kept at once (about 150 bytes each); past it the oldest is evicted before its TTL, and logged")
	maxConns := fs.Int("max-connections", fakenova.DefaultMaxConnections, "connections open at once; past it idle ones make room, else a 503")
	logFormat := fs.String("log-format", "text", "log format on stderr: text or json")
	quiet := fs.Bool("quiet", false, "no log line per request (warnings and errors still)")
	tlsCert := fs.String("tls-cert", "", "TLS certificate (PEM) to serve HTTPS with; needs -tls-key")
	tlsKey := fs.String("tls-key", "", "TLS private key (PEM) for -tls-cert")
	corsOrigins := fs.String("cors-origin", "", "origins allowed to call the APIs from a browser (CORS), comma-separated, or *; empty: none")
	showVersion := fs.Bool("version", false, "print the version and exit")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: novastub [flags]\n\nA fake OpenStack cloud (Nova, Keystone, Glance, Neutron, consoles) for development and tests.\n"+
			"Every flag can also be set by an environment variable, %sNAME (-max-console-tokens: %sMAX_CONSOLE_TOKENS); a flag given wins.\n\n", envPrefix, envPrefix)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := flagsFromEnv(fs, env); err != nil {
		return err
	}
	if *showVersion {
		fmt.Fprintln(stdout, "novastub", fakenova.Version())
		return nil
	}
	if (*tlsCert == "") != (*tlsKey == "") {
		return errors.New("-tls-cert and -tls-key go together")
	}
	var handler slog.Handler
	switch *logFormat {
	case "text":
		handler = slog.NewTextHandler(stderr, nil)
	case "json":
		handler = slog.NewJSONHandler(stderr, nil)
	default:
		return fmt.Errorf("-log-format %q: text or json", *logFormat)
	}
	logger := slog.New(handler)
	if _, set := env("GOMEMLIMIT"); !set {
		// Keep the heap's slack small: at its bounds the stub's live data
		// is about 100 MiB, which the default GC would let double.
		debug.SetMemoryLimit(memoryLimit)
	}
	token, generated, err := fakenova.ControlToken(*controlToken, *listen)
	if err != nil {
		return fmt.Errorf("-control-token=%s with -listen %s: %w", *controlToken, *listen, err)
	}
	seed, err := loadSeed(*seedFile)
	if err != nil {
		return err
	}
	// The wall clock, which the control plane can also move forward.
	store, err := openStore(*stateFile, *stateSync, seed, seedName(*seedFile),
		state.WithClock(state.NewOffsetClock()), state.WithMaxConsoleTokens(*maxConsoles), state.WithLogger(logger))
	if err != nil {
		return err
	}
	defer func() {
		if err := store.Close(); err != nil {
			logger.Error("closing the state file", "err", err)
		}
	}()

	ln, err := fakenova.Listen(*listen)
	if err != nil {
		return err
	}
	scheme := "http://"
	if *tlsCert != "" {
		scheme = "https://"
	}
	base := scheme + ln.Addr().String()
	listening := base
	if *externalURL != "" {
		base = strings.TrimRight(*externalURL, "/")
	}
	if warning := fakenova.ListenWarning(*listen); warning != "" {
		logger.Warn(warning)
	}
	opts := []fakenova.Option{
		fakenova.WithState(store),
		fakenova.WithLogger(logger),
		// Console URLs lead to the stub's own console pages.
		fakenova.WithConsolesServedHere(),
		// The control plane under /_novastub/, for tests in any language.
		fakenova.WithControlPlane(fakenova.ControlPlane{Token: token, Seed: seed}),
	}
	if !*quiet {
		opts = append(opts, fakenova.WithRequestLog(logger))
	}
	if *corsOrigins != "" {
		opts = append(opts, fakenova.WithCORS(strings.Split(*corsOrigins, ",")...))
	}
	if *externalURL != "" {
		// Links, the catalog, the 401s and the console URLs name the
		// external URL, not the request's host.
		opts = append(opts, fakenova.WithExternalURL(base))
	}
	cloud := fakenova.NewCloud(opts...)
	defer cloud.Close() // after Shutdown: the open consoles (WebSockets) end
	srv := fakenova.NewServer(cloud, fakenova.ServerConfig{MaxConnections: *maxConns, Logger: logger})

	printSummary(stdout, store, base)
	fmt.Fprintf(stdout, "control plane (faults, journal, clock, state): %s%s\n", base, fakenova.ControlPlanePrefix)
	switch {
	case generated:
		fmt.Fprintf(stdout, "  control token %s (generated; choose one with -control-token)\n", token)
	case token == "":
		fmt.Fprintln(stdout, "  no control token (-control-token=none): loopback only")
	}
	if *stateFile != "" {
		fmt.Fprintf(stdout, "state file %s (-state-sync %s)\n", *stateFile, *stateSync)
	}
	fmt.Fprintf(stdout, "listening on %s\n", listening)

	errc := make(chan error, 1)
	go func() {
		if *tlsCert != "" {
			errc <- srv.ServeTLS(ln, *tlsCert, *tlsKey)
			return
		}
		errc <- srv.Serve(ln)
	}()
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

// flagsFromEnv sets each flag not given on the command line from its
// environment variable, NOVASTUB_ and the flag's name in capitals with
// "-" as "_".
func flagsFromEnv(fs *flag.FlagSet, env func(string) (string, bool)) error {
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		name := envPrefix + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		v, ok := env(name)
		if given[f.Name] || !ok || err != nil {
			return
		}
		if serr := fs.Set(f.Name, v); serr != nil {
			err = fmt.Errorf("%s=%q: %w", name, v, serr)
		}
	})
	return err
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

// openStore returns the store: kept in the state file at path (Open) when
// one is given, else in memory, loaded from seed.
func openStore(path, sync string, seed *state.Seed, seedName string, opts ...state.Option) (*state.Store, error) {
	if path == "" {
		store := state.New(opts...)
		if err := store.Load(seed); err != nil {
			return nil, fmt.Errorf("seed %s: %w", seedName, err)
		}
		return store, nil
	}
	policy, err := state.ParseSyncPolicy(sync)
	if err != nil {
		return nil, fmt.Errorf("-state-sync: %w", err)
	}
	store, err := state.Open(path, seed, append(opts, state.WithSync(policy))...)
	var fileErr *state.FileError
	var invalid *state.InvalidError
	switch {
	case errors.As(err, &fileErr):
		return nil, err // it names the file, the line and the offset
	case errors.As(err, &invalid):
		return nil, fmt.Errorf("seed %s: %w", seedName, err)
	case err != nil:
		return nil, fmt.Errorf("-state %s: %w", path, err)
	}
	return store, nil
}

func seedName(path string) string {
	if path == "" {
		return "(demo)"
	}
	return path
}
