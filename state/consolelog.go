package state

import (
	"fmt"
	"net/netip"
	"strings"
	"time"
	"unicode"

	"github.com/novastub/novastub/internal/guestos"
)

// A server's console log: what its serial console has printed, as
// libvirt keeps it in the instance's console.log and Nova's
// os-getConsoleOutput reads it. By default it is made up as the server
// lives on the store's clock: each boot prints firmware, kernel and
// cloud-init lines over the time the boot takes and ends in a login
// prompt that names the server; a stop prints the guest's shutdown; a
// reboot both. Set it outright with SetConsoleOutput (or a seed file's
// console_output).

// MaxConsoleOutput bounds the text SetConsoleOutput takes (1 MiB).
const MaxConsoleOutput = 1 << 20

// maxLogEvents bounds the boots and shutdowns a log remembers.
const maxLogEvents = 16

// consoleLog is a server's console log.
type consoleLog struct {
	text   *string    // set outright; nil for the generated log
	events []logEvent // the generated log's boots and shutdowns, oldest first
}

// logKind is what the guest printed for an event.
type logKind uint8

const (
	logBoot     logKind = iota + 1 // firmware, kernel, cloud-init, a login prompt
	logShutdown                    // the guest powering off
	logReboot                      // a shutdown, then a boot
)

// logEvent is a boot or shutdown that printed over [at, at+dur], at in
// Unix nanoseconds (as the store's timers and console tokens keep time):
// 24 bytes, where a time.Time would make it 40, for every server's log.
type logEvent struct {
	at   int64
	dur  time.Duration
	kind logKind
}

// start is when the event began.
func (ev logEvent) start() time.Time { return time.Unix(0, ev.at) }

// record appends an event to e's log; the oldest go past maxLogEvents.
func (e *serverEntry) record(kind logKind, at time.Time, dur time.Duration) {
	if e.log == nil {
		e.log = &consoleLog{}
	}
	l := e.log
	if n := len(l.events); n > 0 && at.Before(l.events[n-1].start()) {
		at = l.events[n-1].start() // the log only grows
	}
	if len(l.events) == maxLogEvents {
		copy(l.events, l.events[1:])
		l.events = l.events[:maxLogEvents-1]
	}
	l.events = append(l.events, logEvent{at: at.UnixNano(), dur: dur, kind: kind})
}

// recordDone appends an event that took at most dur and was over by now.
func (e *serverEntry) recordDone(kind logKind, now time.Time, dur time.Duration) {
	at := now.Add(-dur)
	if e.log != nil && len(e.log.events) > 0 {
		if last := e.log.events[len(e.log.events)-1].start(); at.Before(last) {
			at, dur = last, now.Sub(last)
		}
	}
	e.record(kind, at, dur)
}

// clearLog forgets the generated log: the server left its host (shelve
// offload), and its console.log with it.
func (e *serverEntry) clearLog() {
	if e.log != nil {
		e.log.events = nil
	}
}

// seedLog makes up the log of a server added in a state (AddServer, a
// seed file): a boot that ended when it was added, and for a server at
// rest powered off (SHUTOFF, SHELVED, SOFT_DELETED) a shutdown after it.
// A server without a host (or still building, or in ERROR) has printed
// nothing.
func (e *serverEntry) seedLog(t Timings, now time.Time) {
	if e.Host == "" {
		return
	}
	switch e.VMState {
	case VMActive, VMPaused, VMSuspended, VMRescued, VMResized:
		e.record(logBoot, now.Add(-t.Spawn), t.Spawn)
	case VMStopped, VMShelved, VMSoftDeleted:
		e.record(logBoot, now.Add(-t.Spawn-t.Stop), t.Spawn)
		e.record(logShutdown, now.Add(-t.Stop), t.Stop)
	}
}

// syncLog brings the log in line with a state set outright (UpdateServer):
// a server without a host has no log; a running (or paused, suspended)
// guest whose log does not end in a boot has just booted; a powered-off
// one whose log ends in a boot has just shut down.
func (e *serverEntry) syncLog(t Timings, now time.Time) {
	if e.Host == "" {
		e.clearLog()
		return
	}
	lastKind := logKind(0)
	if e.log != nil && len(e.log.events) > 0 {
		lastKind = e.log.events[len(e.log.events)-1].kind
	}
	booted := lastKind == logBoot || lastKind == logReboot
	switch e.PowerState {
	case PowerRunning, PowerPaused, PowerSuspended:
		if !booted {
			e.recordDone(logBoot, now, t.Spawn)
		}
	case PowerShutdown:
		if booted {
			e.recordDone(logShutdown, now, t.Stop)
		}
	}
}

// SetConsoleOutput sets the text a server's console shows in place of
// the generated boot log, until ResetConsoleOutput; at most
// MaxConsoleOutput bytes.
func (s *Store) SetConsoleOutput(id, text string) error {
	if len(text) > MaxConsoleOutput {
		return &InvalidError{Field: "console_output", Reason: fmt.Sprintf("longer than %d bytes", MaxConsoleOutput)}
	}
	e, _, err := s.lockServer(id)
	defer s.mu.Unlock()
	if err != nil {
		return err
	}
	if e.log == nil {
		e.log = &consoleLog{}
	}
	e.log.text = &text
	return s.persistOutput(id, &text)
}

