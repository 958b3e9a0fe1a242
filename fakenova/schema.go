package fakenova

import (
	"sort"
	"strings"

	"github.com/novastub/novastub/internal/pyjson"
)

// schema is the part of JSON Schema (draft 4) that Nova's request schemas
// use here, checked in the order jsonschema checks the keywords of Nova's
// schema dicts: type, enum, format, minLength, maxLength, properties,
// required, additionalProperties. The first error found is the one
// reported, as Nova reports it.
type schema struct {
	types        []string // JSON types: "object", "string", "integer", "array"; none for any
	enum         []string
	format       string // formatName or formatNameSpaces, for strings; "" for none
	minLength    int
	maxLength    int // 0 for none
	properties   []property
	required     []string
	noAdditional bool
}

type property struct {
	name   string
	schema *schema
}

// object returns an object schema with the given properties, all required,
// and no additional properties: the shape of every console request.
func object(props ...property) *schema {
	s := &schema{types: []string{"object"}, properties: props, noAdditional: true}
	for _, p := range props {
		s.required = append(s.required, p.name)
	}
	return s
}

// enum returns a string schema that accepts the given values.
func enum(values ...string) *schema { return &schema{types: []string{"string"}, enum: values} }

// anything is a schema that accepts any value.
var anything = &schema{}

// typed returns a schema of the given JSON types.
func typed(types ...string) *schema { return &schema{types: types} }

// prop names a property.
func prop(name string, s *schema) property { return property{name, s} }

// validationError is a jsonschema ValidationError as Nova reports it.
type validationError struct {
	// key is the last key of the path to the instance, which is all of
	// the path Nova reports; nested says there is a path at all.
	key      string
	nested   bool
	instance pyjson.Value
	message  string // jsonschema's message
	// whole says message is Nova's whole text, as for a format error
	// whose cause is InvalidName.
	whole bool
}

// Message is Nova's ValidationError text (nova/api/validation/validators.py):
// the bare jsonschema message for an error at the top, else "Invalid input
// for field/attribute <last key>. Value: <str(instance)>. <message>".
func (e *validationError) Message() string {
	if !e.nested || e.whole {
		return e.message
	}
	return "Invalid input for field/attribute " + e.key +
		". Value: " + e.instance.Str() + ". " + e.message
}

// validate checks v against s. Relaxed validation (the legacy /v2
// endpoint) lets additional properties through, as Nova strips them there.
func (s *schema) validate(v pyjson.Value, relaxed bool) *validationError {
	return s.check(v, relaxed)
}

// check returns the first error; the caller that descended into a
// property names it as the error's key, the innermost one first.
func (s *schema) check(v pyjson.Value, relaxed bool) *validationError {
	fail := func(msg string) *validationError {
		return &validationError{instance: v, message: msg}
	}
	if len(s.types) > 0 && !isType(v, s.types) {
		return fail(v.Repr() + " is not of type " + strings.TrimSuffix(strings.TrimPrefix(reprList(s.types), "["), "]"))
	}
	if s.enum != nil && !contains(s.enum, v) {
		return fail(v.Repr() + " is not one of " + reprList(s.enum))
	}
	if v.Kind == pyjson.String && s.format != "" {
		if msg := checkFormat(s.format, v.Text); msg != "" {
			return &validationError{instance: v, message: msg, whole: true}
		}
	}
	if v.Kind == pyjson.String {
		n, _ := v.Len()
		switch {
		case n < s.minLength && s.minLength == 1:
			return fail(v.Repr() + " should be non-empty") // jsonschema 4.21 and later
		case n < s.minLength:
			return fail(v.Repr() + " is too short")
		case s.maxLength > 0 && n > s.maxLength:
			return fail(v.Repr() + " is too long")
		}
	}
	if v.Kind != pyjson.Object {
		return nil
	}
	for _, p := range s.properties {
		if pv, ok := v.Get(p.name); ok {
			if err := p.schema.check(pv, relaxed); err != nil {
				if !err.nested {
					err.key, err.nested = p.name, true
				}
				return err
			}
		}
	}
	for _, name := range s.required {
		if _, ok := v.Get(name); !ok {
			return fail(pyjson.StringRepr(name) + " is a required property")
		}
	}
	if s.noAdditional && !relaxed {
		var extras []string
		for _, m := range v.Members {
			if !s.hasProperty(m.Key) {
				extras = append(extras, m.Key)
			}
		}
		if len(extras) > 0 {
			return fail(msgAdditionalProperties(extras))
		}
	}
	return nil
}

func (s *schema) hasProperty(name string) bool {
	for _, p := range s.properties {
		if p.name == name {
			return true
		}
	}
	return false
}

// isType is jsonschema's type check (draft 4): a bool is no integer.
func isType(v pyjson.Value, types []string) bool {
	for _, t := range types {
		switch {
		case t == "object" && v.Kind == pyjson.Object,
			t == "string" && v.Kind == pyjson.String,
			t == "array" && v.Kind == pyjson.Array,
			t == "integer" && v.Kind == pyjson.Int,
			t == "boolean" && v.Kind == pyjson.Bool,
			t == "null" && v.Kind == pyjson.Null:
			return true
		}
	}
	return false
}

func contains(values []string, v pyjson.Value) bool {
	if v.Kind != pyjson.String {
		return false
	}
	for _, x := range values {
		if x == v.Text {
			return true
		}
	}
	return false
}

// reprList is Python's repr() of a list of strings: ['a', 'b'].
func reprList(values []string) string {
	quoted := make([]string, len(values))
	for i, x := range values {
		quoted[i] = pyjson.StringRepr(x)
	}
	return "[" + strings.Join(quoted, ", ") + "]"
}

// msgAdditionalProperties is jsonschema's additionalProperties message for
// the given unexpected names: sorted, each repr()'d.
func msgAdditionalProperties(extras []string) string {
	sort.Strings(extras)
	verb := "were"
	if len(extras) == 1 {
		verb = "was"
	}
	quoted := make([]string, len(extras))
	for i, x := range extras {
		quoted[i] = pyjson.StringRepr(x)
	}
	return "Additional properties are not allowed (" + strings.Join(quoted, ", ") + " " + verb + " unexpected)"
}
