package identity

import (
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/novastub/novastub/internal/pyjson"
)

// Keystone validates the "auth" object of a token request with a JSON
// schema (keystone/auth/schema.py, token_issue) through jsonschema's
// Draft4Validator, and answers the first error as a 400 whose message is
// str() of jsonschema's error: its message, then the failing keyword, the
// schema it sits in and the instance, both pretty-printed by pprint
// (keystone/common/validation/validators.py; jsonschema 4's
// exceptions._Error.__str__ and _pretty). This file reproduces that for the
// one schema Keystone applies here.

// tokenIssueSchema is keystone.auth.schema.token_issue, written as JSON in
// the order of its Python dict (which pprint keeps: jsonschema 4 passes
// sort_dicts=False). "all" is parameter_types.boolean.
var tokenIssueSchema = mustParse(`{"type": "object", "properties": {` +
	`"identity": {"type": "object", "properties": {` +
	`"methods": {"type": "array", "items": {"type": "string"}}, ` +
	`"password": {"type": "object", "properties": {"user": {"type": "object", "properties": {` +
	`"id": {"type": "string"}, "name": {"type": "string"}, "password": {"type": "string"}, ` +
	`"domain": {"type": "object", "properties": {"id": {"type": "string"}, "name": {"type": "string"}}}}}}}, ` +
	`"token": {"type": "object", "properties": {"id": {"type": "string"}}, "required": ["id"]}}, ` +
	`"required": ["methods"]}, ` +
	`"scope": {"type": ["object", "string"], "properties": {` +
	`"project": {"type": "object", "properties": {"name": {"type": "string"}, "id": {"type": "string"}, ` +
	`"domain": {"type": "object", "properties": {"id": {"type": "string"}, "name": {"type": "string"}}}}}, ` +
	`"domain": {"type": "object", "properties": {"id": {"type": "string"}, "name": {"type": "string"}}}, ` +
	`"OS-TRUST:trust": {"type": "object", "properties": {"id": {"type": "string"}}}, ` +
	`"system": {"type": "object", "properties": {"all": {"type": "boolean", "enum": [true, false]}}}}}}, ` +
	`"required": ["identity"]}`)

func mustParse(s string) pyjson.Value {
	v, err := pyjson.Parse([]byte(s))
	if err != nil {
		panic(err)
	}
	return v
}

// pathElem is a step of a jsonschema path: a key, or an index of an array.
type pathElem struct {
	key     string
	index   int
	isIndex bool
}

// schemaError is a jsonschema ValidationError.
type schemaError struct {
	message    string
	validator  string     // the failing keyword
	path       []pathElem // where the instance is
	schemaPath []pathElem // where the keyword is, ending with it
	schema     pyjson.Value
	instance   pyjson.Value
}

// validateSchema returns the first error jsonschema's Draft4Validator
// yields for instance (Validator.validate raises the first of
// iter_errors), or nil. It knows the keywords of tokenIssueSchema: type,
// properties, required, items and enum, each applied in the schema's
// order.
func validateSchema(schema, instance pyjson.Value) *schemaError {
	e := firstError(schema, instance)
	if e != nil {
		// The paths were built innermost first, on the way out.
		slices.Reverse(e.path)
		slices.Reverse(e.schemaPath)
	}
	return e
}

// firstError validates inst against schema. An error's paths are relative
// to schema and inst, in reverse: each level appends its step as the error
// comes out, so that a valid instance costs no path at all.
func firstError(schema, inst pyjson.Value) *schemaError {
	fail := func(keyword, message string) *schemaError {
		return &schemaError{message: message, validator: keyword,
			schemaPath: []pathElem{{key: keyword}}, schema: schema, instance: inst}
	}
	for _, kw := range schema.Members {
		switch kw.Key {
		case "type":
			types := []pyjson.Value{kw.Value}
			if kw.Value.Kind == pyjson.Array {
				types = kw.Value.Items
			}
			ok := false
			for _, t := range types {
				ok = ok || isType(inst, t.Text)
			}
			if !ok {
				reprs := make([]string, len(types))
				for i, t := range types {
					reprs[i] = t.Repr()
				}
				return fail("type", inst.Repr()+" is not of type "+strings.Join(reprs, ", "))
			}
		case "properties":
			if inst.Kind != pyjson.Object {
				continue
			}
			for _, prop := range kw.Value.Members {
				if v, ok := inst.Get(prop.Key); ok {
					if e := firstError(prop.Value, v); e != nil {
						e.path = append(e.path, pathElem{key: prop.Key})
						e.schemaPath = append(e.schemaPath, pathElem{key: prop.Key}, pathElem{key: "properties"})
						return e
					}
				}
			}
		case "required":
			if inst.Kind != pyjson.Object {
				continue
			}
			for _, name := range kw.Value.Items {
				if _, ok := inst.Get(name.Text); !ok {
					return fail("required", pyjson.StringRepr(name.Text)+" is a required property")
				}
			}
		case "items":
			if inst.Kind != pyjson.Array {
				continue
			}
			for i, it := range inst.Items {
				if e := firstError(kw.Value, it); e != nil {
					e.path = append(e.path, pathElem{index: i, isIndex: true})
					e.schemaPath = append(e.schemaPath, pathElem{key: "items"})
					return e
				}
			}
		case "enum":
			found := false
			for _, e := range kw.Value.Items {
				found = found || sameValue(e, inst)
			}
			if !found {
				return fail("enum", inst.Repr()+" is not one of "+kw.Value.Repr())
			}
		}
	}
	return nil
}

