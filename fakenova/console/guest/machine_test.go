package guest

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/novastub/novastub/fakenova/console/rfb"
	"github.com/novastub/novastub/state"
)

var t0 = time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)

func running(name string) state.Server {
	return state.Server{ID: "365313c5-5d0c-4c43-af05-16f765c0f2bc", Name: name, Host: "compute-1",
		VMState: state.VMActive, PowerState: state.PowerRunning, LaunchedAt: t0}
}

func newMachine(t *testing.T, srv state.Server) (*Machine, *state.ManualClock) {
	t.Helper()
	clock := state.NewManualClock(t0.Add(90 * time.Minute))
	return New(srv, WithClock(clock)), clock
}

// screenText is the VGA console's text, one string.
func screenText(m *Machine) string { return strings.Join(m.Text(), "\n") }

// lastLines returns the last non-empty rows of the VGA console.
func lastLines(m *Machine, n int) []string {
	rows := m.Text()
	end := len(rows)
	for end > 0 && rows[end-1] == "" {
		end--
	}
	return rows[max(0, end-n):end]
}

func TestBootShowsServerAndLogin(t *testing.T) {
	m, _ := newMachine(t, running("vm1"))
	text := screenText(m)
	assert.Contains(t, text, "Debian GNU/Linux 12 vm1 tty1\n\n  server  vm1\n")
	assert.Contains(t, text, "  server  vm1\n  id      365313c5-5d0c-4c43-af05-16f765c0f2bc\n  host    compute-1\n  status  ACTIVE")
	assert.Equal(t, []string{"vm1 login:"}, lastLines(m, 1))
	assert.Equal(t, Running, m.Power())
}

func TestLoginAndCommands(t *testing.T) {
	m, clock := newMachine(t, running("Web Server_1"))
	m.typeVGA([]byte("alice\r"))
	assert.Equal(t, []string{"web-server-1 login: alice", "Password:"}, lastLines(m, 2))
	m.typeVGA([]byte("s3cret"))
	assert.Equal(t, []string{"Password:"}, lastLines(m, 1), "the password is not echoed")
	m.typeVGA([]byte("\r"))
	assert.Equal(t, "alice@web-server-1:~$", lastLines(m, 1)[0])

	for cmd, want := range map[string]string{
		"hostname":     "web-server-1",
		"whoami":       "alice",
		"uname":        "Linux",
		"uname -a":     "Linux web-server-1 6.1.0-28-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.1.119-1 (2024-11-22) x86_64 GNU/Linux",
		"uname -rs":    "Linux 6.1.0-28-amd64",
		"uname -mpi":   "x86_64 unknown unknown",
		"uptime":       " 06:36:07 up  1:30,  1 user,  load average: 0.00, 0.00, 0.00",
		"uptime -p":    "up 1 hour, 30 minutes",
		"id":           "uid=1000(alice) gid=1000(alice) groups=1000(alice)",
		"date":         "Wed Mar  4 06:36:07 UTC 2026",
		"tty":          "/dev/tty1",
		"pwd":          "/home/alice",
		"echo  a   b ": "a b",
		"frobnicate":   "-bash: frobnicate: command not found",
	} {
		m.typeVGA([]byte(cmd + "\r"))
		assert.Equal(t, []string{strings.TrimRight("alice@web-server-1:~$ "+cmd, " "), want, "alice@web-server-1:~$"},
			lastLines(m, 3), cmd)
	}
	clock.Advance(2*24*time.Hour + 5*time.Minute)
	m.typeVGA([]byte("uptime\r"))
	assert.Equal(t, " 06:41:07 up 2 days,  1:35,  1 user,  load average: 0.00, 0.00, 0.00", lastLines(m, 2)[0])

	m.typeVGA([]byte("clear\r"))
	assert.Equal(t, []string{"alice@web-server-1:~$"}, lastLines(m, 5))
	m.typeVGA([]byte("exit\r"))
	assert.Equal(t, "web-server-1 login:", lastLines(m, 1)[0])
	assert.Contains(t, screenText(m), "status  ACTIVE", "a new getty prints the issue again")
}

