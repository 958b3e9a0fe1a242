// Package image is a fake of OpenStack Glance's v2 image API: the part
// clients read (the version document, the image list and an image), with
// Glance's filters, sorting, paging, visibility rules, links and error
// pages. It answers from a state.Store's images, so that the fake Nova on
// the same store boots servers from the images it lists.
//
// Serve it under /image beside the fake Nova, as devstack does:
//
//	store := state.New()
//	_, _ = store.AddProject(state.Project{ID: "1ab83fbf1b594600bfa618dc33694dd6", Name: "demo"})
//	_ = store.AddToken(state.AuthToken{Token: "secret", ProjectID: "1ab83fbf1b594600bfa618dc33694dd6"})
//	_, _ = store.AddImage(state.Image{Name: "cirros-0.6.3-x86_64-disk", Visibility: state.ImagePublic,
//		DiskFormat: "qcow2", ContainerFormat: "bare", Size: 21692416})
//
//	mux := http.NewServeMux()
//	mux.Handle("/image/", http.StripPrefix("/image", image.New(store)))
//
// A client finds it in the catalog as type "image" and lists images with
// GET /image/v2/images and X-Auth-Token: secret.
//
// # What it serves
//
//   - Any path that is not a known version (GET /, for example): Glance's
//     version document with 300 Multiple Choices; /versions: the same
//     with 200. No token needed. The versions are those of a Glance with
//     an image cache and a single store (v2.18 CURRENT down to v2.0),
//     linking to <base>/v2/, where <base> is the external URL
//     (WithExternalURL) or the request's scheme and host and the prefix
//     (WithPrefix, "/image").
//   - GET /v2/images (also under /v2.0 ... /v2.18): filters name, id,
//     status, container_format, disk_format (exact, or "in:a,b"),
//     visibility (public, private, shared, community, all), member_status,
//     owner, tag (repeatable, all must match), protected, os_hidden,
//     size_min/size_max, created_at/updated_at with gt:/gte:/lt:/lte:/
//     neq:/eq:, any other key as a custom property; sort_key/sort_dir
//     (repeatable) or sort=key:dir,...; limit (25 by default, 1000 at
//     most) and marker, with Glance's first/next/schema links.
//   - GET /v2/images/{id}: the image, or 404 "No image found with ID ...".
//
// Every /v2 request needs X-Auth-Token (keystonemiddleware's 401
// otherwise), checked against the store's tokens by default
// (WithAuthenticator), and carries X-Openstack-Request-Id. A caller with
// the admin role sees every project's images. Errors are webob's pages
// (JSON, HTML or plain text by Accept) with Glance's explanations. Other
// Glance routes answer 405 with Glance's Allow header for a method Glance
// refuses there, and 501 for one it serves (creating, uploading, changing
// images are not modelled); an unknown /v2 path is webob's 404.
package image
