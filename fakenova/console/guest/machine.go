package guest

import (
	"strings"
	"sync"
	"time"

	"github.com/novastub/novastub/fakenova/console/rfb"
	"github.com/novastub/novastub/internal/guestos"
	"github.com/novastub/novastub/state"
)

// Defaults of a Machine's options.
const (
	// DefaultWidth and DefaultHeight are the VGA console's size in pixels:
	// 128 by 48 character cells.
	DefaultWidth, DefaultHeight = 1024, 768
	// maxWidth and maxHeight bound the console (RFB sizes are U16).
	maxWidth, maxHeight = 4096, 4096
)

// Power is what a guest's virtual CPU is doing, as its console shows it.
type Power int

// The guest's power states.
const (
	// Off: not running (SHUTOFF, SHELVED, ERROR, ...). The screen is dark,
	// input is lost, and the next start boots afresh.
	Off Power = iota
	// Running: the console is live.
	Running
	// Paused: the picture stays as it was and input is lost; unpause goes
	// on where it stopped.
	Paused
	// Suspended: the screen is dark and input is lost; resume brings back
	// the picture and the sessions as they were (the memory was saved).
	Suspended
)

// String names the power state.
func (p Power) String() string {
	return [...]string{"off", "running", "paused", "suspended"}[p]
}

// PowerOf says what a server's guest is doing, from its power_state (and
// its vm_state where the power_state does not tell).
func PowerOf(s state.Server) Power {
	switch {
	case s.VMState == state.VMPaused || s.PowerState == state.PowerPaused:
		return Paused
	case s.VMState == state.VMSuspended || s.PowerState == state.PowerSuspended:
		return Suspended
	case s.PowerState == state.PowerRunning:
		return Running
	case s.PowerState == state.PowerNoState &&
		(s.VMState == state.VMActive || s.VMState == state.VMRescued || s.VMState == state.VMResized):
		return Running
	}
	return Off
}

// rebooting reports whether a task_state is a reboot under way.
func rebooting(t state.TaskState) bool {
	switch t {
	case state.TaskRebooting, state.TaskRebootingHard, state.TaskRebootStarted, state.TaskRebootStartedHard,
		"reboot_pending", "reboot_pending_hard":
		return true
	}
	return false
}

// Machine is the fake guest of one server: its VGA text console (an
// rfb.Screen, with a keyboard per RFB session) and its serial port, each
// a terminal with a login prompt and a small shell. It follows the server
// it is given through Update: stop or shelve it and the screen goes dark,
// pause it and the picture freezes, start it and it boots again. It starts
// no goroutine; every method is safe for concurrent use.
type Machine struct {
	mu       sync.Mutex
	clock    state.Clock
	width    int
	height   int
	srv      state.Server
	hostname string
	power    Power
	reboot   bool      // a reboot is under way: the guest went down
	bootedAt time.Time // for uptime

	display *display
	vga     *tty
	serial  *tty
	changed chan struct{} // closed at the display's next change

	lines   map[*SerialConn]struct{}
	pending []byte // serial output of the operation under way
	backlog []byte // serial output no connection was there for
}

// Option configures a Machine.
type Option func(*Machine)

// WithClock sets the clock uptime and date read (the store's, so that a
// test's manual clock moves the guest's uptime). Default:
// state.SystemClock.
func WithClock(c state.Clock) Option {
	return func(m *Machine) {
		if c != nil {
			m.clock = c
		}
	}
}

// WithScreenSize sets the VGA console's size in pixels, cut to whole
// character cells (8 by 16), from 8x16 to 4096x4096. Default:
// DefaultWidth by DefaultHeight.
func WithScreenSize(width, height int) Option {
	return func(m *Machine) {
		m.width = min(max(width, CellWidth), maxWidth) / CellWidth * CellWidth
		m.height = min(max(height, CellHeight), maxHeight) / CellHeight * CellHeight
	}
}

// serialBacklog bounds the serial output kept while no one is connected,
// so that the first connection sees the boot and the login prompt.
const serialBacklog = 4 << 10

// serialQueue bounds the chunks queued for one serial connection; a
// connection that does not keep up loses output, as a serial line
// without flow control does.
const serialQueue = 256

// New returns the guest of srv. A server that is running (or paused, or
// suspended) has booted already: its consoles show the boot log and a
// login prompt, and its uptime counts from its launch.
func New(srv state.Server, opts ...Option) *Machine {
	m := &Machine{clock: state.SystemClock{}, width: DefaultWidth, height: DefaultHeight,
		changed: make(chan struct{}), lines: map[*SerialConn]struct{}{}}
	for _, o := range opts {
		o(m)
	}
	m.display = newDisplay(m.width/CellWidth, m.height/CellHeight)
	m.vga = &tty{m: m, name: "tty1", vt: true, out: m.display.write}
	m.serial = &tty{m: m, name: "ttyS0", out: func(p []byte) { m.pending = append(m.pending, p...) }}
	m.srv = srv
	m.hostname = hostnameOf(srv.Name, srv.ID)
	m.mu.Lock()
	defer m.mu.Unlock()
	m.power = PowerOf(srv)
	if m.power == Off {
		m.display.setDark(true)
	} else {
		m.boot(launchTime(srv, m.clock.Now()))
		m.display.setDark(m.power == Suspended)
	}
	m.flush()
	return m
}

