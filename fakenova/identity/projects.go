package identity

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/novastub/novastub/fakenova/internal/multidict"
	"github.com/novastub/novastub/internal/pyjson"
	"github.com/novastub/novastub/internal/wire"
	"github.com/novastub/novastub/state"
)

// The project calls: GET /v3/projects, /v3/projects/{id},
// /v3/auth/projects and /v3/users/{id}/projects, as keystone/api/
// projects.py, auth.py and users.py answer them from Keystone's SQL
// backend (keystone/resource/backends/sql.py).

// projectRow is a row of Keystone's project table: a project of the store,
// or a domain (which Keystone keeps as a project acting as a domain).
type projectRow struct {
	id, name string
	domainID string // "" for a domain, whose domain_id and parent_id are null
	isDomain bool
}

// descriptionOfDefaultDomain is what Keystone creates the default domain
// with (keystone/resource/core.py, and keystone-manage bootstrap).
const descriptionOfDefaultDomain = "The default domain"

func rowOfProject(p state.Project) projectRow {
	domainID := p.DomainID
	if domainID == "" {
		domainID = state.DefaultDomainID
	}
	return projectRow{id: p.ID, name: p.Name, domainID: domainID}
}

// attr is the row's attribute as Project.to_dict gives it, for filters.
func (row projectRow) attr(name string) pyjson.Value {
	switch name {
	case "id":
		return pyjson.Str(row.id)
	case "name":
		return pyjson.Str(row.name)
	case "domain_id", "parent_id":
		// A top-level project's parent is its domain.
		if row.isDomain {
			return pyjson.NullValue
		}
		return pyjson.Str(row.domainID)
	case "enabled":
		return pyjson.BoolValue(true)
	case "is_domain":
		return pyjson.BoolValue(row.isDomain)
	}
	return pyjson.NullValue
}

// projectValue is a project as Keystone shows it: Project.to_dict (id,
// name, domain_id, description, enabled, parent_id, is_domain, tags, then
// options) with the link wrap_member adds. The store has no descriptions,
// tags or disabled projects: a project's description (and a domain's but
// the default one's) is null, as `openstack project create` without
// --description leaves it.
func (s *Service) projectValue(r *http.Request, row projectRow) pyjson.Value {
	description := pyjson.NullValue
	if row.isDomain && row.id == state.DefaultDomainID {
		description = pyjson.Str(descriptionOfDefaultDomain)
	}
	return pyjson.Obj(
		pyjson.M("id", pyjson.Str(row.id)),
		pyjson.M("name", pyjson.Str(row.name)),
		pyjson.M("domain_id", row.attr("domain_id")),
		pyjson.M("description", description),
		pyjson.M("enabled", pyjson.BoolValue(true)),
		pyjson.M("parent_id", row.attr("parent_id")),
		pyjson.M("is_domain", pyjson.BoolValue(row.isDomain)),
		pyjson.M("tags", pyjson.Arr()),
		pyjson.M("options", pyjson.Obj()),
		pyjson.M("links", pyjson.Obj(pyjson.M("self", pyjson.Str(s.v3URL(r, "projects/"+row.id))))),
	)
}

// projectRows are every row of the project table but Keystone's root of
// domains, in primary key order: the store's projects, and the domains
// (the default one, and those a project or a user is in).
func (s *Service) projectRows() []projectRow {
	projects := s.store.Projects()
	rows := make([]projectRow, 0, len(projects)+1)
	domains := map[string]bool{state.DefaultDomainID: true}
	for _, p := range projects {
		row := rowOfProject(p)
		rows = append(rows, row)
		domains[row.domainID] = true
	}
	for _, u := range s.store.Users() {
		domains[state.DomainIDForName(u.Domain)] = true
	}
	for id := range domains {
		rows = append(rows, projectRow{id: id, name: state.DomainNameForID(id), isDomain: true})
	}
	slices.SortFunc(rows, func(a, b projectRow) int { return strings.Compare(a.id, b.id) })
	return rows
}

// projectRowByID finds a project or a domain by id.
func (s *Service) projectRowByID(id string) (projectRow, bool) {
	if p, err := s.store.Project(id); err == nil {
		return rowOfProject(p), true
	}
	for _, row := range s.projectRows() {
		if row.isDomain && row.id == id {
			return row, true
		}
	}
	return projectRow{}, false
}

// filter is a list filter of Keystone's driver hints: an exact one
// ("equals"), or an inexact one from a parameter name__comparator
// (contains, startswith, endswith; an "i" before them makes them
// case-insensitive; other comparators are ignored).
type filter struct {
	name, value, comparator string
	caseSensitive           bool
}

