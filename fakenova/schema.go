package fakenova

import (
	"errors"
	"math/big"
	"net/netip"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"github.com/novastub/novastub/internal/pyjson"
)

// schema is the part of JSON Schema (draft 2020-12, as Nova's validator
// extends it: nova/api/validation/validators.py) that Nova's request
// schemas use here. jsonschema checks a schema's keywords in the order of
// Nova's schema dicts; every schema of Nova's that the fake uses lists
// them in this order, which check follows:
//
//	type, enum, pattern, format, minimum, minLength, maxLength, oneOf,
//	items, properties, required, additionalProperties
//
// The first error found is the one reported, as Nova reports it
// (Validator.validate raises the first error of iter_errors).
type schema struct {
	types      []string       // JSON types: "object", "string", "integer", "array", "null", "boolean"; none for any
	enum       []string       // a string enum
	enumValues []pyjson.Value // an enum of other values (parameter_types.boolean); checked when set
	pattern    *pyPattern
	// format is a format Nova's FormatChecker knows: "uuid", "ipv4",
	// "ipv6", "name", "name_with_leading_trailing_spaces".
	format string
	// minimum, when hasMinimum, is checked as Nova's _validate_minimum
	// does: numbers, and strings int() or float() can read.
	minimum    int64
	hasMinimum bool
	minLength  int
	maxLength  int // 0 for none; maxLengthZero for 0
	oneOf      []*schema
	items      *schema
	properties []property
	required   []string
	// noAdditional is additionalProperties False.
	noAdditional bool
}

// maxLengthZero is a maxLength of 0 (only the empty string).
const maxLengthZero = -1

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

// typed returns a schema of the given JSON types.
func typed(types ...string) *schema { return &schema{types: types} }

// prop names a property.
func prop(name string, s *schema) property { return property{name, s} }

// pyPattern is a regular expression as jsonschema applies it, with
// Python's re.search: a final "$" also matches before a trailing newline.
type pyPattern struct {
	text string // as Nova's schema writes it, for the message
	re   *regexp.Regexp
}

// newPattern compiles a pattern written for Python's re module (the
// subset Nova's schemas use, which Go's syntax shares).
func newPattern(text string) *pyPattern {
	expr := text
	if strings.HasSuffix(expr, "$") && !strings.HasSuffix(expr, `\$`) {
		expr = expr[:len(expr)-1] + `\n?\z`
	}
	return &pyPattern{text: text, re: regexp.MustCompile(expr)}
}

// validationError is a jsonschema ValidationError as Nova reports it.
type validationError struct {
	// key is the last element of the path to the instance, which is all
	// of the path Nova reports for a body (ex.path.pop(); an array index
	// for an item), the first for a query (ex.path.popleft()); nested
	// says there is a path at all.
	key      string
	nested   bool
	instance pyjson.Value
	message  string // jsonschema's message
	// cause is the message of the exception a format checker raised
	// (InvalidName), which Nova reports instead of everything else.
	cause string
}

// Message is Nova's ValidationError text for a request body
// (nova/api/validation/validators.py): the bare jsonschema message for an
// error at the top, else "Invalid input for field/attribute <last key>.
// Value: <str(instance)>. <message>".
func (e *validationError) Message() string {
	switch {
	case e.cause != "":
		return e.cause
	case !e.nested:
		return e.message
	}
	return "Invalid input for field/attribute " + e.key +
		". Value: " + e.instance.Str() + ". " + e.message
}

// queryMessage is Nova's ValidationError text for query parameters.
func (e *validationError) queryMessage() string {
	switch {
	case e.cause != "":
		return e.cause
	case !e.nested:
		return e.message
	}
	return "Invalid input for query parameters " + e.key +
		". Value: " + e.instance.Str() + ". " + e.message
}

// validate checks v against s. Relaxed validation (the legacy /v2
// endpoint) lets additional properties through, as Nova strips them there.
func (s *schema) validate(v pyjson.Value, relaxed bool) *validationError {
	return s.check(v, relaxed)
}

