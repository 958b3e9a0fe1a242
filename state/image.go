package state

import (
	"slices"
	"time"
)

// ImageVisibility is who may see an image, Glance's visibility.
type ImageVisibility string

// Glance's visibilities (glance/api/v2/images.py, the image schema).
const (
	ImagePublic    ImageVisibility = "public"    // every project
	ImagePrivate   ImageVisibility = "private"   // its owner only
	ImageShared    ImageVisibility = "shared"    // its owner and its members
	ImageCommunity ImageVisibility = "community" // every project, listed only when asked for
)

// Glance's image statuses (glance/db/sqlalchemy/api.py STATUSES).
const (
	ImageQueued        = "queued"
	ImageSaving        = "saving"
	ImageActive        = "active"
	ImageKilled        = "killed"
	ImageDeleted       = "deleted"
	ImagePendingDelete = "pending_delete"
	ImageDeactivated   = "deactivated"
	ImageUploading     = "uploading"
	ImageImporting     = "importing"
)

var imageStatuses = []string{ImageQueued, ImageSaving, ImageActive, ImageKilled, ImageDeleted,
	ImagePendingDelete, ImageDeactivated, ImageUploading, ImageImporting}

// The disk and container formats Glance accepts by default ([image_format]
// disk_formats and container_formats).
var (
	imageDiskFormats      = []string{"ami", "ari", "aki", "vhd", "vhdx", "vmdk", "raw", "qcow2", "vdi", "iso", "ploop"}
	imageContainerFormats = []string{"ami", "ari", "aki", "bare", "ovf", "ova", "docker", "compressed"}
)

// imageBaseProperties are the image attributes that are not custom
// properties (glance/api/v2/images.py RequestDeserializer._base_properties
// and the read-only and reserved ones beside them): a custom property may
// not take one of these names.
var imageBaseProperties = []string{"checksum", "created_at", "container_format", "disk_format", "id",
	"min_disk", "min_ram", "name", "size", "virtual_size", "status", "tags", "owner", "updated_at",
	"visibility", "protected", "os_hidden", "os_hash_algo", "os_hash_value", "direct_url", "self",
	"file", "schema", "stores", "location", "locations", "deleted", "deleted_at"}

// Image is a Glance image. Zero values stand for what Glance shows as null:
// an empty Name, DiskFormat, ContainerFormat, Owner, Checksum, OSHashAlgo
// or OSHashValue, and a zero Size or VirtualSize.
type Image struct {
	// ID is a lowercase dashed UUID; AddImage generates one when empty.
	ID   string
	Name string
	// Status is Glance's status; AddImage makes an empty one "active"
	// (an uploaded image, what a seeded cloud has).
	Status string
	// Visibility is who sees the image; AddImage makes an empty one
	// "shared", Glance's default.
	Visibility ImageVisibility
	// Owner is the project that owns the image ("" for none, which
	// Glance shows to everyone who asks for it by id).
	Owner string
	// DiskFormat (qcow2, raw, ...) and ContainerFormat (bare, ...).
	DiskFormat, ContainerFormat string
	// MinDisk (GiB) and MinRAM (MiB) a server booted from it needs.
	MinDisk, MinRAM int
	// Size is the image data's size in bytes; VirtualSize the disk's.
	Size, VirtualSize int64
	// Checksum is the MD5 of the data; OSHashAlgo and OSHashValue the
	// multihash (sha512 by default).
	Checksum, OSHashAlgo, OSHashValue string
	// Protected images cannot be deleted; Hidden (os_hidden) ones are
	// left out of lists unless asked for.
	Protected, Hidden bool
	// Tags in the order they were given.
	Tags []string
	// Properties are the custom properties (hw_disk_bus, os_distro, ...).
	Properties map[string]string
	// Members are the projects a shared image is shared with.
	Members []ImageMember
	// Created and Updated are stamped from the clock when zero.
	Created, Updated time.Time
}

// ImageMember is a project a shared image is shared with, and whether it
// has accepted it.
type ImageMember struct {
	ProjectID string `json:"project_id"` // the member project
	// Status is pending, accepted or rejected; empty means accepted.
	Status string `json:"status,omitempty"`
}