// launchTime is when a running server's guest booted: its launch, else
// its creation, else now.
func launchTime(s state.Server, now time.Time) time.Time {
	for _, t := range []time.Time{s.LaunchedAt, s.Created} {
		if !t.IsZero() && !t.After(now) {
			return t
		}
	}
	return now
}

// Update follows the server: its power state, a reboot under way, and the
// status the next login banner shows.
func (m *Machine) Update(srv state.Server) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.srv = srv
	was, now := m.power, PowerOf(srv)
	m.power = now
	switch now {
	case Running:
		switch {
		case was == Off || (was == Running && m.reboot && !rebooting(srv.TaskState)):
			m.reboot = false
			m.boot(m.clock.Now())
		case was == Running && !m.reboot && rebooting(srv.TaskState):
			m.reboot = true
			for _, t := range []*tty{m.vga, m.serial} {
				t.write("\r\n[  OK  ] Reached target System Reboot.\r\nreboot: Restarting system\r\n")
				t.reset()
			}
		}
		m.display.setDark(false)
	case Paused:
		// The picture stays as it is.
	case Suspended:
		m.display.setDark(true)
	case Off:
		m.display.setDark(true)
		m.reboot = false
		m.vga.reset()
		m.serial.reset()
	}
	m.flush()
}

// boot starts the guest afresh: the boot log, then a getty on each
// terminal.
func (m *Machine) boot(at time.Time) {
	m.bootedAt = at
	m.display.clear()
	log := "[    0.000000] " + guestos.Banner + "\r\n" +
		"[    0.000000] Command line: " + guestos.CommandLine + "\r\n" +
		"[    1.048576] systemd[1]: Hostname set to <" + m.hostname + ">.\r\n" +
		"[  OK  ] Reached target Login Prompts.\r\n\r\n"
	for _, t := range []*tty{m.vga, m.serial} {
		t.reset()
		t.write(log)
		t.write(m.issue(t.name))
		t.prompt()
	}
}

// issue is what the getty of terminal name prints above its prompt: the
// system, as Debian's /etc/issue, then the server it is the console of.
func (m *Machine) issue(name string) string {
	s := m.srv
	var b strings.Builder
	b.WriteString(guestos.Issue(m.hostname, name) + "\r\n\r\n")
	for _, kv := range [][2]string{{"server", s.Name}, {"id", s.ID}, {"host", s.Host}, {"status", s.Status()}} {
		b.WriteString("  " + kv[0] + strings.Repeat(" ", 8-len(kv[0])) + printable(kv[1]) + "\r\n")
	}
	b.WriteString("\r\n")
	return b.String()
}

// printable replaces what a terminal would not show as text with '?',
// and bounds the length.
func printable(s string) string {
	if len(s) > 255 {
		s = s[:255]
	}
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e {
			return '?'
		}
		return r
	}, s)
}

// users counts the terminals with a shell.
func (m *Machine) users() int {
	n := 0
	for _, t := range []*tty{m.vga, m.serial} {
		if t.state == atShell {
			n++
		}
	}
	return n
}

// accepts reports whether the guest takes input now.
func (m *Machine) accepts() bool { return m.power == Running && !m.reboot }

// flush tells the screen's sessions about a change, and hands the serial
// output of the operation to the serial connections (or to the backlog
// when there are none). m.mu is held.
func (m *Machine) flush() {
	if m.display.dirty {
		m.display.dirty = false
		close(m.changed)
		m.changed = make(chan struct{})
	}
	if len(m.pending) == 0 {
		return
	}
	if len(m.lines) == 0 {
		m.backlog = append(m.backlog, m.pending...)
		if n := len(m.backlog); n > serialBacklog {
			m.backlog = append(m.backlog[:0], m.backlog[n-serialBacklog:]...)
		}
	} else {
		for l := range m.lines {
			select {
			case l.out <- append([]byte(nil), m.pending...):
			default:
			}
		}
	}
	m.pending = m.pending[:0]
}

// Power returns what the guest is doing.
func (m *Machine) Power() Power {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.power
}

// Text returns the VGA console's rows of text, trailing spaces cut: what a
// person reads on the screen (a dark screen still holds its text).
func (m *Machine) Text() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.display.text()
}

// Find returns the cell (column, row) where text first appears on the VGA
// console, or false.
func (m *Machine) Find(text string) (col, row int, ok bool) {
	for r, line := range m.Text() {
		if c := strings.Index(line, text); c >= 0 {
			return c, r, true
		}
	}
	return 0, 0, false
}

// Screen is the VGA console as an rfb.Screen.
func (m *Machine) Screen() rfb.Screen { return screen{m} }

// screen adapts the machine's display to rfb.Screen.
type screen struct{ m *Machine }

func (s screen) Size() (int, int)     { return s.m.width, s.m.height }
func (s screen) TileSize() (int, int) { return CellWidth, CellHeight }

func (s screen) Read(fn func(rfb.Frame)) {
	s.m.mu.Lock()
	defer s.m.mu.Unlock()
	fn(s.m.display)
}

func (s screen) Changed() <-chan struct{} {
	s.m.mu.Lock()
	defer s.m.mu.Unlock()
	return s.m.changed
}

// typeVGA takes what the VGA console's keyboard sends.
func (m *Machine) typeVGA(p []byte) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.accepts() {
		m.vga.input(p)
	}
	m.flush()
}
