package guest

// SerialConn is a connection to the guest's serial port (ttyS0), as
// nova-serialproxy makes one to the compute host's TCP port: what the
// guest writes arrives on Output, what is written to it is typed.
type SerialConn struct {
	m      *Machine
	out    chan []byte
	closed bool // under m.mu
}

// AttachSerial connects to the serial port. The first connection after a
// time with none gets what the guest wrote meanwhile (up to 4 KiB: the
// boot log and the login prompt); then each connection gets what the
// guest writes, and what it cannot take in time is lost, as on a serial
// line without flow control. Close it when done.
func (m *Machine) AttachSerial() *SerialConn {
	m.mu.Lock()
	defer m.mu.Unlock()
	c := &SerialConn{m: m, out: make(chan []byte, serialQueue)}
	if len(m.backlog) > 0 {
		c.out <- m.backlog
		m.backlog = nil
	}
	m.lines[c] = struct{}{}
	return c
}

// Output returns the channel of what the guest writes, one chunk per
// operation; it is closed by Close.
func (c *SerialConn) Output() <-chan []byte { return c.out }

// Write types p on the serial port; a guest that is not running loses it.
func (c *SerialConn) Write(p []byte) (int, error) {
	m := c.m
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.accepts() && !c.closed {
		m.serial.input(p)
	}
	m.flush()
	return len(p), nil
}

// Close disconnects from the serial port and closes Output.
func (c *SerialConn) Close() error {
	m := c.m
	m.mu.Lock()
	defer m.mu.Unlock()
	if !c.closed {
		c.closed = true
		delete(m.lines, c)
		close(c.out)
	}
	return nil
}
