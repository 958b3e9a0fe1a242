package image

import (
	"net/http"

	"github.com/novastub/novastub/middleware"
)

// Glance's messages (glance/api/v2/images.py, glance/db/sqlalchemy/api.py,
// glance/common/utils.py, glance/common/wsgi.py), in one place.
const (
	msgLimitNotInt        = "limit param must be an integer"
	msgLimitNegative      = "limit param must be positive"
	msgSortSyntaxMixed    = "Old and new sorting syntax cannot be combined"
	msgSortDirCount       = "Number of sort dirs does not match the number of sort keys"
	msgChangesSince       = `The "changes-since" filter is no longer available on v2.`
	msgRangeNotNumeric    = "Unable to filter on a range with a non-numeric value."
	msgUnknownOperator    = "Unable to filter on a unknown operator."
	msgBodyNotExpected    = "A body is not expected with this request."
	msgImageNotFoundBare  = "Image with the given id %(image_id)s was not found"
	msgNotServed          = "The fake image service (novastub) serves GET /v2/images and GET /v2/images/{image_id} only."
	maxImageIDLength      = 36   // the length of Glance's images.id column
	defaultLimit          = 25   // [DEFAULT] limit_param_default
	maxLimit              = 1000 // [DEFAULT] api_limit_max
	sortKeysList          = "name, status, container_format, disk_format, size, id, created_at, updated_at"
	msgVisibilityInvalid  = "Invalid visibility value: "
	msgMemberStatusInvald = "Invalid status: "
)

func msgSortKey(k string) string {
	return "Invalid sort key: " + k + ". It must be one of the following: " + sortKeysList + "."
}

func msgSortDir(d string) string { return "Invalid sort direction: " + d }

func msgNoImage(id string) string { return "No image found with ID " + id }

func msgNotVisible(id string) string { return "Forbidding request, image " + id + " not visible" }

func msgBoolFilter(value, name string) string {
	return "Invalid value '" + value + "' for '" + name + "' filter. Valid values are 'true' or 'false'."
}

func msgBadTimeFilter(key string) string {
	return `Bad "` + key + `" query filter format. Use ISO 8601 DateTime notation.`
}

func msgUnknownFilterOperator(op string) string {
	return "Unable to filter by unknown operator '" + op + "'."
}

// writeError answers as Glance does for a webob.exc.HTTPException raised
// with an explanation: webob's page in the format the Accept header
// prefers (JSON, HTML or plain text).
func writeError(w http.ResponseWriter, r *http.Request, code int, explanation string) {
	middleware.WriteWebObError(w, r, code, explanation)
}

// WriteError writes Glance's error answer for code with message as its
// explanation, as an injected fault of the service's operations answers.
func (s *Service) WriteError(w http.ResponseWriter, r *http.Request, code int, message string) {
	writeError(w, r, code, message)
}
