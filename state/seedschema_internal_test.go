package state

import (
	"encoding/json"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The JSON Schema of the seed file is in step with the Seed types: every
// field of every struct reachable from Seed is in the schema, with a type
// that fits, and every property of the schema is a field. New sections and
// fields fail here until the schema has them.
func TestSeedSchemaInStepWithTypes(t *testing.T) {
	var schema map[string]any
	require.NoError(t, json.Unmarshal(SeedSchema(), &schema))
	defs, _ := schema["$defs"].(map[string]any)
	resolve := func(node map[string]any) map[string]any {
		for {
			ref, ok := node["$ref"].(string)
			if !ok {
				return node
			}
			name, ok := strings.CutPrefix(ref, "#/$defs/")
			require.True(t, ok, "ref %q", ref)
			def, ok := defs[name].(map[string]any)
			require.True(t, ok, "no $defs/%s", name)
			node = def
		}
	}
	types := func(node map[string]any) []string {
		switch v := node["type"].(type) {
		case string:
			return []string{v}
		case []any:
			var out []string
			for _, x := range v {
				out = append(out, x.(string))
			}
			return out
		}
		if enum, ok := node["enum"].([]any); ok { // an enum's values tell its type
			kinds := map[string]bool{}
			for _, v := range enum {
				switch v.(type) {
				case string:
					kinds["string"] = true
				case float64:
					kinds["integer"] = true
				}
			}
			var out []string
			for k := range kinds {
				out = append(out, k)
			}
			return out
		}
		return nil
	}
	timeType := reflect.TypeOf(time.Time{})
	rawType := reflect.TypeOf(json.RawMessage{}) // a field whose JSON value the loader reads itself
	var walk func(path string, typ reflect.Type, node map[string]any)
	walk = func(path string, typ reflect.Type, node map[string]any) {
		node = resolve(node)
		for typ.Kind() == reflect.Pointer {
			typ = typ.Elem()
		}
		want := map[reflect.Kind]string{reflect.String: "string", reflect.Bool: "boolean", reflect.Int: "integer",
			reflect.Int64: "integer", reflect.Float64: "number", reflect.Slice: "array", reflect.Map: "object", reflect.Struct: "object"}[typ.Kind()]
		if typ == timeType {
			want = "string"
			assert.Equal(t, "date-time", node["format"], "%s: a time is a date-time string", path)
		}
		if typ == rawType {
			assert.NotEmpty(t, node["type"], "%s: a raw field still says its JSON types", path)
			return
		}
		require.NotEmpty(t, want, "%s: the test does not know Go kind %s", path, typ.Kind())
		assert.Contains(t, types(node), want, "%s: schema type %v for Go %s", path, node["type"], typ)
		switch {
		case typ == timeType:
		case typ.Kind() == reflect.Slice:
			items, ok := node["items"].(map[string]any)
			require.True(t, ok, "%s: an array needs items", path)
			walk(path+"[]", typ.Elem(), items)
		case typ.Kind() == reflect.Map:
			values, ok := node["additionalProperties"].(map[string]any)
			require.True(t, ok, "%s: a map needs additionalProperties as a schema", path)
			walk(path+".*", typ.Elem(), values)
		case typ.Kind() == reflect.Struct:
			assert.Equal(t, false, node["additionalProperties"], "%s: unknown fields are errors", path)
			props, _ := node["properties"].(map[string]any)
			var fields []string
			for i := 0; i < typ.NumField(); i++ {
				f := typ.Field(i)
				name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
				if !f.IsExported() || name == "-" {
					continue
				}
				require.NotEmpty(t, name, "%s.%s has no json name", path, f.Name)
				fields = append(fields, name)
				prop, ok := props[name].(map[string]any)
				if assert.True(t, ok, "%s: the schema lacks %q (Go field %s)", path, name, f.Name) {
					walk(path+"."+name, f.Type, prop)
				}
			}
			var names []string
			for name := range props {
				names = append(names, name)
			}
			sort.Strings(fields)
			sort.Strings(names)
			assert.Equal(t, fields, names, "%s: the schema's properties are the Go fields", path)
		}
	}
	walk("seed", reflect.TypeOf(Seed{}), schema)
}

// The schema's enums are the model's lists.
func TestSeedSchemaEnums(t *testing.T) {
	var schema struct {
		Defs map[string]struct {
			Enum       []string `json:"enum"`
			Properties map[string]struct {
				Enum  []string `json:"enum"`
				Items struct {
					Enum []string `json:"enum"`
				} `json:"items"`
			} `json:"properties"`
		} `json:"$defs"`
	}
	require.NoError(t, json.Unmarshal(SeedSchema(), &schema))
	assert.Equal(t, KnownRoles, schema.Defs["role"].Enum)
	var types []string
	for _, ct := range consoleTypeList {
		types = append(types, string(ct))
	}
	assert.Equal(t, types, schema.Defs["host"].Properties["console_types"].Items.Enum)
	var statuses []string
	for s := range statusStates {
		statuses = append(statuses, s)
	}
	sort.Strings(statuses)
	assert.Equal(t, statuses, schema.Defs["server"].Properties["status"].Enum)
}
