module github.com/novastub/novastub

go 1.22

require (
	github.com/google/uuid v1.6.0
	github.com/julienschmidt/httprouter v1.3.0
)
