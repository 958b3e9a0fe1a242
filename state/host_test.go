package state_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/novastub/novastub/state"
)

var allConsoleTypes = []state.ConsoleType{
	state.ConsoleNoVNC, state.ConsoleXVPVNC, state.ConsoleSPICEHTML5, state.ConsoleSPICEDirect,
	state.ConsoleSerial, state.ConsoleWebMKS, state.ConsoleRDPHTML5,
}

func TestHostSupports(t *testing.T) {
	tests := []struct {
		name  string
		types []state.ConsoleType
		want  map[state.ConsoleType]bool // types not listed: false
	}{
		{"nil supports every type", nil, map[state.ConsoleType]bool{
			state.ConsoleNoVNC: true, state.ConsoleXVPVNC: true, state.ConsoleSPICEHTML5: true,
			state.ConsoleSPICEDirect: true, state.ConsoleSerial: true, state.ConsoleWebMKS: true,
			state.ConsoleRDPHTML5: true,
		}},
		{"empty supports none", []state.ConsoleType{}, nil},
		{"serial only", []state.ConsoleType{state.ConsoleSerial}, map[state.ConsoleType]bool{state.ConsoleSerial: true}},
		{"vnc pair", []state.ConsoleType{state.ConsoleNoVNC, state.ConsoleXVPVNC},
			map[state.ConsoleType]bool{state.ConsoleNoVNC: true, state.ConsoleXVPVNC: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := state.Host{Name: "h", ConsoleTypes: tt.types}
			for _, ct := range allConsoleTypes {
				assert.Equal(t, tt.want[ct], h.Supports(ct), "%s", ct)
			}
		})
	}
}

func TestConsoleTypeProtocol(t *testing.T) {
	tests := []struct {
		typ   state.ConsoleType
		proto state.Protocol
	}{
		{state.ConsoleNoVNC, state.ProtocolVNC},
		{state.ConsoleXVPVNC, state.ProtocolVNC},
		{state.ConsoleSPICEHTML5, state.ProtocolSPICE},
		{state.ConsoleSPICEDirect, state.ProtocolSPICE},
		{state.ConsoleSerial, state.ProtocolSerial},
		{state.ConsoleWebMKS, state.ProtocolMKS},
		{state.ConsoleRDPHTML5, state.ProtocolRDP},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.proto, tt.typ.Protocol(), "%s", tt.typ)
		assert.True(t, tt.typ.Valid(), "%s", tt.typ)
	}
	for _, bad := range []state.ConsoleType{"", "vnc", "NOVNC", "spice", "rdp", "mks"} {
		assert.Equal(t, state.Protocol(""), bad.Protocol(), "%q", bad)
		assert.False(t, bad.Valid(), "%q", bad)
	}
}

func TestAuthTokenHasRole(t *testing.T) {
	tok := state.AuthToken{Roles: []string{"member", "reader"}}
	assert.True(t, tok.HasRole("member"))
	assert.True(t, tok.HasRole("reader"))
	assert.False(t, tok.HasRole("admin"))
	assert.False(t, tok.HasRole("Member"))
	assert.False(t, tok.HasRole(""))
	assert.False(t, state.AuthToken{}.HasRole("member"))
}