// The filters of each list (the supported_filters of build_driver_hints).
var (
	projectFilters     = []string{"domain_id", "enabled", "name", "parent_id", "is_domain"}
	userProjectFilters = []string{"domain_id", "enabled", "name"}
)

// buildFilters is ResourceBase.build_driver_hints' filters: every value of
// a supported name, and of a supported name followed by "__" and a
// comparator.
func buildFilters(args multidict.Params, supported []string) []filter {
	var out []filter
	for _, arg := range args.Grouped() {
		if slices.Contains(supported, arg.Key) {
			out = append(out, filter{name: arg.Key, value: arg.Value, comparator: "equals", caseSensitive: true})
			continue
		}
		for _, key := range supported {
			if comparator, ok := strings.CutPrefix(arg.Key, key+"__"); ok {
				f := filter{name: key, value: arg.Value, comparator: comparator, caseSensitive: true}
				if strings.HasPrefix(comparator, "i") {
					f.comparator, f.caseSensitive = comparator[1:], false
				}
				out = append(out, f)
			}
		}
	}
	return out
}

// listLimit is build_driver_hints' limit: the first "limit" parameter,
// when not empty, through int() (a ValueError Keystone does not catch: a
// 500) and capped at [DEFAULT] max_db_limit.
func listLimit(args multidict.Params) (limit int64, ok bool, e *apiError) {
	v, present := args.First("limit")
	if !present || v == "" {
		return 0, false, nil
	}
	n, valid := pyInt(v)
	if !valid {
		return 0, false, unexpected()
	}
	return min(n, maxDBLimit), true, nil
}

// maxDBLimit is Keystone's [DEFAULT] max_db_limit: the most rows a list
// gives, whatever its limit.
const maxDBLimit = 1000

// sqlFilter applies a filter as keystone/common/sql/core.py's _filter does
// in the database: exact filters (booleans read by attr_as_boolean), and
// case-insensitive contains, startswith and endswith as ILIKE patterns.
// handled is false for the filters it leaves to the controller.
func sqlFilter(rows []projectRow, f filter) (out []projectRow, handled bool) {
	var match func(v pyjson.Value) bool
	switch {
	case f.comparator == "equals":
		match = func(v pyjson.Value) bool {
			switch v.Kind {
			case pyjson.Bool:
				return v.Bool == pyBool(f.value)
			case pyjson.String:
				return v.Text == f.value
			}
			return false // NULL equals nothing
		}
	case f.caseSensitive:
		return rows, false
	default:
		var pattern string
		switch f.comparator {
		case "contains":
			pattern = "%" + f.value + "%"
		case "startswith":
			pattern = f.value + "%"
		case "endswith":
			pattern = "%" + f.value
		default:
			return rows, false
		}
		match = func(v pyjson.Value) bool {
			switch v.Kind {
			case pyjson.Bool: // MySQL compares a boolean column as 1 or 0
				text := "0"
				if v.Bool {
					text = "1"
				}
				return likeMatch(text, pattern)
			case pyjson.String:
				return likeMatch(v.Text, pattern)
			}
			return false
		}
	}
	out = rows[:0:0]
	for _, row := range rows {
		if match(row.attr(f.name)) {
			out = append(out, row)
		}
	}
	return out, true
}

// pyFilter applies filters as the controller does (ResourceBase.
// filter_by_attributes) on the rows the backend gave: exact ones (a boolean
// attribute read by attr_as_boolean), and inexact ones on strings, lowered
// for the case-insensitive ones. Python's errors on other types are
// Keystone's: a TypeError is a 400 with its text, others a 500.
func pyFilter(rows []projectRow, filters []filter) ([]projectRow, *apiError) {
	for _, f := range filters {
		out := rows[:0:0]
		for _, row := range rows {
			keep, e := pyMatch(row.attr(f.name), f)
			if e != nil {
				return nil, e
			}
			if keep {
				out = append(out, row)
			}
		}
		rows = out
	}
	return rows, nil
}

func pyMatch(v pyjson.Value, f filter) (bool, *apiError) {
	if f.comparator == "equals" {
		switch v.Kind {
		case pyjson.Bool:
			return v.Bool == pyBool(f.value), nil
		case pyjson.String:
			return v.Text == f.value, nil
		}
		return false, nil
	}
	value, target := f.value, v.Text
	if !f.caseSensitive {
		if v.Kind != pyjson.String { // None.lower(), True.lower(): AttributeError
			return false, unexpected()
		}
		value, target = strings.ToLower(value), strings.ToLower(target)
	}
	switch f.comparator {
	case "contains":
		if v.Kind != pyjson.String { // a TypeError, which Keystone answers as a 400
			typeName := "NoneType"
			if v.Kind == pyjson.Bool {
				typeName = "bool"
			}
			return false, badRequest("argument of type '" + typeName + "' is not iterable")
		}
		return strings.Contains(target, value), nil
	case "startswith", "endswith":
		if v.Kind != pyjson.String {
			return false, unexpected()
		}
		if f.comparator == "startswith" {
			return strings.HasPrefix(target, value), nil
		}
		return strings.HasSuffix(target, value), nil
	}
	return true, nil // an unsupported comparator is ignored
}

