// Package rfb is an RFB (VNC) server, RFC 6143, that knows nothing of its
// transport: it serves one client over any byte stream, a TCP connection
// or a WebSocket adapted to an io.ReadWriter, as nova-novncproxy's
// websockify does.
//
// It announces RFB 3.8 and follows a client down to 3.7 or 3.3, with
// security type None (3.8 sends the SecurityResult; 3.3 the U32 type), as
// nova-novncproxy's security proxy presents a VNC server to noVNC. Then it
// sends the Screen it is given, converted to the pixel format each client
// asks for (8, 16 or 32 bits per pixel, any shifts and byte order, true
// colour), in Raw, RRE or Hextile as the client prefers, with CopyRect when
// the screen scrolls; incremental requests get only the tiles that changed,
// and wait for a change when nothing did. Key, pointer and clipboard events
// go to an Input. Everything a client sends is bounded, and no input makes
// it panic.
//
//	srv := rfb.NewServer(screen, rfb.WithName("vm1"), rfb.WithInput(keyboard))
//	go srv.Serve(ctx, conn) // one call per client; returns when it goes
//
// A Screen is read in tiles with signatures (RFC 6143 leaves change
// detection to the server): a session keeps only the signatures it sent,
// not a copy of the pixels, so an idle session costs a few kilobytes.
package rfb
