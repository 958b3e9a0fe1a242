package fakenova_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/novastub/novastub/fakenova"
)

// Server names are checked by Nova's name formats: printable characters
// with no leading or trailing space at v2.1, printable characters with a
// non-space among them on the legacy v2 endpoint; a failure is
// InvalidName's message as the whole 400 text.
func TestCreateServerNameFormat(t *testing.T) {
	ts := fakenova.Start(t)
	const (
		strict  = "An invalid 'name' value was provided. The name must be: printable characters. Can not start or end with whitespace."
		relaxed = "An invalid 'name' value was provided. The name must be: printable characters with at least one non space character"
	)
	create := func(root, name string) exchange {
		body, _ := json.Marshal(map[string]any{"server": map[string]any{"name": name, "flavorRef": "1", "imageRef": fakenova.TestImageID}})
		return send(t, ts.URL, http.MethodPost, root+ts.ProjectID+"/servers", apiHeader(ts.Token, ""), string(body))
	}
	for _, row := range []struct {
		name    string
		v21, v2 string // the 400 message, "" for 202
	}{
		{name: "vm1"},
		{name: "vm 1"},
		{name: "vm\x00", v21: strict, v2: relaxed},
		{name: "vm\x1b[31m", v21: strict, v2: relaxed},
		{name: "vm\u200b", v21: strict, v2: relaxed},     // Cf, a zero-width space
		{name: "vm\u2028x", v21: strict, v2: relaxed},    // Zl
		{name: "vm\U0001F600", v21: strict, v2: relaxed}, // beyond the BMP, in none of Nova's classes
		{name: " vm", v21: strict},
		{name: "vm\u00a0", v21: strict}, // Zs
		{name: "   ", v21: strict, v2: relaxed},
		{name: "vm\n"}, // Python's $ matches before a final newline
		{name: "vm\n\n", v21: strict, v2: relaxed},
		{name: "\n", v21: strict, v2: relaxed},
		{name: "", v21: "Invalid input for field/attribute name. Value: . '' should be non-empty", v2: relaxed},
	} {
		for _, ep := range []struct {
			root, want string
		}{{"/v2.1/", row.v21}, {"/v2/", row.v2}} {
			ex := create(ep.root, row.name)
			if ep.want == "" {
				assert.Equal(t, http.StatusAccepted, ex.status, "%q at %s: %s", row.name, ep.root, ex.body)
				continue
			}
			assertFault(t, ex, http.StatusBadRequest, ep.want)
		}
	}
}