func TestLineEditing(t *testing.T) {
	m, _ := newMachine(t, running("vm1"))
	m.typeVGA([]byte("roox\x7ft"))
	assert.Equal(t, "vm1 login: root", lastLines(m, 1)[0])
	m.typeVGA([]byte("\r\x03"))
	assert.Equal(t, []string{"Password: ^C", "vm1 login:"}, lastLines(m, 2), "^C at the password goes back to the login")
	m.typeVGA([]byte("root\r\r"))
	m.typeVGA([]byte("echo hello\x15whoami\r"))
	assert.Equal(t, []string{"root@vm1:~# whoami", "root", "root@vm1:~#"}, lastLines(m, 3))
	m.typeVGA([]byte(strings.Repeat("x", 400)))
	assert.Equal(t, []string{"root@vm1:~# " + strings.Repeat("x", 116), strings.Repeat("x", 128), strings.Repeat("x", 11)},
		lastLines(m, 3), "the line wraps, and stops at 255 characters")
	m.typeVGA([]byte("\x03\x04"))
	assert.Equal(t, "vm1 login:", lastLines(m, 1)[0], "^D logs out")
	assert.True(t, strings.HasPrefix(screenText(m), "Debian GNU/Linux 12 vm1 tty1"), "the VT's getty cleared the screen")
}

func TestScrollsWhenFull(t *testing.T) {
	m, _ := newMachine(t, running("vm1"))
	m.typeVGA([]byte("root\r\r"))
	for i := 0; i < 60; i++ {
		m.typeVGA([]byte("echo line" + string(rune('A'+i%26)) + "\r"))
	}
	rows := m.Text()
	assert.Equal(t, "root@vm1:~#", rows[len(rows)-1])
	assert.Equal(t, "line"+string(rune('A'+59%26)), rows[len(rows)-2])
	assert.NotContains(t, strings.Join(rows, "\n"), "Linux version", "the boot log scrolled away")
}

func TestFollowsPower(t *testing.T) {
	srv := running("vm1")
	m, clock := newMachine(t, srv)
	m.typeVGA([]byte("root\r\r"))
	ch := m.Screen().Changed()
	sigs := func() []uint64 {
		s := make([]uint64, 128*48)
		m.Screen().Read(func(f rfb.Frame) { f.Signatures(s) })
		return s
	}
	dark := make([]uint64, 128*48)

	// Pause: the picture stays, input is lost.
	srv.VMState, srv.PowerState = state.VMPaused, state.PowerPaused
	m.Update(srv)
	before := sigs()
	m.typeVGA([]byte("whoami\r"))
	assert.Equal(t, before, sigs())
	assert.Equal(t, Paused, m.Power())

	// Unpause: on where it stopped.
	srv.VMState, srv.PowerState = state.VMActive, state.PowerRunning
	m.Update(srv)
	m.typeVGA([]byte("whoami\r"))
	assert.Equal(t, []string{"root", "root@vm1:~#"}, lastLines(m, 2))

	// Suspend: dark; resume: the shell is back.
	srv.VMState, srv.PowerState = state.VMSuspended, state.PowerSuspended
	m.Update(srv)
	assert.Equal(t, dark, sigs())
	select {
	case <-ch:
	default:
		t.Fatal("the sessions were not told")
	}
	srv.VMState, srv.PowerState = state.VMActive, state.PowerRunning
	m.Update(srv)
	assert.Equal(t, "root@vm1:~#", lastLines(m, 1)[0])

	// Stop: dark; start: a new boot, logged out, uptime from zero.
	srv.VMState, srv.PowerState = state.VMStopped, state.PowerShutdown
	m.Update(srv)
	assert.Equal(t, dark, sigs())
	m.typeVGA([]byte("x"))
	clock.Advance(time.Minute)
	srv.VMState, srv.PowerState = state.VMActive, state.PowerRunning
	m.Update(srv)
	assert.Contains(t, screenText(m), "Linux version")
	assert.Equal(t, "vm1 login:", lastLines(m, 1)[0])
	clock.Advance(3 * time.Minute)
	m.typeVGA([]byte("root\r\ruptime\r"))
	assert.Contains(t, lastLines(m, 2)[0], "up 3 min,")

	// Reboot: the guest goes down, then boots when the task is done.
	srv.TaskState = state.TaskRebooting
	m.Update(srv)
	assert.Equal(t, "reboot: Restarting system", lastLines(m, 1)[0])
	m.typeVGA([]byte("ignored"))
	assert.Equal(t, "reboot: Restarting system", lastLines(m, 1)[0])
	srv.TaskState = state.TaskNone
	m.Update(srv)
	assert.Equal(t, "vm1 login:", lastLines(m, 1)[0])
}