// Glance's member statuses.
const (
	MemberPending  = "pending"
	MemberAccepted = "accepted"
	MemberRejected = "rejected"
)

// clone returns a copy of im that shares no memory with it.
func (im Image) clone() Image {
	im.Tags = slices.Clone(im.Tags)
	im.Members = slices.Clone(im.Members)
	if im.Properties != nil {
		props := make(map[string]string, len(im.Properties))
		for k, v := range im.Properties {
			props[k] = v
		}
		im.Properties = props
	}
	return im
}

// member returns the membership of project in the image.
func (im *Image) member(project string) (ImageMember, bool) {
	for _, m := range im.Members {
		if m.ProjectID == project {
			return m, true
		}
	}
	return ImageMember{}, false
}

// checkImage validates im and fills its defaults.
func checkImage(im *Image, now time.Time) error {
	if im.ID == "" {
		im.ID = newUUID4().String()
	}
	if !ValidUUID(im.ID) {
		return &InvalidError{Field: "id", Reason: quote(im.ID) + " is not a lowercase dashed UUID"}
	}
	if len(im.Name) > 255 {
		return &InvalidError{Field: "name", Reason: "longer than 255 characters"}
	}
	if im.Status == "" {
		im.Status = ImageActive
	}
	if !slices.Contains(imageStatuses, im.Status) {
		return &InvalidError{Field: "status", Reason: quote(im.Status) + " is not a Glance image status"}
	}
	if im.Visibility == "" {
		im.Visibility = ImageShared
	}
	switch im.Visibility {
	case ImagePublic, ImagePrivate, ImageShared, ImageCommunity:
	default:
		return &InvalidError{Field: "visibility", Reason: quote(string(im.Visibility)) + " is not public, private, shared or community"}
	}
	if im.Owner != "" && !ValidProjectID(im.Owner) {
		return &InvalidError{Field: "owner", Reason: quote(im.Owner) + " is not 32 lowercase hex digits or a dashed UUID"}
	}
	if im.DiskFormat != "" && !slices.Contains(imageDiskFormats, im.DiskFormat) {
		return &InvalidError{Field: "disk_format", Reason: quote(im.DiskFormat) + " is not a Glance disk format"}
	}
	if im.ContainerFormat != "" && !slices.Contains(imageContainerFormats, im.ContainerFormat) {
		return &InvalidError{Field: "container_format", Reason: quote(im.ContainerFormat) + " is not a Glance container format"}
	}
	switch {
	case im.MinDisk < 0:
		return &InvalidError{Field: "min_disk", Reason: "negative"}
	case im.MinRAM < 0:
		return &InvalidError{Field: "min_ram", Reason: "negative"}
	case im.Size < 0:
		return &InvalidError{Field: "size", Reason: "negative"}
	case im.VirtualSize < 0:
		return &InvalidError{Field: "virtual_size", Reason: "negative"}
	}
	for _, tag := range im.Tags {
		if tag == "" || len(tag) > 255 {
			return &InvalidError{Field: "tags", Reason: quote(tag) + " is not 1 to 255 characters"}
		}
	}
	for k := range im.Properties {
		if k == "" || len(k) > 255 || slices.Contains(imageBaseProperties, k) {
			return &InvalidError{Field: "properties", Reason: quote(k) + " is reserved or not 1 to 255 characters"}
		}
	}
	for i, m := range im.Members {
		if !ValidProjectID(m.ProjectID) {
			return &InvalidError{Field: "members", Reason: quote(m.ProjectID) + " is not 32 lowercase hex digits or a dashed UUID"}
		}
		switch m.Status {
		case "":
			im.Members[i].Status = MemberAccepted
		case MemberPending, MemberAccepted, MemberRejected:
		default:
			return &InvalidError{Field: "members", Reason: quote(m.Status) + " is not pending, accepted or rejected"}
		}
	}
	if im.Created.IsZero() {
		im.Created = now
	}
	if im.Updated.IsZero() {
		im.Updated = im.Created
	}
	return nil
}

