// Package pyjson reads and writes JSON the way Nova's Python does, so that
// novastub's answers match Nova's byte for byte:
//
//   - Parse accepts what Python's json.loads accepts (NaN and Infinity too,
//     duplicate keys with the last value winning, any top-level value) and
//     keeps object members in document order, as a Python dict does.
//   - Value.Str and Value.Repr print a decoded value as Python's str() and
//     repr() do; jsonschema and Nova put those in their error messages.
//   - AppendString quotes a string as json.dumps does by default
//     (ensure_ascii: Nova, Neutron, Keystone), AppendStringUnicode as
//     json.dumps(ensure_ascii=False) does (Glance); callers assemble
//     documents around them with the separators their service uses.
package pyjson
