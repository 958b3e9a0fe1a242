package guest

import "strings"

// maxLine bounds a line typed at a prompt, as a terminal's line buffer
// does; what goes past it is dropped.
const maxLine = 255

// maxUser bounds a login name.
const maxUser = 32

// ttyState is where a terminal's login session is.
type ttyState int

const (
	atLogin    ttyState = iota // agetty's "<host> login: "
	atPassword                 // login's "Password: ", nothing echoed
	atShell                    // a shell's prompt
)

// tty is one terminal of the guest, the VGA console's tty1 or the serial
// port's ttyS0: a line discipline (echo, erase, ^C, ^U, ^D) with a getty,
// a login and a shell behind it. Its methods run under the machine's
// lock; out takes what the terminal writes.
type tty struct {
	m    *Machine
	name string // tty1 or ttyS0
	vt   bool   // a virtual terminal: a new login clears the screen
	out  func([]byte)

	state  ttyState
	line   []byte
	user   string
	lastCR bool // the last byte was a CR: a LF right after it is the same Enter
	esc    int  // skipping an escape sequence a terminal sent for a key: 1 after ESC, 2 inside
}

func (t *tty) write(s string) { t.out([]byte(s)) }

// reset forgets the session: the guest stopped.
func (t *tty) reset() {
	t.state, t.line, t.user, t.lastCR, t.esc = atLogin, t.line[:0], "", false, 0
}

// getty prints the issue and the login prompt, as agetty does.
func (t *tty) getty() {
	t.reset()
	if t.vt {
		t.write("\x1b[H\x1b[2J")
	}
	t.write(t.m.issue(t.name))
	t.prompt()
}

func (t *tty) prompt() {
	switch t.state {
	case atLogin:
		t.write(t.m.hostname + " login: ")
	case atPassword:
		t.write("Password: ")
	case atShell:
		t.write(t.m.shellPrompt(t.user))
	}
}

// input takes the bytes a keyboard or a serial terminal sends.
func (t *tty) input(p []byte) {
	for _, b := range p {
		t.key(b)
	}
}

func (t *tty) key(b byte) {
	cr := t.lastCR
	t.lastCR = false
	switch t.esc {
	case 1:
		if b == '[' || b == 'O' {
			t.esc = 2
		} else {
			t.esc = 0
		}
		return
	case 2:
		if b >= 0x40 && b <= 0x7e {
			t.esc = 0
		}
		return
	}
	switch b {
	case 0x1b:
		t.esc = 1
	case '\r', '\n':
		if b == '\n' && cr {
			return // CR LF: one Enter
		}
		t.lastCR = b == '\r'
		t.enter()
	case 0x7f, '\b':
		if n := len(t.line); n > 0 {
			t.line = t.line[:n-1]
			if t.state != atPassword {
				t.write("\b \b")
			}
		}
	case 0x03: // ^C
		t.write("^C\r\n")
		t.line = t.line[:0]
		if t.state == atPassword {
			t.state = atLogin
		}
		t.prompt()
	case 0x15: // ^U
		if t.state != atPassword {
			t.write(strings.Repeat("\b \b", len(t.line)))
		}
		t.line = t.line[:0]
	case 0x04: // ^D
		if t.state == atShell && len(t.line) == 0 {
			t.logout()
		}
	default:
		if b < 0x20 || len(t.line) >= maxLine {
			return
		}
		t.line = append(t.line, b)
		if t.state != atPassword {
			t.out([]byte{b})
		}
	}
}

// enter ends the line being typed.
func (t *tty) enter() {
	line := string(t.line)
	t.line = t.line[:0]
	t.write("\r\n")
	switch t.state {
	case atLogin:
		name := strings.TrimSpace(line)
		if name == "" {
			t.prompt()
			return
		}
		if i := strings.IndexByte(name, ' '); i >= 0 {
			name = name[:i]
		}
		if len(name) > maxUser {
			name = name[:maxUser]
		}
		t.user, t.state = name, atPassword
	case atPassword:
		// Any password will do: this is a fake.
		t.state = atShell
		t.write(t.m.motd())
	case atShell:
		t.m.run(t, line)
		if t.state != atShell {
			return // logged out: the getty has prompted
		}
	}
	t.prompt()
}

// logout ends the shell; the getty starts again.
func (t *tty) logout() {
	t.write("logout\r\n")
	if !t.vt {
		t.write("\r\n")
	}
	t.getty()
}
