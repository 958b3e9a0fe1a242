// Package portal is a tiny cloud portal, the code under test in novastub's
// httptest example: it asks Nova for the URL of a server's VNC console, as
// the "open console" button of a web portal does, with gophercloud.
package portal

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/gophercloud/gophercloud/v2"
)

// ErrNoSuchServer is returned for a server Nova does not know (404).
var ErrNoSuchServer = errors.New("portal: no such server")

// ErrConsoleNotReady is returned while the server cannot give a console
// yet: it is building, or being deleted (409).
var ErrConsoleNotReady = errors.New("portal: console not ready")

// Portal asks a compute endpoint for consoles.
type Portal struct {
	Compute *gophercloud.ServiceClient
}

// ConsoleURL returns the noVNC URL of the server's console.
func (p *Portal) ConsoleURL(ctx context.Context, serverID string) (string, error) {
	var out struct {
		Console struct {
			URL string `json:"url"`
		} `json:"console"`
	}
	_, err := p.Compute.Post(ctx, p.Compute.ServiceURL("servers", serverID, "action"),
		map[string]any{"os-getVNCConsole": map[string]string{"type": "novnc"}}, &out,
		&gophercloud.RequestOpts{OkCodes: []int{http.StatusOK}})
	switch {
	case gophercloud.ResponseCodeIs(err, http.StatusNotFound):
		return "", fmt.Errorf("%w: %s", ErrNoSuchServer, serverID)
	case gophercloud.ResponseCodeIs(err, http.StatusConflict):
		return "", fmt.Errorf("%w: %s: %w", ErrConsoleNotReady, serverID, err)
	case err != nil:
		return "", fmt.Errorf("portal: console of %s: %w", serverID, err)
	case out.Console.URL == "":
		return "", fmt.Errorf("portal: console of %s: the answer has no URL", serverID)
	}
	return out.Console.URL, nil
}
