package fakenova_test

import (
	"context"
	"fmt"
	"io"
	"net/http"

	"github.com/novastub/novastub/fakenova"
)

// ExampleNewServer serves a fake cloud as the stub binary does, on a free
// loopback port, and stops it.
func ExampleNewServer() {
	ln, err := fakenova.Listen("127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	srv := fakenova.NewServer(fakenova.NewCloud(fakenova.WithControlPlane(fakenova.ControlPlane{Token: "s3cr3t"})),
		fakenova.ServerConfig{})
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()

	resp, err := http.Get("http://" + ln.Addr().String() + "/_novastub/healthz")
	if err != nil {
		panic(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Println(resp.StatusCode, string(body))

	_ = srv.Shutdown(context.Background())
	fmt.Println(<-done)
	// Output:
	// 200 {
	//   "status": "ok"
	// }
	//
	// http: Server closed
}
