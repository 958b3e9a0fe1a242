// Package guest is the fake operating system behind novastub's consoles:
// what a server's VGA console (shown over RFB) and serial port (over
// nova-serialproxy's WebSocket) show and take.
//
// A Machine boots with a short kernel log, then each terminal (tty1 on the
// VGA console, ttyS0 on the serial port) shows an issue naming the server
// (name, id, host, status) and agetty's "<hostname> login: ". Any user name
// and any password log in (the password is not echoed) to a shell that
// answers hostname, uname -a, uptime (from the server's launch, on the
// store's clock), whoami, id, date, tty, pwd, echo, clear, help and exit.
// The VGA console is a 128x48 text screen drawn with a bitmap font of the
// project's own (8x16 cells) that scrolls when full.
//
// The machine follows its server through Update, as a hypervisor's
// console would show it:
//
//   - stopped, shelved or in error: the screen goes dark and input is lost;
//     the next start boots afresh (a new boot log, logged out, uptime from
//     zero);
//   - paused: the picture freezes and input is lost; unpause goes on;
//   - suspended: the screen goes dark and input is lost; resume brings the
//     picture and the logged-in shells back, as a saved memory would;
//   - rebooting: the guest says it restarts, then boots when the reboot is
//     done.
//
// (A real libvirt guest's VNC server goes away when the domain stops or is
// suspended, and its console connection with it; the fake keeps the
// connection so that a portal sees the guest come back. Deleting the
// server ends the connections: that is the console proxy's part.)
//
//	m := guest.New(srv, guest.WithClock(store.Clock()))
//	rfbServer := rfb.NewServer(m.Screen(), rfb.WithName(srv.Name), rfb.WithInput(m.Keyboard()))
//	port := m.AttachSerial() // port.Output() is what ttyS0 writes; port.Write types
package guest
