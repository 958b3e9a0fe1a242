package guestos

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestIdentity(t *testing.T) {
	assert.Equal(t, "Debian GNU/Linux 12 vm1 ttyS0", Issue("vm1", "ttyS0"))
	assert.Equal(t, "Linux version 6.1.0-28-amd64 (debian-kernel@lists.debian.org) #1 SMP PREEMPT_DYNAMIC Debian 6.1.119-1 (2024-11-22)", Banner)
	assert.Contains(t, CommandLine, "BOOT_IMAGE=/boot/vmlinuz-6.1.0-28-amd64 ")
}
