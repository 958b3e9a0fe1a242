package console_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/novastub/novastub/fakenova/console"
	"github.com/novastub/novastub/state"
)

// serialReader collects what a serial console sends.
type serialReader struct {
	t    *testing.T
	conn *websocket.Conn
	got  strings.Builder
}

// until reads binary frames until what was read ends with suffix, and
// returns it all.
func (s *serialReader) until(suffix string) string {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for !strings.HasSuffix(s.got.String(), suffix) {
		typ, b, err := s.conn.Read(ctx)
		require.NoError(s.t, err, "read so far: %q", s.got.String())
		require.Equal(s.t, websocket.MessageBinary, typ)
		s.got.Write(b)
	}
	out := s.got.String()
	s.got.Reset()
	return out
}

func (s *serialReader) send(text string) {
	s.t.Helper()
	require.NoError(s.t, s.conn.Write(context.Background(), websocket.MessageBinary, []byte(text)))
}

func TestSerialConsole(t *testing.T) {
	e := newEnv(t)
	conn := e.mustDial("/?token="+e.token(state.ConsoleSerial), nil)
	s := &serialReader{t: t, conn: conn}
	boot := s.until("vm1 login: ")
	assert.Contains(t, boot, "[    0.000000] Linux version 6.1.0-28-amd64 (debian-kernel@lists.debian.org)")
	assert.Contains(t, boot, "Debian GNU/Linux 12 vm1 ttyS0\r\n\r\n"+
		"  server  vm1\r\n  id      "+e.srv.ID+"\r\n  host    compute-1\r\n  status  ACTIVE\r\n")

	log, err := e.store.ConsoleOutput(e.srv.ID)
	require.NoError(t, err)
	for _, same := range []string{"Linux version 6.1.0-28-amd64 (debian-kernel@lists.debian.org) #1 SMP PREEMPT_DYNAMIC Debian 6.1.119-1 (2024-11-22)\r\n",
		"Debian GNU/Linux 12 vm1 ttyS0\r\n"} {
		assert.Contains(t, boot, same, "the live console names the system its console log does")
		assert.Contains(t, log, same, "the console log names the system the live console does")
	}

	s.send("root\r")
	assert.Equal(t, "root\r\nPassword: ", s.until("Password: "))
	s.send("secret\r")
	assert.NotContains(t, s.until("root@vm1:~# "), "secret", "the password is not echoed")
	s.send("hostname\r")
	assert.Equal(t, "hostname\r\nvm1\r\nroot@vm1:~# ", s.until("root@vm1:~# "))
	s.send("uptime\r")
	assert.Equal(t, "uptime\r\n 07:08:09 up  1:00,  1 user,  load average: 0.00, 0.00, 0.00\r\nroot@vm1:~# ",
		s.until("root@vm1:~# "))
	s.send("uname -a\r")
	assert.Contains(t, s.until("root@vm1:~# "), "Linux vm1 6.1.0-28-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.1.119-1 (2024-11-22) x86_64 GNU/Linux\r\n")

	require.NoError(t, e.store.RemoveServer(e.srv.ID))
	code, reason := closeOf(t, conn)
	assert.Equal(t, websocket.StatusNormalClosure, code)
	assert.Equal(t, "Target closed", reason)
}

func TestSerialRefusedWhenExpired(t *testing.T) {
	e := newEnv(t)
	tok := e.token(state.ConsoleSerial)
	e.clock.Advance(10 * time.Minute)
	conn := e.mustDial("/?token="+tok, nil)
	code, _ := closeOf(t, conn)
	assert.Equal(t, websocket.StatusCode(-1), code)
}

func TestSerialStopAndStart(t *testing.T) {
	e := newEnv(t)
	conn := e.mustDial("/?token="+e.token(state.ConsoleSerial), nil)
	s := &serialReader{t: t, conn: conn}
	s.until("vm1 login: ")
	_, err := e.store.StartAction(e.srv.ID, state.ActionStop)
	require.NoError(t, err)
	e.clock.Advance(time.Minute)
	require.Eventually(t, func() bool {
		srv, _ := e.store.Server(e.srv.ID)
		return srv.Status() == "SHUTOFF"
	}, 5*time.Second, 5*time.Millisecond)
	time.Sleep(50 * time.Millisecond) // let the console see it; what is typed now is lost
	s.send("lost\r")
	_, err = e.store.StartAction(e.srv.ID, state.ActionStart)
	require.NoError(t, err)
	e.clock.Advance(time.Minute)
	out := s.until("vm1 login: ")
	assert.Contains(t, out, "Linux version", "a start boots again")
	assert.NotContains(t, out, "lost")
}

// TestGuestKeptBetweenConsoles: a console opened again finds the shell
// logged in; with no retention, the login prompt.
func TestGuestKeptBetweenConsoles(t *testing.T) {
	for _, keep := range []bool{true, false} {
		var opts []console.Option
		if !keep {
			opts = append(opts, console.WithGuestRetention(0))
		}
		e := newEnv(t, opts...)
		conn := e.mustDial("/?token="+e.token(state.ConsoleSerial), nil)
		s := &serialReader{t: t, conn: conn}
		s.until("vm1 login: ")
		s.send("root\rpw\r")
		s.until("root@vm1:~# ")
		require.NoError(t, conn.Close(websocket.StatusNormalClosure, ""))

		if keep {
			conn = e.mustDial("/?token="+e.token(state.ConsoleSerial), nil)
			s = &serialReader{t: t, conn: conn}
			s.send("\r")
			assert.Equal(t, "\r\nroot@vm1:~# ", s.until("root@vm1:~# "))
			continue
		}
		// The first console's end reaches the proxy a little after the
		// client's close: until it does, a new console shares its guest.
		require.Eventually(t, func() bool {
			conn := e.mustDial("/?token="+e.token(state.ConsoleSerial), nil)
			defer conn.CloseNow()
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_ = conn.Write(ctx, websocket.MessageBinary, []byte("\r"))
			_, b, err := conn.Read(ctx)
			return err == nil && strings.Contains(string(b), "Linux version")
		}, 10*time.Second, 10*time.Millisecond, "a new guest boots")
	}
}
