// Package fakenova is a fake of OpenStack Nova's compute API for tests and
// local development: the remote consoles (the os-getVNCConsole action and
// its successors), the servers API and Nova's state machine, flavors, the
// console log (os-getConsoleOutput), answered as
// Nova answers them (paths, status codes, fault bodies, headers,
// microversions), from an in-memory state.Store. Where "the spec" (the
// original description of Nova's "Get console" call that novastub was
// built to) differs from Nova, the spec wins, and the code says so where it
// decides; "the seed file" is the JSON a stub starts from (state.Seed).
//
// In a test, Start runs it on 127.0.0.1 with a project, a host, a token and
// a devstack-like catalog (the image "cirros", the m1.* flavors, the
// network "private"), on a manual clock:
//
//	func TestConsole(t *testing.T) {
//		ts := fakenova.Start(t)
//		srv := ts.AddServer("web-1")
//		// point the code under test at ts.ComputeURL with ts.Token ...
//		ts.AssertCalled("getVNCConsole", 1)
//	}
//
// ts.State seeds and inspects the model; ts.AddFault makes calls fail
// (Fault, Faults.Sequence); ts.Journal tells what the fake received;
// ts.Advance moves the clock, so that servers build and tokens expire. A
// server's console log (State.ConsoleOutput, os-getConsoleOutput) is a
// boot log that grows as it builds and ends in a login prompt, or the text
// State.SetConsoleOutput sets.
//
// NewCloud is the whole fake cloud behind one handler, as the stub binary
// (examples/novastub) serves it: the compute API, and the identity, image
// and network services beside it, on one store, journal and set of fault
// rules. Start runs one.
//
// New returns the compute API alone as an http.Handler to mount anywhere:
//
//	nova := fakenova.New(fakenova.WithState(st))
//	mux.Handle("/compute/", http.StripPrefix("/compute", nova))
//
// Middleware puts the console calls in front of a handler that already
// speaks the Nova API, passing every other request through:
//
//	h := fakenova.Middleware(fakenova.WithServerSource(mine))(existing)
//
// NewServer serves a cloud as the stub binary does, safe for a developer's
// machine: timeouts, a connection cap, Nova's limits on a request's head,
// HTTP/1.1:
//
//	ln, _ := fakenova.Listen("127.0.0.1:8774")
//	srv := fakenova.NewServer(fakenova.NewCloud(opts...), fakenova.ServerConfig{})
//	go srv.Serve(ln) // srv.Shutdown(ctx) to stop
//
// WithRequestLog logs a line per request; WithCORS answers browser apps as
// Nova's [cors] section does.
//
// Each option documents its default. Operations lists the names of the
// calls, as fault rules and the journal use them; WithControlPlane adds the
// same tools over HTTP under /_novastub/ for tests in other languages. The
// fake identity service is in package identity, below this one.
package fakenova
