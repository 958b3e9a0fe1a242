package guest_test

import (
	"fmt"
	"strings"
	"time"

	"github.com/novastub/novastub/fakenova/console/guest"
	"github.com/novastub/novastub/state"
)

// A guest's serial port: log in and ask for the uptime, on a manual
// clock.
func ExampleMachine_AttachSerial() {
	clock := state.NewManualClock(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	m := guest.New(state.Server{ID: "365313c5-5d0c-4c43-af05-16f765c0f2bc", Name: "vm1", Host: "compute-1",
		VMState: state.VMActive, LaunchedAt: clock.Now().Add(-90 * time.Minute)}, guest.WithClock(clock))
	port := m.AttachSerial()
	defer port.Close()
	<-port.Output() // the boot log and "vm1 login: "
	for _, line := range []string{"root\r", "secret\r"} {
		_, _ = port.Write([]byte(line))
		<-port.Output()
	}
	_, _ = port.Write([]byte("uptime\r"))
	out := string(<-port.Output())
	fmt.Println(strings.Split(out, "\r\n")[1])
	fmt.Println(m.Text()[len(m.Text())-1] == "", m.Power()) // the VGA console is another terminal
	// Output:
	//  03:04:05 up  1:30,  1 user,  load average: 0.00, 0.00, 0.00
	// true running
}
