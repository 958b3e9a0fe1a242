package fakenova

import (
	"errors"
	"math/big"
	"net/http"
	"strings"

	"github.com/novastub/novastub/internal/pyjson"
	"github.com/novastub/novastub/state"
)

// POST /servers/{id}/action {"os-getConsoleOutput": {"length": N}}
// (nova/api/openstack/compute/console_output.py, the compute manager's
// get_console_output and _tail_log, the libvirt driver's console log):
// the server's console log as the store keeps it (state.Store.
// ConsoleOutput), its last 100 KiB as libvirt reads them, its last
// length lines, as ASCII, without control characters.

// maxConsoleBytes is the libvirt driver's MAX_CONSOLE_BYTES: it reads the
// last 100 KiB of the console log.
const maxConsoleBytes = 100 * 1024

// consoleOutputSchema is schemas/console_output.py get_console_output.
var consoleOutputSchema = &schema{types: []string{"object"}, noAdditional: true, required: []string{"os-getConsoleOutput"},
	properties: []property{prop("os-getConsoleOutput", &schema{types: []string{"object"}, noAdditional: true,
		properties: []property{prop("length", &schema{types: []string{"integer", "string", "null"},
			pattern: newPattern("^-?[0-9]+$"), minimum: -1, hasMinimum: true})}})}}

// serveGetConsoleOutput is the action: the schema, the lookup (404), the
// policy with the server's project (403), a host (409 "is not ready"),
// then {"output": ...}.
func (n *Nova) serveGetConsoleOutput(c *call) error {
	if verr := consoleOutputSchema.validate(c.body, c.legacy); verr != nil {
		return fault(http.StatusBadRequest, verr.Message())
	}
	id := c.serverID()
	srv, err := n.visibleServer(c, id)
	if err != nil {
		return err
	}
	if err := c.authorize("os-console-output"); err != nil {
		return err
	}
	if srv.Host == "" {
		return fault(http.StatusConflict, msgInstanceNotReady(id))
	}
	text, err := n.store.ConsoleOutput(id)
	switch {
	case errors.Is(err, state.ErrNotFound) && n.cfg.servers == ServerSource(n.store):
		// Deleted since the lookup.
		return fault(http.StatusNotFound, msgInstanceNotFound(id))
	case errors.Is(err, state.ErrNotFound):
		text = "" // a server of another source has printed nothing here
	case err != nil:
		return err
	}
	if len(text) > maxConsoleBytes {
		text = text[len(text)-maxConsoleBytes:]
	}
	args, _ := c.body.Get("os-getConsoleOutput")
	if length, ok := args.Get("length"); ok && length.Kind != pyjson.Null {
		text = tailLog(text, length)
	}
	c.scratch = consoleText(c.scratch[:0], text)
	c.out = append(c.out, '{')
	c.appendKey("output")
	c.out = pyjson.AppendString(c.out, c.scratch)
	c.out = append(c.out, '}')
	return c.reply(http.StatusOK)
}

// tailLog is the compute manager's _tail_log: int(length) lines from the
// end, where 0 gives nothing and, as Python's slice [-length:] has it, -1
// every line but the first. A log that ends in "\n" has an empty last
// line.
func tailLog(log string, length pyjson.Value) string {
	num, ok := numberFromValue(length)
	if !ok || num.isFloat {
		return "" // int() raised ValueError: Nova makes it 0
	}
	lines := strings.Count(log, "\n") + 1
	n := num.i
	switch {
	case n.Sign() == 0:
		return ""
	case n.Sign() < 0:
		// [-n:] with n negative: from line |n| on.
		skip := new(big.Int).Neg(n)
		if !skip.IsInt64() || skip.Int64() >= int64(lines) {
			return ""
		}
		return afterLines(log, int(skip.Int64()))
	case !n.IsInt64() || n.Int64() >= int64(lines):
		return log
	}
	return afterLines(log, lines-int(n.Int64()))
}

// afterLines is log without its first n lines.
func afterLines(log string, n int) string {
	for ; n > 0; n-- {
		i := strings.IndexByte(log, '\n')
		if i < 0 {
			return ""
		}
		log = log[i+1:]
	}
	return log
}

// consoleText is the output as Nova answers it: the log's bytes decoded as
// ASCII with every other byte replaced by U+FFFD, then the API's removal
// of [\x00-\x08\x0B-\x1F] (carriage returns and escapes go, tabs and
// newlines stay). It appends to buf.
func consoleText(buf []byte, log string) []byte {
	for i := 0; i < len(log); i++ {
		switch b := log[i]; {
		case b >= 0x80:
			buf = append(buf, "\uFFFD"...)
		case b <= 0x08, b >= 0x0B && b <= 0x1F:
		default:
			buf = append(buf, b)
		}
	}
	return buf
}