// ResetConsoleOutput goes back to the generated boot log for a server
// whose console output was set.
func (s *Store) ResetConsoleOutput(id string) error {
	e, _, err := s.lockServer(id)
	defer s.mu.Unlock()
	if err != nil {
		return err
	}
	if e.log != nil {
		e.log.text = nil
	}
	return s.persistOutput(id, nil)
}

// ConsoleOutput returns what a server's console has printed up to now:
// the text set with SetConsoleOutput, or the generated log (see the
// package's console log notes). A server that has printed nothing gives
// "", as libvirt does before the log file exists.
func (s *Store) ConsoleOutput(id string) (string, error) {
	s.rlock()
	defer s.mu.RUnlock()
	e, ok := s.servers.get(id)
	if !ok {
		return "", &NotFoundError{Kind: "server", ID: id}
	}
	if e.log == nil {
		return "", nil
	}
	if e.log.text != nil {
		return *e.log.text, nil
	}
	return s.renderLog(e, s.clock.Now()), nil
}

// consoleOutputSet returns the text set for a server's console, if any;
// s.mu is held.
func (e *serverEntry) consoleOutputSet() *string {
	if e.log == nil || e.log.text == nil {
		return nil
	}
	text := *e.log.text
	return &text
}

// logLine is one line the guest printed, and when.
type logLine struct {
	t    time.Time
	text string
}

// renderLog writes e's generated log as of now: each event's lines that
// are due, but for those an event interrupted by the next would have
// printed after it began; s.mu is held.
func (s *Store) renderLog(e *serverEntry, now time.Time) string {
	var b strings.Builder
	var bootAt time.Time
	events := e.log.events
	var lines []logLine
	for i, ev := range events {
		lines = lines[:0]
		switch ev.kind {
		case logBoot:
			bootAt = ev.start()
			lines = s.bootScript(lines, e, bootAt, ev.dur)
		case logShutdown:
			lines = shutdownScript(lines, ev.start(), ev.dur, bootAt, "reboot: Power down")
		case logReboot:
			// A soft reboot: the guest shuts down in the first third,
			// the kernel restarts it, and it boots in the rest.
			lines = shutdownScript(lines, ev.start(), scale(ev.dur, 0.3), bootAt, "reboot: Restarting system")
			bootAt = ev.start().Add(scale(ev.dur, 0.35))
			lines = s.bootScript(lines, e, bootAt, ev.dur-scale(ev.dur, 0.35))
		}
		for j, l := range lines {
			if l.t.After(now) || i+1 < len(events) && l.t.After(events[i+1].start()) {
				break
			}
			if j == 0 && b.Len() > 0 && !strings.HasSuffix(b.String(), "\n") {
				b.WriteString(crlf) // the login prompt waits on its line
			}
			b.WriteString(l.text)
		}
	}
	return b.String()
}

// crlf ends a line on a serial console.
const crlf = "\r\n"

func scale(d time.Duration, f float64) time.Duration { return time.Duration(float64(d) * f) }

// kernelStamp is a kernel log line's time since boot, as printk writes it.
func kernelStamp(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	return fmt.Sprintf("[%12.6f]", d.Seconds())
}

// bootScript appends what a boot that starts at at and takes dur prints:
// SeaBIOS, the kernel, systemd, cloud-init (with the server's addresses)
// and, once it is done, a login prompt that names the server; s.mu is
// held.
func (s *Store) bootScript(lines []logLine, e *serverEntry, at time.Time, dur time.Duration) []logLine {
	host := e.Hostname()
	when := func(f float64) time.Time { return at.Add(scale(dur, f)) }
	line := func(f float64, text string) { lines = append(lines, logLine{when(f), text + crlf}) }
	kernel := func(f float64, text string) { line(f, kernelStamp(scale(dur, f))+" "+text) }
	cloudInit := func(f float64, pid, stage string) {
		line(f, "cloud-init["+pid+"]: Cloud-init v. 22.4.2 running '"+stage+"' at "+
			when(f).UTC().Format(time.RFC1123Z)+". Up "+fmt.Sprintf("%.2f", scale(dur, f).Seconds())+" seconds.")
	}
	line(0, "SeaBIOS (version 1.16.3-debian-1.16.3-2)")
	line(0.01, "Booting from Hard Disk...")
	kernel(0.05, guestos.Banner)
	kernel(0.05, "Command line: "+guestos.CommandLine)
	kernel(0.08, "DMI: OpenStack Foundation OpenStack Nova, BIOS 1.16.3-debian-1.16.3-2 04/01/2014")
	kernel(0.12, "virtio_blk virtio2: [vda] 2097152 512-byte logical blocks (1.07 GB/1.00 GiB)")
	kernel(0.20, "EXT4-fs (vda1): mounted filesystem with ordered data mode. Quota mode: none.")
	kernel(0.25, "systemd[1]: Hostname set to <"+host+">.")
	line(0.35, "[  OK  ] Reached target Network.")
	cloudInit(0.40, "412", "init")
	lines = s.netInfo(lines, e, when(0.45))
	line(0.60, "[  OK  ] Started OpenBSD Secure Shell server.")
	cloudInit(0.70, "530", "modules:config")
	cloudInit(0.85, "551", "modules:final")
	line(0.95, "cloud-init[551]: Cloud-init v. 22.4.2 finished at "+when(0.95).UTC().Format(time.RFC1123Z)+
		". Datasource DataSourceOpenStackLocal [net,ver=2].  Up "+fmt.Sprintf("%.2f", scale(dur, 0.95).Seconds())+" seconds")
	line(1, "")
	line(1, guestos.Issue(host, "ttyS0"))
	line(1, "")
	lines = append(lines, logLine{when(1), host + " login: "})
	return lines
}