func TestStartsDarkWhenOff(t *testing.T) {
	srv := running("vm1")
	srv.VMState, srv.PowerState = state.VMStopped, state.PowerShutdown
	m, _ := newMachine(t, srv)
	assert.Equal(t, Off, m.Power())
	sigs := make([]uint64, 128*48)
	m.Screen().Read(func(f rfb.Frame) { f.Signatures(sigs) })
	assert.Equal(t, make([]uint64, 128*48), sigs)
	c := m.AttachSerial()
	defer c.Close()
	select {
	case b := <-c.Output():
		t.Fatalf("a stopped guest wrote %q", b)
	default:
	}
}

func TestSerial(t *testing.T) {
	m, _ := newMachine(t, running("vm1"))
	c := m.AttachSerial()
	boot := string(<-c.Output())
	assert.Contains(t, boot, "[    0.000000] Linux version 6.1.0-28-amd64 (debian-kernel@lists.debian.org)")
	assert.Contains(t, boot, "vm1 ttyS0\r\n\r\n  server  vm1\r\n")
	assert.True(t, strings.HasSuffix(boot, "\r\nvm1 login: "), boot)

	read := func() string {
		select {
		case b := <-c.Output():
			return string(b)
		case <-time.After(5 * time.Second):
			t.Fatal("no output")
			return ""
		}
	}
	_, _ = c.Write([]byte("r"))
	assert.Equal(t, "r", read())
	_, _ = c.Write([]byte("oot\r\n"))
	assert.Equal(t, "oot\r\nPassword: ", read())
	_, _ = c.Write([]byte("pw\r"))
	assert.Contains(t, read(), "root@vm1:~# ")
	_, _ = c.Write([]byte("hostname\r"))
	assert.Equal(t, "hostname\r\nvm1\r\nroot@vm1:~# ", read())
	_, _ = c.Write([]byte("\x1b[Atty\r"))
	assert.Equal(t, "tty\r\n/dev/ttyS0\r\nroot@vm1:~# ", read(), "the arrow key's sequence is skipped")

	// The VGA console is another terminal: still at its login.
	assert.Equal(t, "vm1 login:", lastLines(m, 1)[0])

	// A second connection sees what comes next, not the backlog.
	c2 := m.AttachSerial()
	_, _ = c.Write([]byte("x"))
	assert.Equal(t, "x", read())
	assert.Equal(t, "x", string(<-c2.Output()))
	require.NoError(t, c2.Close())
	require.NoError(t, c.Close())
	_, ok := <-c.Output()
	assert.False(t, ok)
}

func TestKeyboard(t *testing.T) {
	m, _ := newMachine(t, running("vm1"))
	kb := m.Keyboard()
	press := func(k uint32) { kb.Key(true, k); kb.Key(false, k) }
	for _, k := range []uint32{'r', 'o', 'o', 't', ksReturn, ksKPEnter, 'w', 'h', 'o', 'a', 'm', 'i', 'x', ksBackSpace, ksReturn} {
		press(k)
	}
	assert.Equal(t, []string{"root@vm1:~# whoami", "root", "root@vm1:~#"}, lastLines(m, 3))
	press(ksUnicode + 'l')
	press(0xe9) // é: not in the guest's keymap
	kb.Key(true, ksControlL)
	press('u')
	kb.Key(false, ksControlL)
	press(ksKP0 + 7)
	assert.Equal(t, "root@vm1:~# 7", lastLines(m, 1)[0])
}

func TestHostname(t *testing.T) {
	for name, want := range map[string]string{
		"vm1": "vm1", "Web Server_1": "web-server-1", "a.b.c": "a-b-c", "--x--": "x",
		"日本": "server-id", strings.Repeat("a", 70): strings.Repeat("a", 63),
	} {
		assert.Equal(t, want, hostnameOf(name, "id"), name)
	}
}
