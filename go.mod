module github.com/novastub/novastub

go 1.22

require (
	github.com/coder/websocket v1.8.13
	github.com/google/uuid v1.6.0
	github.com/gophercloud/gophercloud/v2 v2.10.0
	github.com/julienschmidt/httprouter v1.3.0
	github.com/stretchr/testify v1.11.1
)

require (
	github.com/davecgh/go-spew v1.1.1 // indirect
	github.com/pmezard/go-difflib v1.0.0 // indirect
	gopkg.in/yaml.v3 v3.0.1 // indirect
)
