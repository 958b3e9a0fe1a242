package image

import (
	"cmp"
	"errors"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/novastub/novastub/fakenova/internal/apiservice"
	"github.com/novastub/novastub/fakenova/internal/multidict"
	"github.com/novastub/novastub/internal/pyjson"
	"github.com/novastub/novastub/internal/wire"
	"github.com/novastub/novastub/state"
)

// hasBody is Glance's JSONRequestDeserializer.has_body.
func hasBody(r *http.Request) bool {
	return r.Header.Get("Transfer-Encoding") != "" || r.ContentLength > 0
}

// serveShow answers GET /v2/images/{id}: the image, or 404 "No image found
// with ID ..." for a missing, deleted or invisible one (ImageRepo.get).
func (s *Service) serveShow(w http.ResponseWriter, r *http.Request, id string) {
	if hasBody(r) {
		writeError(w, r, http.StatusBadRequest, msgBodyNotExpected)
		return
	}
	im, err := s.store.ImageFor(id, apiservice.Viewer(r))
	if err != nil {
		writeError(w, r, http.StatusNotFound, msgNoImage(id))
		return
	}
	wire.WriteJSON(w, http.StatusOK, appendImage(make([]byte, 0, 1024), &im))
}

// listRequest is a parsed GET /v2/images.
type listRequest struct {
	limit        int
	marker       string
	hasMarker    bool
	memberStatus string
	visibility   string
	tags         []string
	sortKeys     []string
	sortDirs     []string
	filters      multidict.Params
}

// httpError is an answer other than 200.
type httpError struct {
	code    int
	message string
}

func (e *httpError) Error() string { return e.message }

func badRequest(msg string) *httpError { return &httpError{http.StatusBadRequest, msg} }

var (
	sortKeys      = []string{"name", "status", "container_format", "disk_format", "size", "id", "created_at", "updated_at"}
	visibilities  = []string{"community", "public", "private", "shared", "all"}
	memberStatus  = []string{"pending", "accepted", "rejected", "all"}
	errNoneWanted = errors.New("the filter matches no image")
)

// parseList reads the query of GET /v2/images as Glance's
// RequestDeserializer.index and ImagesController.index do, in their order.
func parseList(ps multidict.Params) (*listRequest, error) {
	req := &listRequest{limit: defaultLimit}
	limit, hasLimit := ps.Pop("limit")
	req.marker, req.hasMarker = ps.Pop("marker")
	req.memberStatus = "accepted"
	if v, ok := ps.Pop("member_status"); ok {
		req.memberStatus = v
	}
	for ps.Has("tag") {
		v, _ := ps.Pop("tag")
		req.tags = append(req.tags, strings.TrimSpace(v))
	}
	if v, _ := ps.Get("visibility"); v != "" && !slices.Contains(visibilities, v) {
		return nil, badRequest(msgVisibilityInvalid + v)
	}
	if v, _ := ps.Get("changes-since"); v != "" {
		return nil, badRequest(msgChangesSince)
	}
	if !slices.Contains(memberStatus, req.memberStatus) {
		return nil, badRequest(msgMemberStatusInvald + req.memberStatus)
	}
	if hasLimit {
		n, ok := pythonInt(limit)
		if !ok {
			return nil, badRequest(msgLimitNotInt)
		}
		if n < 0 {
			return nil, badRequest(msgLimitNegative)
		}
		req.limit = min(n, maxLimit)
	}
	if err := req.parseSorting(&ps); err != nil {
		return nil, err
	}
	// ImagesController.index: os_hidden (lowercased) and protected must
	// be true or false.
	hidden, _ := ps.Get("os_hidden")
	if hidden == "" && !ps.Has("os_hidden") {
		hidden = "false"
	}
	hidden = strings.ToLower(hidden)
	if hidden != "true" && hidden != "false" {
		return nil, badRequest(msgBoolFilter(hidden, "os_hidden"))
	}
	ps.Set("os_hidden", hidden)
	if v, ok := ps.Get("protected"); ok {
		if v != "true" && v != "false" {
			return nil, badRequest(msgBoolFilter(v, "protected"))
		}
	}
	req.visibility, _ = ps.Pop("visibility")
	req.filters = ps
	return req, nil
}