// collection is a list answer: wrap_collection's container.
type collection struct {
	path    string // the list's path under /v3, for its links
	rows    []projectRow
	limited bool   // the list was cut: "truncated": true
	next    string // the next page's URL, or ""
}

// writeProjects answers a list of projects as wrap_collection wraps it:
// {"projects": [...], "links": {"next", "self", "previous"}} and
// "truncated": true when the list was cut, through _output_json
// (json.dumps, then a newline). "self" is the request's URL, query
// included.
func (s *Service) writeProjects(w http.ResponseWriter, r *http.Request, c collection) {
	items := make([]pyjson.Value, len(c.rows))
	for i, row := range c.rows {
		items[i] = s.projectValue(r, row)
	}
	self := s.v3URL(r, c.path)
	if r.URL.RawQuery != "" {
		self += "?" + r.URL.RawQuery
	}
	next := pyjson.NullValue
	if c.next != "" {
		next = pyjson.Str(c.next)
	}
	members := []pyjson.Member{
		pyjson.M("projects", pyjson.Arr(items...)),
		pyjson.M("links", pyjson.Obj(pyjson.M("next", next), pyjson.M("self", pyjson.Str(self)),
			pyjson.M("previous", pyjson.NullValue))),
	}
	if c.limited {
		members = append(members, pyjson.M("truncated", pyjson.BoolValue(true)))
	}
	writeDocument(w, http.StatusOK, pyjson.Obj(members...))
}

// writeDocument writes a document as Keystone's _output_json does:
// json.dumps, then a newline.
func writeDocument(w http.ResponseWriter, code int, doc pyjson.Value) {
	b := pyjson.AppendValue(make([]byte, 0, 1024), doc)
	wire.WriteJSON(w, code, append(b, '\n'))
}

// nextLink is wrap_collection's next page: when the list has a limit (or
// a marker), is not empty and was cut, the same URL with marker set to the
// last id and limit to the limit applied.
func (s *Service) nextLink(r *http.Request, path string, args multidict.Params, rows []projectRow, limit int64) string {
	return s.v3URL(r, path) + "?" + nextQuery(args, rows[len(rows)-1].id, limit)
}

// nextQuery is the query of a next link: urllib's urlencode of
// request.args.to_dict() (each name's first value, in the order the names
// first appear) with marker and limit set, in place or after the others.
func nextQuery(args multidict.Params, marker string, limit int64) string {
	q := args.DictFirst()
	q.Assign("marker", marker)
	q.Assign("limit", strconv.FormatInt(limit, 10))
	return q.Encode()
}

// serveProjects answers GET /v3/projects (ProjectsResource.get): the query
// schema (400) before anything; then an admin only (identity:
// list_projects is rule:admin_required for a project-scoped token); every
// project (domains too with is_domain=true), by id, filtered, paged by
// limit and marker as the SQL backend pages.
func (s *Service) serveProjects(w http.ResponseWriter, r *http.Request, c *caller) {
	args := multidict.ParseWerkzeug(r.URL.RawQuery)
	if e := validateProjectsQuery(args); e != nil {
		s.writeError(w, r, e)
		return
	}
	if c == nil {
		s.writeError(w, r, unauthorized("no valid X-Auth-Token"))
		return
	}
	if !c.isAdmin() {
		s.writeError(w, r, forbiddenAction(actionListProjects))
		return
	}
	filters := buildFilters(args, projectFilters)
	limit, hasLimit, e := listLimit(args)
	if e != nil {
		s.writeError(w, r, e)
		return
	}
	if _, ok := args.First("is_domain"); !ok {
		filters = append(filters, filter{name: "is_domain", value: "0", comparator: "equals", caseSensitive: true})
	}
	all := s.projectRows()
	rows := all
	var rest []filter
	for _, f := range filters {
		var handled bool
		if rows, handled = sqlFilter(rows, f); !handled {
			rest = append(rest, f)
		}
	}
	if marker, _ := args.First("marker"); marker != "" {
		i := slices.IndexFunc(all, func(row projectRow) bool { return row.id == marker })
		if i < 0 {
			s.writeError(w, r, notFound(msgMarkerNotFound(marker)))
			return
		}
		rows = slices.DeleteFunc(slices.Clone(rows), func(row projectRow) bool { return row.id <= marker })
	}
	// paginate_query with get_limit_or_max(): a limit of 0 is no limit; a
	// negative one is an SQL error.
	pageSize := int64(maxDBLimit)
	if hasLimit && limit != 0 {
		if limit < 0 {
			s.writeError(w, r, unexpected())
			return
		}
		pageSize = limit
	}
	if int64(len(rows)) > pageSize {
		rows = rows[:pageSize]
	}
	limited := hasLimit && int64(len(rows)) >= limit
	if tagsExclude(args) {
		rows = nil
	}
	if rows, e = pyFilter(rows, rest); e != nil {
		s.writeError(w, r, e)
		return
	}
	list := collection{path: "projects", rows: rows, limited: limited}
	if limited && len(rows) > 0 {
		list.next = s.nextLink(r, "projects", args, rows, limit)
	}
	s.writeProjects(w, r, list)
}

