// Package state is the domain model behind novastub: projects, compute hosts,
// servers with Nova's vm_state/task_state machine, console tokens and the
// credentials of the fake identity service, all held in memory by a [Store]
// that is safe for concurrent use.
//
// Nothing here speaks HTTP or Nova's JSON; package fakenova puts the wire on
// top. Tests seed and change the model directly:
//
//	clock := state.NewManualClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
//	st := state.New(state.WithClock(clock))
//	project, _ := st.AddProject(state.Project{ID: "1ab83fbf1b594600bfa618dc33694dd6", Name: "demo"})
//	_ = st.AddHost(state.Host{Name: "compute-1"})
//	srv, _ := st.AddServer(state.Server{Name: "vm1", ProjectID: project.ID, Host: "compute-1"})
//	tok, _ := st.CreateConsole(state.ConsoleRequest{ProjectID: project.ID, ServerID: srv.ID,
//		Type: state.ConsoleNoVNC})
//	clock.Advance(10 * time.Minute) // tok has expired now: st.ConsoleToken(tok.Token) fails.
//
// (ExampleStore_CreateConsole runs this.) Each server has a console log
// (Store.ConsoleOutput): a boot log that grows on the clock as the server
// builds, reboots or stops, or a text Store.SetConsoleOutput sets. A seed
// file describes the whole
// model as JSON; ReadSeedFile and Store.Load read it, Store.Snapshot writes
// it back.
//
// A store can outlive its process: Open keeps it in a state file, where
// every change is written before the call that makes it returns (so an
// acknowledged change survives kill -9; WithSync says what survives power
// loss), and reads the file back when it exists (ExampleOpen). The file is
// a snapshot of the model followed by a log of changes, one JSON record a
// line, each with its CRC-32C; it is compacted as it grows. A last record
// cut short is dropped with a warning; any other damage is a *FileError
// naming the line and byte offset, and Open fails.
//
// Errors are typed: test them with errors.Is against [ErrNotFound],
// [ErrNotReady], [ErrInvalidState], [ErrConsoleUnavailable] and
// [ErrNotImplemented], or with errors.As for the details.
package state
