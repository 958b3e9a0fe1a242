package fakenova

import (
	"net/http"
	"slices"
	"sort"

	"github.com/novastub/novastub/fakenova/internal/multidict"
	"github.com/novastub/novastub/internal/pyjson"
)

// Query strings as Nova reads them: webob's Request.GET (multidict.
// ParseWebob), and the query schemas of nova/api/validation (query_schema,
// multi_params).

// msgQueryNotUTF8 is Nova's query_schema answer to a query string webob
// cannot decode.
const msgQueryNotUTF8 = "Query string is not UTF-8 encoded"

// querySchema is a query schema of Nova's: each parameter multi_params of
// an item schema (any number of values, each checked), in the schema's
// order; additional parameters allowed (and stripped) or not.
type querySchema struct {
	params       []property
	noAdditional bool
}

// validate checks the query as Nova's query_schema does: the first bad
// value of the first parameter in the schema's order, then the
// additional parameters (not on the legacy /v2 endpoint, which strips
// them). It returns the parameters the handler sees: those of the schema
// only, when additional ones are allowed.
func (q *querySchema) validate(pairs multidict.Params, legacy bool) (multidict.Params, error) {
	for _, p := range q.params {
		for _, qp := range pairs {
			if qp.Key != p.name {
				continue
			}
			if verr := p.schema.check(pyjson.Str(qp.Value), false); verr != nil {
				if !verr.nested {
					verr.key, verr.nested = p.name, true
				}
				return nil, fault(http.StatusBadRequest, verr.queryMessage())
			}
		}
	}
	var extras []string
	known := pairs[:0:0]
	for _, qp := range pairs {
		if q.has(qp.Key) {
			known = append(known, qp)
		} else if !slices.Contains(extras, qp.Key) {
			extras = append(extras, qp.Key)
		}
	}
	if len(extras) == 0 {
		return pairs, nil
	}
	if q.noAdditional && !legacy {
		return nil, fault(http.StatusBadRequest, msgAdditionalProperties(extras))
	}
	return known, nil
}

func (q *querySchema) has(name string) bool {
	for _, p := range q.params {
		if p.name == name {
			return true
		}
	}
	return false
}

// nextQuery is the query of Nova's "next" link (common.ViewBuilder
// _get_next_link): the request's parameters sorted by name and value,
// each name once with its last value in that order, and marker set to
// the last item's id; urlencoded as Python's urlencode (quote_plus).
func nextQuery(pairs multidict.Params, marker string) string {
	sorted := append(multidict.Params(nil), pairs...)
	sort.SliceStable(sorted, func(i, j int) bool {
		if sorted[i].Key != sorted[j].Key {
			return sorted[i].Key < sorted[j].Key
		}
		return sorted[i].Value < sorted[j].Value
	})
	params := sorted.Dict() // OrderedDict(sorted(request.params.items()))
	params.Assign("marker", marker)
	return params.Encode()
}

// nonNegativeInteger is parameter_types.non_negative_integer.
var nonNegativeInteger = &schema{types: []string{"integer", "string"}, pattern: newPattern("^[0-9]*$"),
	minimum: 0, hasMinimum: true, minLength: 1}
