package state

import (
	_ "embed" // the seed file's JSON Schema
)

//go:embed seed.schema.json
var seedSchema []byte

// SeedSchema returns the JSON Schema (draft 2020-12) of the seed file, for
// editors and validators: the fields, their types and the values Load
// takes. A test keeps it in step with the Seed types.
func SeedSchema() []byte { return append([]byte(nil), seedSchema...) }
