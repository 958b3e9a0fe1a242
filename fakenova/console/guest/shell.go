package guest

import (
	"fmt"
	"strings"
	"time"

	"github.com/novastub/novastub/internal/guestos"
)

// helpText lists the shell's commands.
const helpText = "novastub guest shell: a fake, for trying a console. Commands:\r\n" +
	"  hostname  uname [-asnrvmpio]  uptime [-p]  whoami  id  date  tty  pwd\r\n" +
	"  echo TEXT  clear  help  exit  logout  (^D logs out, ^C drops the line)\r\n"

// shellPrompt is the prompt of user's shell.
func (m *Machine) shellPrompt(user string) string {
	if user == "root" {
		return "root@" + m.hostname + ":~# "
	}
	return user + "@" + m.hostname + ":~$ "
}

// motd is what a login prints before the first prompt: Debian's, and a
// word on what this guest is.
func (m *Machine) motd() string {
	return guestos.KernelName + " " + m.hostname + " " + guestos.KernelRelease + " " + guestos.KernelVersion + " " + guestos.Machine + "\r\n\r\n" +
		"The programs included with the Debian GNU/Linux system are free software;\r\n" +
		"the exact distribution terms for each program are described in the\r\n" +
		"individual files in /usr/share/doc/*/copyright.\r\n\r\n" +
		"Debian GNU/Linux comes with ABSOLUTELY NO WARRANTY, to the extent\r\n" +
		"permitted by applicable law.\r\n\r\n" +
		"This is novastub's fake guest, for trying a console: type 'help' for its commands.\r\n\r\n"
}

// run runs a command line typed at t's shell.
func (m *Machine) run(t *tty, line string) {
	args := strings.Fields(line)
	if len(args) == 0 {
		return
	}
	out := func(s string) { t.write(s + "\r\n") }
	switch args[0] {
	case "help":
		t.write(helpText)
	case "hostname":
		out(m.hostname)
	case "uname":
		if s, err := m.uname(args[1:]); err != "" {
			out(err)
		} else {
			out(s)
		}
	case "uptime":
		if len(args) > 1 && (args[1] == "-p" || args[1] == "--pretty") {
			out(prettyUptime(m.clock.Now().Sub(m.bootedAt)))
		} else {
			out(m.uptime())
		}
	case "whoami":
		out(t.user)
	case "id":
		uid := 1000
		if t.user == "root" {
			uid = 0
		}
		out(fmt.Sprintf("uid=%d(%s) gid=%d(%s) groups=%d(%s)", uid, t.user, uid, t.user, uid, t.user))
	case "date":
		out(m.clock.Now().UTC().Format("Mon Jan _2 15:04:05 MST 2006"))
	case "tty":
		out("/dev/" + t.name)
	case "pwd":
		if t.user == "root" {
			out("/root")
		} else {
			out("/home/" + t.user)
		}
	case "echo":
		out(strings.Join(args[1:], " "))
	case "clear":
		t.write("\x1b[H\x1b[2J")
	case "exit", "logout":
		t.logout()
	default:
		out("-bash: " + args[0] + ": command not found")
	}
}

// uname answers uname with its flags, in uname's order whatever the
// order given; with none, the kernel name. As Debian's coreutils, the
// processor and hardware platform are "unknown", which -a leaves out.
func (m *Machine) uname(flags []string) (string, string) {
	const order = "snrvmpio"
	want := map[byte]bool{}
	all := false
	for _, f := range flags {
		switch {
		case f == "--all":
			f = "-a"
		case !strings.HasPrefix(f, "-") || f == "-":
			return "", "uname: extra operand '" + f + "'\r\nTry 'uname --help' for more information."
		}
		for i := 1; i < len(f); i++ {
			c := f[i]
			if c == 'a' {
				all = true
				for j := 0; j < len(order); j++ {
					want[order[j]] = true
				}
			} else if strings.IndexByte(order, c) >= 0 {
				want[c] = true
			} else {
				return "", fmt.Sprintf("uname: invalid option -- '%c'\r\nTry 'uname --help' for more information.", c)
			}
		}
	}
	if len(want) == 0 {
		want['s'] = true
	}
	values := map[byte]string{'s': guestos.KernelName, 'n': m.hostname, 'r': guestos.KernelRelease, 'v': guestos.KernelVersion,
		'm': guestos.Machine, 'p': "unknown", 'i': "unknown", 'o': guestos.OperatingSystem}
	var parts []string
	for i := 0; i < len(order); i++ {
		if c := order[i]; want[c] && !(all && values[c] == "unknown") {
			parts = append(parts, values[c])
		}
	}
	return strings.Join(parts, " "), ""
}

// uptime answers as procps's uptime does: the time, how long since boot,
// the users logged in and the load.
func (m *Machine) uptime() string {
	now := m.clock.Now().UTC()
	up := now.Sub(m.bootedAt)
	if up < 0 {
		up = 0
	}
	secs := int64(up / time.Second)
	var b strings.Builder
	fmt.Fprintf(&b, " %02d:%02d:%02d up ", now.Hour(), now.Minute(), now.Second())
	if days := secs / 86400; days > 0 {
		fmt.Fprintf(&b, "%d day%s, ", days, plural(days))
	}
	hours, minutes := secs/3600%24, secs/60%60
	if hours > 0 {
		fmt.Fprintf(&b, "%2d:%02d, ", hours, minutes)
	} else {
		fmt.Fprintf(&b, "%d min, ", minutes)
	}
	users := int64(m.users())
	fmt.Fprintf(&b, "%2d user%s,  load average: 0.00, 0.00, 0.00", users, plural(users))
	return b.String()
}

// prettyUptime answers uptime -p.
func prettyUptime(up time.Duration) string {
	secs := int64(up / time.Second)
	if secs < 0 {
		secs = 0
	}
	var parts []string
	add := func(n int64, unit string) {
		if n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s%s", n, unit, plural(n)))
		}
	}
	add(secs/(7*86400), "week")
	add(secs/86400%7, "day")
	add(secs/3600%24, "hour")
	add(secs/60%60, "minute")
	if len(parts) == 0 {
		return "up 0 minutes"
	}
	return "up " + strings.Join(parts, ", ")
}

func plural(n int64) string {
	if n == 1 {
		return ""
	}
	return "s"
}
