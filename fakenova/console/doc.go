// Package console is the console proxy of novastub's fake cloud:
// nova-novncproxy and nova-serialproxy in one http.Handler, so that the
// console URL the fake Nova returns opens a live console.
//
//	proxy := console.New(store)            // the store the fake Nova serves
//	defer proxy.Close()
//	http.ListenAndServe(addr, proxy.Wrap(nova)) // consoles and pages beside the API
//
// A WebSocket upgrade, at any path (noVNC's /websockify, the "/?token=" a
// path parameter becomes, the serial console's "/"), is a console
// connection, answered as websockify answers it: "binary" chosen when
// offered, none when none is, 400 "Invalid protocol selected" otherwise
// (base64 only with WithBase64); the token from the "token" query
// parameter, else the "token" cookie; an unknown or expired token, a
// server that is gone, or a browser Origin that is not the proxy's host is
// refused after the upgrade by closing the socket without a close frame,
// as nova's proxy does (the browser sees 1006). A VNC token (novnc,
// xvpvnc) gets an RFB server (package rfb) showing the server's VGA
// console, a serial token the serial port's bytes in binary frames; both
// are the fake guest of package guest, a login prompt and a small shell.
// SPICE, MKS and RDP tokens are refused: the fake speaks neither.
//
// The console follows its server while it is open (polled every
// WithPollInterval): stopped, shelved or suspended, the screen goes dark;
// paused, it freezes; started or resumed, it comes back (a start boots
// afresh); deleted or moved off its host, the connection closes with 1000
// "Target closed", websockify's close when the VNC server goes. A token
// works for its whole TTL and an open console outlives it, as Nova's
// default [consoleauth] enforce_session_timeout=False.
//
// A plain GET of a console page (vnc_auto.html, vnc_lite.html, vnc.html,
// console, and the SPICE and MKS pages: PageNames) with a token in
// "?token=", in noVNC's "?path=%3Ftoken%3D..." or in a cookie gets a
// working viewer for a VNC token: a small RFB client of the project's own,
// embedded in the page, that draws the console on a canvas and sends keys
// and the pointer. SPICE, MKS and RDP tokens get a stand-in page that says
// what they are; an unknown or expired token, a 404.
package console
