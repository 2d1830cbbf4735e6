//go:build tools

// Package tools pins CNCF distribution's registry, which the test harness
// builds and starts as a real OCI registry for the catalog's oci:// repositories.
package tools

import _ "github.com/distribution/distribution/v3/cmd/registry"