// netInfo appends cloud-init's table of the server's interfaces, printed
// at t: each port's addresses, netmasks and MAC; s.mu is held.
func (s *Store) netInfo(lines []logLine, e *serverEntry, t time.Time) []logLine {
	const rule = "ci-info: +--------+------+------------------------------+-----------------+--------+-------------------+" + crlf
	row := func(dev, up, addr, mask, scope, mac string) {
		lines = append(lines, logLine{t, fmt.Sprintf("ci-info: | %6s | %4s | %28s | %15s | %6s | %17s |", dev, up, addr, mask, scope, mac) + crlf})
	}
	lines = append(lines,
		logLine{t, "ci-info: ++++++++++++++++++++++++++++++++++++++Net device info+++++++++++++++++++++++++++++++++++++++" + crlf},
		logLine{t, rule})
	row("Device", "Up", "Address", "Mask", "Scope", "Hw-Address")
	lines = append(lines, logLine{t, rule})
	for i, p := range s.cat.byDevice[e.ID] {
		for _, ip := range p.FixedIPs {
			mask := "."
			if sn := s.cat.subnets[ip.SubnetID]; sn != nil {
				mask = netmask(sn.prefix)
			}
			row(fmt.Sprintf("eth%d", i), "True", ip.IPAddress, mask, "global", p.MACAddress)
		}
	}
	row("lo", "True", "127.0.0.1", "255.0.0.0", "host", ".")
	return append(lines, logLine{t, rule})
}

// netmask writes an IPv4 prefix's mask as a dotted quad, an IPv6
// prefix's as its length.
func netmask(p netip.Prefix) string {
	if !p.Addr().Is4() {
		return fmt.Sprintf("/%d", p.Bits())
	}
	m := uint32(0)
	if p.Bits() > 0 {
		m = ^uint32(0) << (32 - p.Bits())
	}
	return fmt.Sprintf("%d.%d.%d.%d", m>>24, m>>16&0xff, m>>8&0xff, m&0xff)
}

// shutdownScript appends what a guest prints as it shuts down over
// [at, at+dur]: systemd stopping its units, and the kernel's last word
// (last), stamped with the time since bootAt.
func shutdownScript(lines []logLine, at time.Time, dur time.Duration, bootAt time.Time, last string) []logLine {
	if bootAt.IsZero() {
		bootAt = at
	}
	line := func(f float64, text string) { lines = append(lines, logLine{at.Add(scale(dur, f)), text + crlf}) }
	line(0, "[  OK  ] Removed slice system-modprobe.slice.")
	line(0.1, "[  OK  ] Stopped target Multi-User System.")
	line(0.2, "[  OK  ] Stopped OpenBSD Secure Shell server.")
	line(0.4, "[  OK  ] Stopped target Network.")
	line(0.6, "[  OK  ] Reached target System Shutdown.")
	line(0.7, "[  OK  ] Reached target Late Shutdown Services.")
	line(0.9, kernelStamp(at.Add(scale(dur, 0.9)).Sub(bootAt))+" "+last)
	return lines
}

// Hostname is the hostname Nova gives a server (nova.utils.
// sanitize_hostname of its display name): Latin-1 characters only, at
// most 63, spaces, underscores and dots made dashes, other characters
// than letters, digits, "-" and "." dropped, lowercase, without dots and
// dashes at either end; "Server-<id>" when nothing is left.
func (s Server) Hostname() string {
	var kept []rune
	for _, r := range s.Name {
		if r <= 0xFF {
			kept = append(kept, r)
		}
	}
	if len(kept) > 63 {
		kept = kept[:63]
	}
	var b strings.Builder
	for _, r := range kept {
		switch {
		case r == ' ' || r == '_' || r == '.':
			b.WriteByte('-')
		case r == '-' || unicode.IsLetter(r) || unicode.IsNumber(r):
			b.WriteString(strings.ToLower(string(r)))
		}
	}
	h := strings.Trim(b.String(), ".-")
	if h == "" {
		return "Server-" + s.ID
	}
	return h
}
