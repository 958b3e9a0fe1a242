package identity

// Keystone's exact strings, each with where Keystone has it (paths in
// openstack/keystone). Keystone renders every error as
// {"error": {"code": N, "title": "...", "message": "..."}}
// (keystone/server/flask/application.py, _handle_keystone_exception).

// Error titles: Python's http.client.responses, which exception.py uses.
const (
	titleBadRequest   = "Bad Request"
	titleUnauthorized = "Unauthorized"
	titleForbidden    = "Forbidden"
	titleNotFound     = "Not Found"

	titleInternalServerError = "Internal Server Error"
)

// msgUnexpectedError is exception.UnexpectedError's message_format (shown
// without insecure_debug): the store refused a token the service made.
const msgUnexpectedError = "An unexpected error prevented the server from fulfilling your request."

// msgUnauthorized is exception.Unauthorized's message_format. Unauthorized
// is a SecurityError: without insecure_debug, Keystone shows this text
// whatever went wrong (unknown user, bad password, unknown project, no role
// on it, unknown or expired X-Auth-Token).
const msgUnauthorized = "The request you have made requires authentication."

// msgUnsupportedMethod is exception.AuthMethodNotSupported's
// message_format; its body adds "identity": {"methods": <[auth] methods>}.
const msgUnsupportedMethod = "Attempted to authenticate with an unsupported method."

// keystoneAuthMethods is Keystone's default [auth] methods option
// (keystone/conf/constants.py, _DEFAULT_AUTH_METHODS): the methods it
// accepts, which AuthMethodNotSupported lists. Of them the fake implements
// password and token; the others fail as a failed authentication does.
var keystoneAuthMethods = []string{"external", "password", "token", "oauth1", "mapped", "application_credential"}

// msgValidation is exception.ValidationError's message_format, with its
// attribute and target.
func msgValidation(attribute, target string) string {
	return "Expecting to find " + attribute + " in " + target + "." +
		" The server could not comply with the request since it is either malformed or otherwise" +
		" incorrect. The client is assumed to be in error."
}

// The ValidationErrors of a token request, in the order Keystone meets
// them.
var (
	// keystone/server/flask/request_processing/json_body.py: a body that
	// is not JSON, or not a JSON object.
	msgNotJSON = msgValidation("valid JSON", "request body")
	// json_body.py: a body with a Content-Type other than JSON.
	msgNotJSONContentType = msgValidation("application/json", "Content-Type header")
	// keystone/auth/core.py, AuthInfo._validate_and_normalize_auth_data:
	// no "auth" (or "auth": null).
	msgNoAuth = msgValidation("auth", "request body")
	// AuthInfo._validate_and_normalize_scope_data: a scope that names none
	// or several of these.
	msgScopeKinds = msgValidation("system, project, domain, OS-TRUST:trust or unscoped", "scope")
	// AuthInfo._lookup_project: a project named by name without a domain.
	msgProjectNeedsDomain = msgValidation("domain", "project")
	// AuthInfo._lookup_trust: a trust without an id.
	msgTrustNeedsID = msgValidation("trust_id", "trust")
	// keystone/auth/plugins/core.py, BaseUserInfo: "password" without a
	// "user". Keystone names the target self.METHOD_NAME, which create()
	// sets only after this check, so the message says "None".
	msgPasswordNeedsUser = msgValidation("user", "None")
	// BaseUserInfo: a user whose id and name are both empty.
	msgUserNeedsIDOrName = msgValidation("id or name", "user")
	// BaseUserInfo: a user named by name without a domain.
	msgUserNeedsDomain = msgValidation("domain", "user")
	// BaseUserInfo._lookup_domain: a user's domain whose id and name are
	// both empty.
	msgDomainNeedsIDOrName = msgValidation("id or name", "domain")
)

// msgMethodMissing is AuthInfo._validate_auth_methods's error for a method
// listed in "methods" without its object in "identity".
func msgMethodMissing(method string) string { return msgValidation(method, "identity") }

// The checks keystone/auth/schema.py (validate_issue_token_auth) makes after
// the JSON schema, raised as SchemaValidationError (message "%(detail)s").
const (
	msgSchemaUserIDOrName          = "Invalid input for field identity/password/user: id or name must be present."
	msgSchemaUserDomainIDOrName    = "Invalid input for field identity/password/user/domain: id or name must be present."
	msgSchemaProjectIDOrName       = "Invalid input for field scope/project: id or name must be present."
	msgSchemaProjectDomainIDOrName = "Invalid input for field scope/project/domain: id or name must be present."
	msgSchemaDomainIDOrName        = "Invalid input for field scope/domain: id or name must be present."
)

