// Package guestos is the made-up guest's system, written once: the
// console log a server prints (state's os-getConsoleOutput text) and the
// live console's guest (fakenova/console/guest, on VNC and the serial
// console) name the same Debian, kernel and terminals.
package guestos

// The guest's system, as its boot log, /etc/issue and uname give it.
const (
	Name            = "Debian GNU/Linux 12"
	KernelName      = "Linux"
	KernelRelease   = "6.1.0-28-amd64"
	KernelVersion   = "#1 SMP PREEMPT_DYNAMIC Debian 6.1.119-1 (2024-11-22)"
	Machine         = "x86_64"
	OperatingSystem = "GNU/Linux"
	// CommandLine is the kernel's: a console on the screen and on the
	// serial port, as cloud images boot.
	CommandLine = "BOOT_IMAGE=/boot/vmlinuz-" + KernelRelease +
		" root=LABEL=cloudimg-rootfs ro console=tty0 console=ttyS0,115200n8"
	// Banner is the kernel's first line.
	Banner = KernelName + " version " + KernelRelease + " (debian-kernel@lists.debian.org) " + KernelVersion
)

// Issue is what a getty prints above the login prompt of terminal tty
// (tty1, ttyS0) of host, as Debian's /etc/issue has it, without the blank
// line after it.
func Issue(host, tty string) string { return Name + " " + host + " " + tty }