// tagsExclude reports whether tag filters leave no project: no project
// has tags, so tags or tags-any match none, unless not-tags or
// not-tags-any is there too (list_projects_by_tags then starts over from
// every project).
func tagsExclude(args multidict.Params) bool {
	has := func(name string) bool { _, ok := args.First(name); return ok }
	return (has("tags") || has("tags-any")) && !has("not-tags") && !has("not-tags-any")
}

// serveProject answers GET /v3/projects/{id} (ProjectResource.get):
// identity:get_project lets an admin see any project (a domain too), and
// a token see its own project; anyone else gets 403, whether the project
// exists or not (the policy's target is looked up first, its 404
// swallowed).
func (s *Service) serveProject(w http.ResponseWriter, r *http.Request, c *caller, id string) {
	if c == nil {
		s.writeError(w, r, unauthorized("no valid X-Auth-Token"))
		return
	}
	row, found := s.projectRowByID(id)
	if !c.isAdmin() && (!found || c.token.ProjectID != id) {
		s.writeError(w, r, forbiddenAction(actionGetProject))
		return
	}
	if !found {
		s.writeError(w, r, notFound(msgProjectNotFound(id)))
		return
	}
	writeDocument(w, http.StatusOK, pyjson.Obj(pyjson.M("project", s.projectValue(r, row))))
}

// serveAuthProjects answers GET /v3/auth/projects (AuthProjectsResource):
// the projects the token's user has a role on, for any valid token
// (identity:get_auth_projects is ""); no filters, no paging.
func (s *Service) serveAuthProjects(w http.ResponseWriter, r *http.Request, c *caller) {
	if c == nil {
		s.writeError(w, r, unauthorized("no valid X-Auth-Token"))
		return
	}
	var rows []projectRow
	if p, ok := s.principalByID(c.userID); ok {
		for _, project := range s.projectsOf(p) {
			rows = append(rows, rowOfProject(project))
		}
	}
	s.writeProjects(w, r, collection{path: "auth/projects", rows: rows})
}

// serveUserProjects answers GET /v3/users/{id}/projects
// (UserProjectsResource): identity:list_user_projects lets an admin ask
// for anyone, a user for themselves (else 403, known user or not); the
// projects the user has a role on, filtered by domain_id, enabled and name
// in the controller, cut by limit as Python slices.
func (s *Service) serveUserProjects(w http.ResponseWriter, r *http.Request, c *caller, userID string) {
	if c == nil {
		s.writeError(w, r, unauthorized("no valid X-Auth-Token"))
		return
	}
	if !c.isAdmin() && c.userID != userID {
		s.writeError(w, r, forbiddenAction(actionListUserProjects))
		return
	}
	args := multidict.ParseWerkzeug(r.URL.RawQuery)
	limit, hasLimit, e := listLimit(args)
	if e != nil {
		s.writeError(w, r, e)
		return
	}
	p, ok := s.principalByID(userID)
	if !ok {
		s.writeError(w, r, notFound(msgUserNotFound(userID)))
		return
	}
	var rows []projectRow
	for _, project := range s.projectsOf(p) {
		rows = append(rows, rowOfProject(project))
	}
	if rows, e = pyFilter(rows, buildFilters(args, userProjectFilters)); e != nil {
		s.writeError(w, r, e)
		return
	}
	path := "users/" + userID + "/projects"
	list := collection{path: path, rows: rows}
	if hasLimit && int64(len(rows)) > limit {
		list.rows, list.limited = pySlice(rows, limit), true
	}
	if list.limited && len(list.rows) > 0 {
		list.next = s.nextLink(r, path, args, list.rows, limit)
	}
	s.writeProjects(w, r, list)
}

// pySlice is Python's rows[:limit].
func pySlice(rows []projectRow, limit int64) []projectRow {
	n := int64(len(rows))
	if limit < 0 {
		limit = max(n+limit, 0)
	}
	return rows[:min(limit, n)]
}
