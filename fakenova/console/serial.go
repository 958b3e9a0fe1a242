package console

import (
	"context"
)

// serveSerial relays the guest's serial port as nova-serialproxy relays
// the compute host's TCP port: what the client sends is typed, what the
// guest writes goes out in binary frames, each chunk a frame.
func (p *Proxy) serveSerial(ctx context.Context, s *session) error {
	port := s.guest.machine.AttachSerial()
	defer port.Close()
	readErr := make(chan error, 1)
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := s.stream.Read(buf)
			if n > 0 {
				_, _ = port.Write(buf[:n])
			}
			if err != nil {
				readErr <- err
				return
			}
		}
	}()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case err := <-readErr:
			return err
		case b := <-port.Output():
			if _, err := s.stream.Write(b); err != nil {
				return err
			}
		}
	}
}