// parseSorting is RequestDeserializer._get_sorting_params.
func (req *listRequest) parseSorting(ps *multidict.Params) error {
	key := func(k string) error {
		if !slices.Contains(sortKeys, k) {
			return badRequest(msgSortKey(k))
		}
		req.sortKeys = append(req.sortKeys, k)
		return nil
	}
	dir := func(d string) error {
		if d != "asc" && d != "desc" {
			return badRequest(msgSortDir(d))
		}
		req.sortDirs = append(req.sortDirs, d)
		return nil
	}
	if ps.Has("sort") {
		if ps.Has("sort_key") || ps.Has("sort_dir") {
			return badRequest(msgSortSyntaxMixed)
		}
		v, _ := ps.Pop("sort")
		for _, item := range strings.Split(pyStrip(v), ",") {
			k, d, _ := strings.Cut(item, ":")
			if d == "" {
				d = "desc"
			}
			if err := key(pyStrip(k)); err != nil {
				return err
			}
			if err := dir(pyStrip(d)); err != nil {
				return err
			}
		}
	} else {
		for ps.Has("sort_key") {
			v, _ := ps.Pop("sort_key")
			if err := key(pyStrip(v)); err != nil {
				return err
			}
		}
		for ps.Has("sort_dir") {
			v, _ := ps.Pop("sort_dir")
			if err := dir(pyStrip(v)); err != nil {
				return err
			}
		}
		if len(req.sortDirs) > 1 && len(req.sortDirs) != len(req.sortKeys) {
			return badRequest(msgSortDirCount)
		}
	}
	if len(req.sortKeys) == 0 {
		req.sortKeys = []string{"created_at"}
	}
	if len(req.sortDirs) == 0 {
		req.sortDirs = []string{"desc"}
	}
	// _image_get_all: one direction applies to every key; created_at and
	// id close the order, in the first direction.
	def := "desc"
	if len(req.sortDirs) == 1 {
		def = req.sortDirs[0]
		for len(req.sortDirs) < len(req.sortKeys) {
			req.sortDirs = append(req.sortDirs, def)
		}
	}
	for _, k := range []string{"created_at", "id"} {
		if !slices.Contains(req.sortKeys, k) {
			req.sortKeys = append(req.sortKeys, k)
			req.sortDirs = append(req.sortDirs, def)
		}
	}
	return nil
}

// pyStrip is Python's str.strip().
func pyStrip(s string) string { return strings.TrimSpace(s) }

// pythonInt is Python's int() of a string: surrounding whitespace, a sign,
// digits with single underscores between them.
func pythonInt(s string) (int, bool) {
	s = strings.TrimSpace(s)
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg, s = s[0] == '-', s[1:]
	}
	if s == "" || s[0] == '_' || s[len(s)-1] == '_' || strings.Contains(s, "__") {
		return 0, false
	}
	n := 0
	for _, c := range s {
		switch {
		case c == '_':
		case c >= '0' && c <= '9':
			if n > (1<<31)/10 {
				n = 1 << 31 // any larger is capped by api_limit_max
				continue
			}
			n = n*10 + int(c-'0')
		default:
			return 0, false
		}
	}
	if neg {
		n = -n
	}
	return n, true
}

// serveList answers GET /v2/images.
func (s *Service) serveList(w http.ResponseWriter, r *http.Request) {
	ps, _ := multidict.ParseWebob(r.URL.RawQuery) // a query that is not UTF-8 is read as it is
	req, err := parseList(append(multidict.Params(nil), ps...))
	if err == nil {
		var images []*state.Image
		images, err = s.list(req, apiservice.Viewer(r))
		if err == nil {
			wire.WriteJSON(w, http.StatusOK, appendList(make([]byte, 0, 256+1024*len(images)), images, ps, req))
			return
		}
	}
	var he *httpError
	if errors.As(err, &he) {
		writeError(w, r, he.code, he.message)
		return
	}
	writeError(w, r, http.StatusInternalServerError, err.Error())
}

// list selects, sorts and pages the images as Glance's database layer
// (_image_get_all) does.
func (s *Service) list(req *listRequest, v state.Viewer) ([]*state.Image, error) {
	match, err := compileFilters(req.filters, req.tags)
	if err != nil {
		if errors.Is(err, errNoneWanted) {
			match = func(*state.Image) bool { return false }
		} else {
			return nil, err
		}
	}
	all := s.store.ListImages(state.ImageQuery{Viewer: v, Visibility: req.visibility, MemberStatus: req.memberStatus})
	images := make([]*state.Image, 0, len(all))
	for i := range all {
		if match(&all[i]) {
			images = append(images, &all[i])
		}
	}
	var marker *state.Image
	if req.hasMarker {
		if len(req.marker) > maxImageIDLength {
			return nil, badRequest(msgImageNotFoundBare)
		}
		m, err := s.store.ImageFor(req.marker, v)
		switch {
		case errors.Is(err, state.ErrForbidden):
			return nil, &httpError{http.StatusForbidden, msgNotVisible(req.marker)}
		case err != nil:
			return nil, badRequest(msgNoImage(req.marker))
		}
		marker = &m
	}
	order := func(a, b *state.Image) int {
		for i, k := range req.sortKeys {
			c := compareImages(a, b, k)
			if req.sortDirs[i] == "desc" {
				c = -c
			}
			if c != 0 {
				return c
			}
		}
		return 0
	}
	slices.SortStableFunc(images, order)
	if marker != nil {
		i := 0
		for i < len(images) && order(images[i], marker) <= 0 {
			i++
		}
		images = images[i:]
	}
	if len(images) > req.limit {
		images = images[:req.limit]
	}
	return images, nil
}