// AddImage adds an image and returns it as stored, with its defaults
// filled in (see Image).
func (s *Store) AddImage(im Image) (Image, error) {
	im = im.clone()
	if err := checkImage(&im, s.clock.Now()); err != nil {
		return Image{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.cat.images[im.ID]; ok {
		return Image{}, &ConflictError{Kind: "image", ID: im.ID}
	}
	e := &im
	s.cat.images[im.ID] = e
	s.catalogChanged()
	s.cat.imageOrder = append(s.cat.imageOrder, e)
	return im.clone(), s.persistImage(e)
}

// Image returns the image with the given id, whoever may see it.
func (s *Store) Image(id string) (Image, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	e, ok := s.cat.images[id]
	if !ok {
		return Image{}, &NotFoundError{Kind: "image", ID: id}
	}
	return e.clone(), nil
}

// Images returns every image, in the order they were added.
func (s *Store) Images() []Image {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]Image, len(s.cat.imageOrder))
	for i, e := range s.cat.imageOrder {
		out[i] = e.clone()
	}
	return out
}

// ImageFor returns the image with the given id if v may see it, as Glance's
// database layer decides (is_image_visible): an admin sees every image;
// others see public and community images, images without an owner, their
// own, and shared images they are a member of (whatever the membership's
// status). An image v may not see is a *ForbiddenError, a missing one a
// *NotFoundError (Glance tells them apart for a list's marker only).
func (s *Store) ImageFor(id string, v Viewer) (Image, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	e, ok := s.cat.images[id]
	if !ok || e.Status == ImageDeleted {
		return Image{}, &NotFoundError{Kind: "image", ID: id}
	}
	if !imageVisible(e, v) {
		return Image{}, &ForbiddenError{Kind: "image", ID: id}
	}
	return e.clone(), nil
}

func imageVisible(im *Image, v Viewer) bool {
	switch {
	case v.Admin, im.Owner == "", im.Visibility == ImagePublic, im.Visibility == ImageCommunity:
		return true
	case v.ProjectID == "":
		return false
	case im.Owner == v.ProjectID:
		return true
	}
	_, member := im.member(v.ProjectID)
	return im.Visibility == ImageShared && member
}

// ImageQuery selects the images a list shows, before any other filter.
type ImageQuery struct {
	// Viewer is who lists.
	Viewer Viewer
	// Visibility is Glance's visibility filter: "" for none, "all", or
	// one of the four visibilities.
	Visibility string
	// MemberStatus is Glance's member_status: which memberships of a
	// shared image count ("" means accepted; "all" any).
	MemberStatus string
}

// ListImages returns the images q selects, in the order they were added,
// as Glance's database layer selects them (_select_images_query and
// _image_get_all): deleted and killed images never; for a non-admin,
// public and community images, its own, and shared images it is a member
// of with the given member status; for an admin every image. Then without
// a visibility filter community images are kept only when the viewer owns
// them; with one, only images of that visibility (any, for "all").
func (s *Store) ListImages(q ImageQuery) []Image {
	memberStatus := q.MemberStatus
	if memberStatus == "" {
		memberStatus = MemberAccepted
	}
	v := q.Viewer
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []Image
	for _, e := range s.cat.imageOrder {
		if e.Status == ImageDeleted || e.Status == ImageKilled {
			continue
		}
		if !v.Admin && !imageListed(e, v, memberStatus) {
			continue
		}
		switch {
		case q.Visibility == "all":
		case q.Visibility != "":
			if string(e.Visibility) != q.Visibility {
				continue
			}
		case e.Visibility == ImageCommunity && (v.ProjectID == "" || e.Owner != v.ProjectID):
			continue
		}
		out = append(out, e.clone())
	}
	return out
}

// imageListed reports whether a non-admin's list may hold the image.
func imageListed(im *Image, v Viewer, memberStatus string) bool {
	if im.Visibility == ImagePublic || im.Visibility == ImageCommunity {
		return true
	}
	if v.ProjectID == "" {
		return false
	}
	if im.Owner == v.ProjectID {
		return true
	}
	m, ok := im.member(v.ProjectID)
	return ok && im.Visibility == ImageShared && (memberStatus == "all" || m.Status == memberStatus)
}
