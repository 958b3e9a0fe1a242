package rfb_test

import (
	"context"
	"fmt"
	"net"

	"github.com/novastub/novastub/fakenova/console/rfb"
	"github.com/novastub/novastub/fakenova/internal/rfbtest"
)

// Serve one client over any byte stream: here one end of a pipe, with a
// test client on the other.
func ExampleServer_Serve() {
	screen := newGridScreen(640, 480, 16, 16) // any rfb.Screen
	srv := rfb.NewServer(screen, rfb.WithName("vm1"))
	server, client := net.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, server) }()

	c, err := rfbtest.Handshake(client, rfbtest.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(c.Name, c.Width, c.Height, c.ServerFormat.BitsPerPixel)
	cancel()
	fmt.Println(<-done)
	// Output:
	// vm1 640 480 32
	// context canceled
}