// isType is jsonschema's Draft 4 type check for the types the schema uses.
func isType(v pyjson.Value, typ string) bool {
	switch typ {
	case "object":
		return v.Kind == pyjson.Object
	case "array":
		return v.Kind == pyjson.Array
	case "string":
		return v.Kind == pyjson.String
	case "boolean":
		return v.Kind == pyjson.Bool
	}
	return false
}

// sameValue compares the enum's booleans as jsonschema's enum does, which
// keeps True apart from 1. Only booleans are in the schema's enums.
func sameValue(a, b pyjson.Value) bool {
	return a.Kind == b.Kind && a.Bool == b.Bool && a.Text == b.Text
}

// detail is the message Keystone answers for the error: str() of it, after
// "Invalid input for field '<path>': " when the error has a path.
func (e *schemaError) detail() string {
	if len(e.path) == 0 {
		return e.String()
	}
	parts := make([]string, len(e.path))
	for i, p := range e.path {
		if p.isIndex {
			parts[i] = strconv.Itoa(p.index)
		} else {
			parts[i] = p.key
		}
	}
	return msgSchemaField(strings.Join(parts, "/"), e.String())
}

// String is str() of a jsonschema 4 ValidationError.
func (e *schemaError) String() string {
	var b strings.Builder
	b.WriteString(e.message)
	b.WriteString("\n\nFailed validating ")
	b.WriteString(pyjson.StringRepr(e.validator))
	b.WriteString(" in ")
	b.WriteString(formatAsIndex("schema", e.schemaPath[:len(e.schemaPath)-1]))
	b.WriteString(":\n    ")
	b.WriteString(indentLines(pformat(e.schema), "    "))
	b.WriteString("\n\nOn ")
	b.WriteString(formatAsIndex("instance", e.path))
	b.WriteString(":\n    ")
	b.WriteString(indentLines(pformat(e.instance), "    "))
	return b.String()
}

// formatAsIndex is jsonschema's _utils.format_as_index: container, then
// each index's repr in brackets.
func formatAsIndex(container string, path []pathElem) string {
	var b strings.Builder
	b.WriteString(container)
	for _, p := range path {
		b.WriteByte('[')
		if p.isIndex {
			b.WriteString(strconv.Itoa(p.index))
		} else {
			b.WriteString(pyjson.StringRepr(p.key))
		}
		b.WriteByte(']')
	}
	return b.String()
}

// indentLines puts prefix before every line of s but the first (which the
// caller has placed), skipping blank lines as textwrap.indent does.
func indentLines(s, prefix string) string {
	if !strings.Contains(s, "\n") {
		return s
	}
	lines := strings.Split(s, "\n")
	for i := 1; i < len(lines); i++ {
		if strings.TrimSpace(lines[i]) != "" {
			lines[i] = prefix + lines[i]
		}
	}
	return strings.Join(lines, "\n")
}

// pformat is Python's pprint.pformat(v, width=72, sort_dicts=False), for
// the values JSON decodes to.
func pformat(v pyjson.Value) string {
	p := pprinter{width: 72}
	p.format(v, 0, 0, 0)
	return p.b.String()
}

// pprinter follows CPython's pprint.PrettyPrinter (indent 1, no depth
// limit, not compact) method by method.
type pprinter struct {
	b     strings.Builder
	width int
}

