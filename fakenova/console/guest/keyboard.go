package guest

import "github.com/novastub/novastub/fakenova/console/rfb"

// X11 keysyms the keyboard knows (X11's keysymdef.h).
const (
	ksBackSpace = 0xff08
	ksTab       = 0xff09
	ksReturn    = 0xff0d
	ksEscape    = 0xff1b
	ksLeft      = 0xff51
	ksUp        = 0xff52
	ksRight     = 0xff53
	ksDown      = 0xff54
	ksKPEnter   = 0xff8d
	ksKP0       = 0xffb0
	ksKP9       = 0xffb9
	ksKPMul     = 0xffaa
	ksKPDivide  = 0xffaf
	ksControlL  = 0xffe3
	ksControlR  = 0xffe4
	ksDelete    = 0xffff
	ksUnicode   = 0x01000000 // keysyms of Unicode code points
)

// Keyboard returns the VGA console's keyboard for one RFB session: it
// turns X11 keysyms into the bytes a terminal reads (with Control held,
// letters become control characters), and ignores the pointer and the
// clipboard, as a guest without an agent does.
func (m *Machine) Keyboard() rfb.Input { return &keyboard{m: m} }

type keyboard struct {
	m    *Machine
	ctrl [2]bool // left and right Control held (only the session's goroutine touches it)
}

func (k *keyboard) Key(down bool, keysym uint32) {
	switch keysym {
	case ksControlL:
		k.ctrl[0] = down
		return
	case ksControlR:
		k.ctrl[1] = down
		return
	}
	if !down {
		return
	}
	if b := k.bytes(keysym); len(b) > 0 {
		k.m.typeVGA(b)
	}
}

// bytes returns what a terminal reads for keysym.
func (k *keyboard) bytes(keysym uint32) []byte {
	switch {
	case keysym == ksReturn || keysym == ksKPEnter:
		return []byte{'\r'}
	case keysym == ksBackSpace:
		return []byte{0x7f}
	case keysym == ksTab:
		return []byte{'\t'}
	case keysym == ksEscape:
		return []byte{0x1b}
	case keysym == ksDelete:
		return []byte("\x1b[3~")
	case keysym >= ksLeft && keysym <= ksDown:
		return []byte{0x1b, '[', "DACB"[keysym-ksLeft]}
	case keysym >= ksKP0 && keysym <= ksKP9:
		return []byte{byte('0' + keysym - ksKP0)}
	case keysym >= ksKPMul && keysym <= ksKPDivide:
		return []byte{byte('*' + keysym - ksKPMul)}
	case keysym >= ksUnicode && keysym < ksUnicode+0x80:
		keysym -= ksUnicode
	}
	if keysym < 0x20 || keysym > 0x7e {
		return nil // not ASCII: the fake guest's keymap has none of it
	}
	c := byte(keysym)
	if k.ctrl[0] || k.ctrl[1] {
		switch {
		case c >= 'a' && c <= 'z':
			return []byte{c - 'a' + 1}
		case c >= '@' && c <= '_':
			return []byte{c - '@'}
		}
	}
	return []byte{c}
}

func (k *keyboard) Pointer(uint8, int, int) {}
func (k *keyboard) CutText([]byte)          {}
