package console

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/novastub/novastub/fakenova/console/guest"
	"github.com/novastub/novastub/state"
)

// ServerSource finds the servers whose consoles the proxy serves, by id.
// *state.Store is one, and so is fakenova.ServerSource: a team whose
// servers live elsewhere answers from its own data. An error matching
// state.ErrNotFound means the server is gone: a connection is refused, an
// open console is closed.
type ServerSource interface {
	LookupServer(ctx context.Context, id string) (state.Server, error)
}

// running is one server's guest while consoles show it: shared by every
// console of the server, as a VM's screen is, and kept in step with the
// server by a goroutine that polls the source.
type running struct {
	id      string
	host    string // the compute host the consoles connected to
	machine *guest.Machine
	refs    int           // sessions using it, under guests.mu
	idle    *time.Timer   // while no session uses it: when it is forgotten
	since   time.Time     // since when no session uses it
	gone    chan struct{} // closed when the server is deleted or leaves its host
	cancel  context.CancelFunc
	done    chan struct{} // closed when the follower has returned
}

// guests holds the running guests, one per server with an open console.
type guests struct {
	p  *Proxy
	mu sync.Mutex
	m  map[string]*running
	wg sync.WaitGroup // the followers
}

// acquire returns the guest of srv, as just looked up, starting it (and
// its follower) if no console shows it yet.
func (g *guests) acquire(srv state.Server) *running {
	g.mu.Lock()
	defer g.mu.Unlock()
	if r, ok := g.m[srv.ID]; ok && !isClosed(r.gone) && r.host == srv.Host {
		r.refs++
		if r.idle != nil {
			r.idle.Stop()
			r.idle = nil
		}
		r.machine.Update(srv)
		return r
	} else if ok {
		g.drop(r)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{
		id: srv.ID, host: srv.Host, refs: 1, gone: make(chan struct{}), cancel: cancel, done: make(chan struct{}),
		machine: guest.New(srv, guest.WithClock(g.p.clock), guest.WithScreenSize(g.p.width, g.p.height)),
	}
	g.m[srv.ID] = r
	g.wg.Add(1)
	go g.follow(ctx, r)
	return r
}

// release ends a session's use of r. The guest of the last one is kept
// for the retention time (its screen and its logged-in shells, as a VM
// keeps them when no viewer is connected), at most maxIdleGuests of them,
// then forgotten with its follower.
func (g *guests) release(r *running) {
	g.mu.Lock()
	defer g.mu.Unlock()
	r.refs--
	if r.refs > 0 {
		return
	}
	if isClosed(r.gone) || g.p.retention <= 0 || g.m[r.id] != r {
		g.drop(r)
		return
	}
	r.since = time.Now()
	r.idle = time.AfterFunc(g.p.retention, func() {
		g.mu.Lock()
		defer g.mu.Unlock()
		if r.refs == 0 {
			g.drop(r)
		}
	})
	var idle []*running
	for _, o := range g.m {
		if o.refs == 0 {
			idle = append(idle, o)
		}
	}
	if len(idle) > maxIdleGuests {
		oldest := idle[0]
		for _, o := range idle[1:] {
			if o.since.Before(oldest.since) {
				oldest = o
			}
		}
		g.drop(oldest)
	}
}

// maxIdleGuests bounds the guests kept with no session.
const maxIdleGuests = 256

// drop forgets r and stops its follower; g.mu is held.
func (g *guests) drop(r *running) {
	r.cancel()
	if r.idle != nil {
		r.idle.Stop()
		r.idle = nil
	}
	if g.m[r.id] == r {
		delete(g.m, r.id)
	}
}

// stop ends every follower and waits for them.
func (g *guests) stop() {
	g.mu.Lock()
	for _, r := range g.m {
		g.drop(r)
	}
	g.mu.Unlock()
	g.wg.Wait()
}

// follow polls the server every interval and shows what it does on its
// guest, until the last console closes or the server is gone: deleted
// (not found, vm_state deleted, or task_state deleting, when Nova's
// compute manager destroys the domain) or off its host (shelve offload,
// migration), when the consoles are closed as a proxy closes them when the
// VNC server goes away.
func (g *guests) follow(ctx context.Context, r *running) {
	defer g.wg.Done()
	defer close(r.done)
	t := time.NewTicker(g.p.pollInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		srv, err := g.p.servers.LookupServer(ctx, r.id)
		switch {
		case errors.Is(err, state.ErrNotFound):
		case err != nil:
			if ctx.Err() == nil {
				g.p.logger.Warn("console: looking up the server failed", "server", r.id, "err", err)
			}
			continue
		case srv.VMState != state.VMDeleted && srv.TaskState != state.TaskDeleting && srv.Host == r.host:
			r.machine.Update(srv)
			continue
		}
		close(r.gone)
		g.mu.Lock()
		if r.refs == 0 {
			g.drop(r)
		}
		g.mu.Unlock()
		return
	}
}

func isClosed(c <-chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}