// check returns the first error; the caller that descended into a
// property or an item names it as the error's key, the innermost one
// first.
func (s *schema) check(v pyjson.Value, relaxed bool) *validationError {
	fail := func(msg string) *validationError {
		return &validationError{instance: v, message: msg}
	}
	if len(s.types) > 0 && !isType(v, s.types) {
		return fail(v.Repr() + " is not of type " + strings.TrimSuffix(strings.TrimPrefix(pyjson.StringListRepr(s.types), "["), "]"))
	}
	if s.enum != nil && !contains(s.enum, v) {
		return fail(v.Repr() + " is not one of " + pyjson.StringListRepr(s.enum))
	}
	if s.enumValues != nil && !containsValue(s.enumValues, v) {
		return fail(v.Repr() + " is not one of " + pyjson.Arr(s.enumValues...).Repr())
	}
	if s.pattern != nil && v.Kind == pyjson.String && !s.pattern.re.MatchString(v.Text) {
		return fail(v.Repr() + " does not match " + pyjson.StringRepr(s.pattern.text))
	}
	if s.format != "" && v.Kind == pyjson.String {
		if err := checkFormat(s.format, v); err != nil {
			return err
		}
	}
	if s.hasMinimum {
		if n, ok := numberFromValue(v); ok && n.less(s.minimum) {
			return fail(n.repr() + " is less than the minimum of " + strconv.FormatInt(s.minimum, 10))
		}
	}
	if v.Kind == pyjson.String {
		n, _ := v.Len()
		switch {
		case n < s.minLength && s.minLength == 1:
			return fail(v.Repr() + " should be non-empty") // jsonschema 4.21 and later
		case n < s.minLength:
			return fail(v.Repr() + " is too short")
		case s.maxLength > 0 && n > s.maxLength, s.maxLength == maxLengthZero && n > 0:
			return fail(v.Repr() + " is too long")
		}
	}
	if s.oneOf != nil {
		matched := false
		for _, sub := range s.oneOf {
			if sub.check(v, relaxed) == nil {
				matched = true
				break
			}
		}
		if !matched {
			return fail(v.Repr() + " is not valid under any of the given schemas")
		}
	}
	if s.items != nil && v.Kind == pyjson.Array {
		for i, item := range v.Items {
			if err := s.items.check(item, relaxed); err != nil {
				if !err.nested {
					err.key, err.nested = strconv.Itoa(i), true
				}
				return err
			}
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

// isType is jsonschema's type check (draft 2020-12): a bool is no integer,
// and a float with an integral value is one.
func isType(v pyjson.Value, types []string) bool {
	for _, t := range types {
		switch {
		case t == "object" && v.Kind == pyjson.Object,
			t == "string" && v.Kind == pyjson.String,
			t == "array" && v.Kind == pyjson.Array,
			t == "integer" && v.Kind == pyjson.Int,
			t == "integer" && v.Kind == pyjson.Float && integralFloat(v.Text),
			t == "number" && (v.Kind == pyjson.Int || v.Kind == pyjson.Float),
			t == "boolean" && v.Kind == pyjson.Bool,
			t == "null" && v.Kind == pyjson.Null:
			return true
		}
	}
	return false
}

// integralFloat reports whether a JSON float literal is float.is_integer()
// in Python (infinities and NaN are not).
func integralFloat(text string) bool {
	f, err := strconv.ParseFloat(text, 64)
	if err != nil {
		return false // out of range (an infinity in Python) or NaN
	}
	return f == float64(int64(f)) || f > 1<<62 || f < -(1<<62)
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

// containsValue is jsonschema's enum membership for strings and booleans
// (its equal() tells True from 1).
func containsValue(values []pyjson.Value, v pyjson.Value) bool {
	for _, x := range values {
		if x.Kind == v.Kind && x.Text == v.Text && x.Bool == v.Bool && (x.Kind == pyjson.String || x.Kind == pyjson.Bool || x.Kind == pyjson.Null) {
			return true
		}
	}
	return false
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

// pyNumber is the number Nova's _number_from_str makes of an instance:
// int() of it, else float() of it.
type pyNumber struct {
	i       *big.Int // when an integer
	f       float64
	isFloat bool
}

func (n pyNumber) less(min int64) bool {
	if n.isFloat {
		return n.f < float64(min) // NaN compares false, as in Python
	}
	return n.i.Cmp(big.NewInt(min)) < 0
}

func (n pyNumber) repr() string {
	if n.isFloat {
		return pyjson.FloatRepr(n.f)
	}
	return n.i.String()
}

// numberFromValue is Nova's _number_from_str: int(instance), else
// float(instance); ok is false for what neither reads (None, a list, a
// dict, "abc"), which minimum lets through. int() of a float truncates it,
// and of a bool is 0 or 1.
func numberFromValue(v pyjson.Value) (pyNumber, bool) {
	switch v.Kind {
	case pyjson.Int:
		i, ok := new(big.Int).SetString(strings.TrimPrefix(v.Text, "+"), 10)
		return pyNumber{i: i}, ok
	case pyjson.Float:
		// int() of a float truncates it; every schema here checks the
		// type first, so only integral floats get this far.
		f, err := strconv.ParseFloat(v.Text, 64)
		if err != nil || f != f {
			return pyNumber{}, false
		}
		i, _ := new(big.Float).SetFloat64(f).Int(nil)
		return pyNumber{i: i}, true
	case pyjson.Bool:
		if v.Bool {
			return pyNumber{i: big.NewInt(1)}, true
		}
		return pyNumber{i: big.NewInt(0)}, true
	case pyjson.String:
		if i, ok := pyjson.ParseInt(v.Text); ok {
			return pyNumber{i: i}, true
		}
		if f, ok := pyFloat(v.Text); ok {
			return pyNumber{f: f, isFloat: true}, true
		}
	}
	return pyNumber{}, false
}

// pyFloat is Python's float() of a string, for what strconv reads alike:
// decimal and exponent forms, inf, nan, with surrounding whitespace.
func pyFloat(s string) (float64, bool) {
	s = strings.TrimFunc(s, unicode.IsSpace)
	if s == "" || strings.ContainsAny(s, "xXpP_") {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	var numErr *strconv.NumError
	if err != nil && !(errors.As(err, &numErr) && numErr.Err == strconv.ErrRange) {
		return 0, false
	}
	return f, true
}

// checkFormat is Nova's FormatChecker for a string: nil when it passes.
func checkFormat(format string, v pyjson.Value) *validationError {
	ok := true
	switch format {
	case "uuid":
		ok = uuidLike(v.Text)
	case "ipv4":
		a, err := netip.ParseAddr(v.Text)
		ok = err == nil && a.Is4()
	case "ipv6":
		a, err := netip.ParseAddr(v.Text)
		ok = err == nil && a.Is6() && a.Zone() == ""
	case "name":
		if !validName(v.Text) {
			return &validationError{instance: v, cause: msgInvalidName("printable characters. Can not start or end with whitespace.")}
		}
	case "name_with_leading_trailing_spaces":
		if !validNameWithSpaces(v.Text) {
			return &validationError{instance: v, cause: msgInvalidName("printable characters with at least one non space character")}
		}
	}
	if !ok {
		return &validationError{instance: v, message: v.Repr() + " is not a " + pyjson.StringRepr(format)}
	}
	return nil
}

// msgInvalidName is Nova's InvalidName.
func msgInvalidName(reason string) string {
	return "An invalid 'name' value was provided. The name must be: " + reason
}

// uuidLike is oslo's uuidutils.is_uuid_like: 32 hex digits, in any case,
// after "urn:", "uuid:", surrounding braces and dashes are dropped.
func uuidLike(s string) bool {
	s = strings.ReplaceAll(s, "urn:", "")
	s = strings.ReplaceAll(s, "uuid:", "")
	s = strings.Trim(s, "{}")
	s = strings.ReplaceAll(s, "-", "")
	if len(s) != 32 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

// printableNameChar is Nova's _is_printable (parameter_types.py), over the
// characters its regular expression covers (below U+FFFF): not a control,
// format, private-use, surrogate or unassigned character, and no space
// other than a horizontal one (Zs).
func printableNameChar(r rune) bool {
	if r >= 0xFFFF {
		return false
	}
	switch {
	case unicode.In(r, unicode.L, unicode.M, unicode.N, unicode.P, unicode.S, unicode.Zs):
		return true
	}
	return false
}

// validName is re.search of Nova's valid_name_regex,
// ^(?![ws])[printable]*(?<![ws])$ where ws is every character that is
// not printable or is a space (Zs): printable characters, not starting or
// ending with a space (the empty name passes, for minLength to report).
// Python's $ also matches before a final newline, so one trailing "\n"
// passes, as in Nova.
func validName(s string) bool {
	if s == "" {
		return true
	}
	if s = strings.TrimSuffix(s, "\n"); s == "" {
		return false // "\n" alone: its first character is no printable one
	}
	first, last := true, rune(0)
	for _, r := range s {
		if !printableNameChar(r) {
			return false
		}
		if first && unicode.Is(unicode.Zs, r) {
			return false
		}
		first, last = false, r
	}
	return last == 0 || !unicode.Is(unicode.Zs, last)
}

// validNameWithSpaces is re.search of Nova's
// valid_name_leading_trailing_spaces_regex: printable characters with at
// least one that is not a space; one trailing "\n" passes, as in Nova.
func validNameWithSpaces(s string) bool {
	s = strings.TrimSuffix(s, "\n")
	nonSpace := false
	for _, r := range s {
		if !printableNameChar(r) {
			return false
		}
		if !unicode.Is(unicode.Zs, r) {
			nonSpace = true
		}
	}
	return nonSpace
}
