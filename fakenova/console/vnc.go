package console

import (
	"context"
	"errors"

	"github.com/novastub/novastub/fakenova/console/rfb"
	"github.com/novastub/novastub/state"
)

// errRFBHandshake marks a session that ended in the RFB handshake (a
// version or a security type the console does not take).
var errRFBHandshake = errors.New("console: rfb handshake failed")

// serveRFB serves the guest's VGA console over RFB, named after the
// server as QEMU names its display after the guest.
func (p *Proxy) serveRFB(ctx context.Context, s *session, srv state.Server) error {
	m := s.guest.machine
	opts := []rfb.Option{rfb.WithName(srv.Name), rfb.WithInput(m.Keyboard()), rfb.WithMaxCutText(DefaultMaxCutText),
		rfb.WithLogger(p.logger)}
	if p.strictRFB {
		opts = append(opts, rfb.WithMinVersion(rfb.V38))
	}
	err := rfb.NewServer(m.Screen(), opts...).Serve(ctx, s.stream)
	if errors.Is(err, rfb.ErrUnsupportedVersion) || errors.Is(err, rfb.ErrSecurityType) {
		return errors.Join(errRFBHandshake, err)
	}
	return err
}
