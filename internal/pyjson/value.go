package pyjson

// Kind is the Python type a JSON value decodes to.
type Kind uint8

// The kinds of Value.
const (
	Null   Kind = iota // None
	Bool               // bool
	Int                // int
	Float              // float
	String             // str
	Array              // list
	Object             // dict
)

// Value is a decoded JSON value.
type Value struct {
	Kind Kind // the Python type the value decodes to
	// Bool is the value of a Bool.
	Bool bool
	// Text is a String's value, or an Int's or Float's literal as written
	// (NaN, Infinity and -Infinity included).
	Text string
	// Items are an Array's elements.
	Items []Value
	// Members are an Object's members in document order, each key once.
	Members []Member
}

// Member is one key of an Object.
type Member struct {
	Key   string // the member's name
	Value Value  // its value
}

// Get returns the member of an Object with the given key.
func (v Value) Get(key string) (Value, bool) {
	for _, m := range v.Members {
		if m.Key == key {
			return m.Value, true
		}
	}
	return Value{}, false
}

// Len is Python's len() of the value, and false for a value len() refuses
// (None, bool, int, float), for which Python raises TypeError.
func (v Value) Len() (int, bool) {
	switch v.Kind {
	case String:
		n := 0
		for range v.Text {
			n++
		}
		return n, true
	case Array:
		return len(v.Items), true
	case Object:
		return len(v.Members), true
	}
	return 0, false
}

// TypeName is the value's Python type name, as jsonschema names JSON types.
func (v Value) TypeName() string {
	return [...]string{"null", "boolean", "integer", "number", "string", "array", "object"}[v.Kind]
}
