package image_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/novastub/novastub/fakenova/image"
	"github.com/novastub/novastub/state"
)

// The image service under /image, listing the store's images to a token of
// the store.
func Example() {
	store := state.New()
	_, _ = store.AddProject(state.Project{ID: "1ab83fbf1b594600bfa618dc33694dd6", Name: "demo"})
	_ = store.AddToken(state.AuthToken{Token: "secret", ProjectID: "1ab83fbf1b594600bfa618dc33694dd6"})
	_, _ = store.AddImage(state.Image{ID: "1bea47ed-f6a9-463b-b423-14b9cca9ad27", Name: "cirros-0.6.3-x86_64-disk",
		Visibility: state.ImagePublic, DiskFormat: "qcow2", ContainerFormat: "bare", Size: 21692416})

	mux := http.NewServeMux()
	mux.Handle("/image/", http.StripPrefix("/image", image.New(store)))
	srv := httptest.NewServer(mux)
	defer srv.Close()

	req, _ := http.NewRequest("GET", srv.URL+"/image/v2/images?name=cirros-0.6.3-x86_64-disk&fields=id", nil)
	req.Header.Set("X-Auth-Token", "secret")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.Status, len(body) > 0)
	fmt.Println(image.Operation(req))
	// Output:
	// 200 OK true
	// listImages
}
