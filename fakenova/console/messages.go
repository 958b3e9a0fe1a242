package console

// The exact strings of the real proxies, one place per concern.

// websockify (novnc/websockify @ bdf1ebf): the checks of
// WebSocket.accept, answered by BaseHTTPRequestHandler.send_error(400,
// message) before the upgrade.
const (
	msgMissingVersion   = "Missing Sec-WebSocket-Version header"
	msgUnsupportedVer   = "Unsupported protocol version " // + the version
	msgMissingKey       = "Missing Sec-WebSocket-Key header"
	msgInvalidProtocol  = "Invalid protocol selected"
	msgFileNotFound     = "File not found" // SimpleHTTPRequestHandler, a page that is not there
	reasonTextFrames    = "Unsupported: Text frames are not supported"
	reasonTargetClosed  = "Target closed" // ProxyRequestHandler.do_proxy when the VNC server (or serial port) goes
	websockifyServerHdr = "WebSockify Python/3.12.3"
)

// nova-novncproxy and nova-serialproxy (nova/console/websocketproxy.py
// NovaProxyRequestHandler.new_websocket_client): each refusal is logged
// as "handler exception: <message>" and the socket is closed after the
// upgrade, with no close frame.
const (
	msgInvalidToken   = "The token '***' is invalid or has expired" // InvalidToken(token='***')
	msgOriginInvalid  = "Origin header not valid."
	msgOriginHost     = "Origin header does not match this host."
	msgOriginProtocol = "Origin header protocol does not match this host."
)

// msgNotServed is the fake's own refusal of a token of a protocol it does
// not speak (SPICE, MKS, RDP): a real cloud has another proxy for those.
const msgNotServed = "novastub does not proxy %s consoles"

// msgPageNotFound is the fake's 404 body for a console page whose token is
// unknown or expired (a real proxy serves its static page whatever the
// token, and the WebSocket fails instead).
const msgPageNotFound = "novastub: console token not found or expired"