// msgSchemaField is keystone/common/validation/validators.py's detail for a
// jsonschema error at a path: "Invalid input for field '%(path)s':
// %(message)s", the message being str() of the jsonschema error (see
// schema.go).
func msgSchemaField(path, message string) string {
	return "Invalid input for field '" + path + "': " + message
}

// msgStringIndices is Python 3.11's TypeError for indexing a str with a
// str, which Keystone turns into a 400 (application.py registers TypeError
// as a ValidationError): "scope": "project" makes AuthInfo look up
// scope['project'] in a string.
const msgStringIndices = "string indices must be integers, not 'str'"

// The 404s of token validation (exception.TokenNotFound, a NotFound, whose
// message is shown as is).
const (
	// keystone/token/provider.py, validate_token: an empty token.
	msgNoToken = "No token in the request"
	// keystone/token/token_formatters.py, unpack, wrapped by
	// keystone/token/providers/fernet/core.py: a token this Keystone did
	// not make.
	msgUnrecognizedToken = "Could not recognize Fernet token"
	// keystone/token/provider.py, _is_valid_token: a token past its expiry,
	// or revoked (check_revocation).
	msgFailedToValidate = "Failed to validate token"
)

// msgProjectNotFound is exception.ProjectNotFound's message_format: what
// validating a token of a deleted project gives (TokenModel.mint looks the
// project up; the NotFound is not caught).
func msgProjectNotFound(id string) string { return "Could not find project: " + id + "." }

// msgUserNotFound is exception.UserNotFound's message_format: what
// re-scoping a token of an unknown user gives.
func msgUserNotFound(id string) string { return "Could not find user: " + id + "." }

// msgForbidden is exception.Forbidden's message_format, which a
// SecurityError shows whatever its reason: what GET /v3/auth/catalog
// answers a token without a project ("A project-scoped token is required to
// produce a service catalog." stays in the log).
const msgForbidden = "You are not authorized to perform the requested action."

// msgMarkerNotFound is exception.MarkerNotFound's message_format: a list
// whose marker is no project's id.
func msgMarkerNotFound(marker string) string { return "Marker " + marker + " could not be found." }

// msgForbiddenAction is exception.ForbiddenAction's message_format (a
// SecurityError whose format is its own text): a policy refusal.
func msgForbiddenAction(action string) string {
	return "You are not authorized to perform the requested action: " + action + "."
}

// The policy actions of /v3/auth/tokens (keystone/api/auth.py).
const (
	actionValidate = "identity:validate_token"
	actionCheck    = "identity:check_token"
	actionRevoke   = "identity:revoke_token"
)

// The policy actions of the project and user calls (keystone/api/
// projects.py, users.py).
const (
	actionListProjects     = "identity:list_projects"
	actionGetProject       = "identity:get_project"
	actionGetUser          = "identity:get_user"
	actionListUserProjects = "identity:list_user_projects"
)

// msgQueryField is keystone/api/validation/validators.py's detail for a
// query parameter that fails the schema: request_query_schema validates
// with is_body=True, so it is worded as for a body, with the parameter's
// name, its value as str() prints it and jsonschema's message.
func msgQueryField(name, value, message string) string {
	return "Invalid input for field/attribute " + name + ". Value: " + value + ". " + message
}

// The version document of keystone/api/discovery.py (_get_versions_list).
const (
	versionID        = "v3.14"
	versionStatus    = "stable"
	versionUpdated   = "2020-04-07T00:00:00Z"
	versionMediaType = "application/vnd.openstack.identity-v3+json"
)

// Werkzeug's pages for a URL no route matches and for a method a
// non-API route refuses (flask answers these, not Keystone's handlers),
// and flask-restful's body for a method an API resource refuses, written
// through Keystone's _output_json (keystone/server/flask/common.py).
const (
	pageNotFound = "<!doctype html>\n<html lang=en>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n" +
		"<p>The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.</p>\n"
	pageMethodNotAllowed = "<!doctype html>\n<html lang=en>\n<title>405 Method Not Allowed</title>\n" +
		"<h1>Method Not Allowed</h1>\n<p>The method is not allowed for the requested URL.</p>\n"
	bodyMethodNotAllowed = `{"message": "The method is not allowed for the requested URL."}` + "\n"
)
