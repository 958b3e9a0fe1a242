package console_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/coder/websocket"

	"github.com/novastub/novastub/fakenova/console"
	"github.com/novastub/novastub/state"
)

// A serial console through the proxy: the URL Nova returns for a serial
// console is ws://HOST/?token=..., and what arrives first is the guest's
// boot log and its login prompt.
func ExampleNew() {
	store := state.New(state.WithProtocols(state.ProtocolVNC, state.ProtocolSerial))
	project, _ := store.AddProject(state.Project{Name: "demo"})
	_ = store.AddHost(state.Host{Name: "compute-1"})
	srv, _ := store.AddServer(state.Server{Name: "vm1", ProjectID: project.ID, Host: "compute-1"})
	tok, _ := store.CreateConsole(state.ConsoleRequest{ProjectID: project.ID, ServerID: srv.ID, Type: state.ConsoleSerial})

	proxy := console.New(store)
	defer proxy.Close()
	ts := httptest.NewServer(proxy) // or proxy.Wrap(nova), beside the API on one port
	defer ts.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(ts.URL, "http")+"/?token="+tok.Token, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer conn.CloseNow()
	var out strings.Builder
	for !strings.HasSuffix(out.String(), "login: ") {
		_, b, err := conn.Read(ctx)
		if err != nil {
			fmt.Println(err)
			return
		}
		out.Write(b)
	}
	lines := strings.Split(out.String(), "\r\n")
	fmt.Printf("%q\n", lines[len(lines)-1])
	_ = conn.Write(ctx, websocket.MessageBinary, []byte("root\r"))
	_, b, _ := conn.Read(ctx)
	fmt.Printf("%q\n", b)
	// Output:
	// "vm1 login: "
	// "root\r\nPassword: "
}
