package image_test

import (
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/novastub/novastub/fakenova/image"
)

func TestOperation(t *testing.T) {
	for _, tc := range []struct{ method, path, want string }{
		{"GET", "/image/", "imageVersions"},
		{"GET", "/", "imageVersions"},
		{"GET", "/image/versions", "imageVersions"},
		{"GET", "/image/v2/images", "listImages"},
		{"GET", "/v2/images", "listImages"},
		{"GET", "/image/v2.9/images/abc", "showImage"},
		{"DELETE", "/image/v2/images/abc", ""},
		{"GET", "/image/v2/images/abc/members", ""},
		{"GET", "/image/v2/schemas/image", ""},
		{"GET", "/image/v3/images", "imageVersions"},
	} {
		got := image.Operation(httptest.NewRequest(tc.method, tc.path, nil))
		assert.Equal(t, tc.want, got, "%s %s", tc.method, tc.path)
		if got != "" {
			assert.Contains(t, image.Operations, got)
		}
	}
}

func TestWriteError(t *testing.T) {
	svc := image.New(nil)
	w := httptest.NewRecorder()
	r := httptest.NewRequest("GET", "/v2/images", nil)
	r.Header.Set("Accept", "application/json")
	svc.WriteError(w, r, 503, "injected")
	assert.Equal(t, 503, w.Code)
	assert.JSONEq(t, `{"message": "injected<br /><br />\n\n\n", "code": "503 Service Unavailable", "title": "Service Unavailable"}`, w.Body.String())
}