func (p *pprinter) format(v pyjson.Value, indent, allowance, level int) {
	rep := v.Repr()
	if utf8.RuneCountInString(rep) > p.width-indent-allowance {
		switch v.Kind {
		case pyjson.Object:
			p.dict(v, indent, allowance, level+1)
			return
		case pyjson.Array:
			p.list(v, indent, allowance, level+1)
			return
		case pyjson.String:
			p.str(v.Text, indent, allowance, level+1)
			return
		}
	}
	p.b.WriteString(rep)
}

func (p *pprinter) dict(v pyjson.Value, indent, allowance, level int) {
	p.b.WriteByte('{')
	if len(v.Members) > 0 {
		indent++
		allowance++
		delim := ",\n" + strings.Repeat(" ", indent)
		for i, m := range v.Members {
			last := i == len(v.Members)-1
			rep := pyjson.StringRepr(m.Key)
			p.b.WriteString(rep)
			p.b.WriteString(": ")
			a := 1
			if last {
				a = allowance
			}
			p.format(m.Value, indent+utf8.RuneCountInString(rep)+2, a, level)
			if !last {
				p.b.WriteString(delim)
			}
		}
	}
	p.b.WriteByte('}')
}

func (p *pprinter) list(v pyjson.Value, indent, allowance, level int) {
	p.b.WriteByte('[')
	allowance++
	indent++
	delim := ",\n" + strings.Repeat(" ", indent)
	for i, it := range v.Items {
		if i > 0 {
			p.b.WriteString(delim)
		}
		a := 1
		if i == len(v.Items)-1 {
			a = allowance
		}
		p.format(it, indent, a, level)
	}
	p.b.WriteByte(']')
}

// str is PrettyPrinter._pprint_str: a string too long for its line is
// split into adjacent literals at line ends and between words, in
// parentheses at the top level.
func (p *pprinter) str(s string, indent, allowance, level int) {
	lines := splitLinesKeepEnds(s)
	if level == 1 {
		indent++
		allowance++
	}
	maxWidth1, maxWidth := p.width-indent, p.width-indent
	var chunks []string
	rep := ""
	for i, line := range lines {
		rep = pyjson.StringRepr(line)
		if i == len(lines)-1 {
			maxWidth1 -= allowance
		}
		if utf8.RuneCountInString(rep) <= maxWidth1 {
			chunks = append(chunks, rep)
			continue
		}
		parts := wordParts(line)
		maxWidth2 := maxWidth
		current := ""
		for j, part := range parts {
			candidate := current + part
			if j == len(parts)-1 && i == len(lines)-1 {
				maxWidth2 -= allowance
			}
			if utf8.RuneCountInString(pyjson.StringRepr(candidate)) > maxWidth2 {
				if current != "" {
					chunks = append(chunks, pyjson.StringRepr(current))
				}
				current = part
			} else {
				current = candidate
			}
		}
		if current != "" {
			chunks = append(chunks, pyjson.StringRepr(current))
		}
	}
	if len(chunks) == 1 {
		p.b.WriteString(rep)
		return
	}
	if level == 1 {
		p.b.WriteByte('(')
	}
	for i, c := range chunks {
		if i > 0 {
			p.b.WriteString("\n" + strings.Repeat(" ", indent))
		}
		p.b.WriteString(c)
	}
	if level == 1 {
		p.b.WriteByte(')')
	}
}

// splitLinesKeepEnds is Python's str.splitlines(True).
func splitLinesKeepEnds(s string) []string {
	var lines []string
	start := 0
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch r {
		case '\n', '\v', '\f', 0x1c, 0x1d, 0x1e, 0x85, 0x2028, 0x2029:
			lines = append(lines, s[start:i+size])
			start = i + size
		case '\r':
			end := i + size
			if end < len(s) && s[end] == '\n' {
				end++
			}
			lines = append(lines, s[start:end])
			start = end
			i = end
			continue
		}
		i += size
	}
	if start < len(s) {
		lines = append(lines, s[start:])
	}
	return lines
}

// wordParts is re.findall(r'\S*\s*', line) without its final empty match.
func wordParts(line string) []string {
	var parts []string
	for i := 0; i < len(line); {
		start := i
		for i < len(line) {
			r, size := utf8.DecodeRuneInString(line[i:])
			if isPySpace(r) {
				break
			}
			i += size
		}
		for i < len(line) {
			r, size := utf8.DecodeRuneInString(line[i:])
			if !isPySpace(r) {
				break
			}
			i += size
		}
		parts = append(parts, line[start:i])
	}
	return parts
}

// isPySpace is Python's str.isspace for one character, which also counts
// the separators U+001C to U+001F.
func isPySpace(r rune) bool { return unicode.IsSpace(r) || r >= 0x1c && r <= 0x1f }
