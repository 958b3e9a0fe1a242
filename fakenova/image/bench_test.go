package image_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/novastub/novastub/fakenova/image"
	"github.com/novastub/novastub/state"
)

// benchStore has 100 public images.
func benchStore(b *testing.B) *state.Store {
	st := newStore(b)
	for i := 0; i < 95; i++ {
		_, err := st.AddImage(state.Image{Name: fmt.Sprintf("image-%03d", i), Visibility: state.ImagePublic,
			DiskFormat: "qcow2", ContainerFormat: "bare", Size: int64(1000 + i), Tags: []string{"bench"}})
		if err != nil {
			b.Fatal(err)
		}
	}
	return st
}

// BenchmarkListImages is GET /v2/images (the default page, 25 images)
// through the handler; compare with BenchmarkListImagesFloor.
func BenchmarkListImages(b *testing.B) {
	svc := image.New(benchStore(b))
	req := httptest.NewRequest("GET", "/v2/images", nil)
	req.Header.Set("X-Auth-Token", tokenA)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		w := httptest.NewRecorder()
		svc.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatal(w.Code)
		}
	}
}

// BenchmarkListImagesFloor is the least a handler answering that request
// does: copy the images out of the store and write a body of the same
// size.
func BenchmarkListImagesFloor(b *testing.B) {
	st := benchStore(b)
	body := make([]byte, 25*800)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = st.ListImages(state.ImageQuery{Viewer: state.Viewer{ProjectID: projA}})
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	})
	req := httptest.NewRequest("GET", "/v2/images", nil)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
	}
}