// compareImages compares two images by a sort key, a null as the column's
// default ("" or 0) as _paginate_query takes it.
func compareImages(a, b *state.Image, key string) int {
	switch key {
	case "name":
		return cmp.Compare(a.Name, b.Name)
	case "status":
		return cmp.Compare(a.Status, b.Status)
	case "container_format":
		return cmp.Compare(a.ContainerFormat, b.ContainerFormat)
	case "disk_format":
		return cmp.Compare(a.DiskFormat, b.DiskFormat)
	case "size":
		return cmp.Compare(a.Size, b.Size)
	case "id":
		return cmp.Compare(a.ID, b.ID)
	case "created_at":
		return a.Created.Compare(b.Created)
	case "updated_at":
		return a.Updated.Compare(b.Updated)
	}
	return 0
}

// appendList writes the list body (ResponseSerializer.index): images,
// first, schema, then next when the page is full. The links carry the
// request's parameters, each once with its last value, marker last.
func appendList(b []byte, images []*state.Image, ps multidict.Params, req *listRequest) []byte {
	q := ps.Dict()
	q.Pop("marker")
	b = append(b, `{"images": [`...)
	for i := range images {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = appendImage(b, images[i])
	}
	b = append(b, `], "first": `...)
	first := "/v2/images"
	if enc := q.Encode(); enc != "" {
		first += "?" + enc
	}
	b = pyjson.AppendStringUnicode(b, first)
	b = append(b, `, "schema": "/v2/schemas/images"`...)
	if len(images) > 0 && len(images) == req.limit {
		q = append(q, multidict.Pair{Key: "marker", Value: images[len(images)-1].ID})
		b = append(b, `, "next": `...)
		b = pyjson.AppendStringUnicode(b, "/v2/images?"+q.Encode())
	}
	return append(b, '}')
}

// appendImage writes an image as ResponseSerializer._format_image does:
// custom properties first (sorted by name), then Glance's attributes in
// its order.
func appendImage(b []byte, im *state.Image) []byte {
	b = append(b, '{')
	keys := make([]string, 0, len(im.Properties))
	for k := range im.Properties {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		b = pyjson.AppendStringUnicode(b, k)
		b = append(b, ": "...)
		b = pyjson.AppendStringUnicode(b, im.Properties[k])
		b = append(b, ", "...)
	}
	b = append(b, `"name": `...)
	b = appendNullString(b, im.Name)
	b = append(b, `, "disk_format": `...)
	b = appendNullString(b, im.DiskFormat)
	b = append(b, `, "container_format": `...)
	b = appendNullString(b, im.ContainerFormat)
	b = append(b, `, "visibility": `...)
	b = pyjson.AppendStringUnicode(b, string(im.Visibility))
	b = append(b, `, "size": `...)
	b = appendNullInt(b, im.Size)
	b = append(b, `, "virtual_size": `...)
	b = appendNullInt(b, im.VirtualSize)
	b = append(b, `, "status": `...)
	b = pyjson.AppendStringUnicode(b, im.Status)
	b = append(b, `, "checksum": `...)
	b = appendNullString(b, im.Checksum)
	b = append(b, `, "protected": `...)
	b = appendBool(b, im.Protected)
	b = append(b, `, "min_ram": `...)
	b = strconv.AppendInt(b, int64(im.MinRAM), 10)
	b = append(b, `, "min_disk": `...)
	b = strconv.AppendInt(b, int64(im.MinDisk), 10)
	b = append(b, `, "owner": `...)
	b = appendNullString(b, im.Owner)
	b = append(b, `, "os_hidden": `...)
	b = appendBool(b, im.Hidden)
	b = append(b, `, "os_hash_algo": `...)
	b = appendNullString(b, im.OSHashAlgo)
	b = append(b, `, "os_hash_value": `...)
	b = appendNullString(b, im.OSHashValue)
	b = append(b, `, "id": `...)
	b = pyjson.AppendStringUnicode(b, im.ID)
	b = append(b, `, "created_at": `...)
	b = appendTime(b, im.Created)
	b = append(b, `, "updated_at": `...)
	b = appendTime(b, im.Updated)
	b = append(b, `, "tags": [`...)
	for i, t := range im.Tags {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = pyjson.AppendStringUnicode(b, t)
	}
	b = append(b, `], "self": "/v2/images/`...)
	b = append(b, im.ID...)
	b = append(b, `", "file": "/v2/images/`...)
	b = append(b, im.ID...)
	b = append(b, `/file", "schema": "/v2/schemas/image"}`...)
	return b
}
