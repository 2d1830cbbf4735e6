//go:build tools

// Package tools pins the Helm 4 CLI, which the test harness builds as an
// outside client of the releases the Helm 4 engine (engine/) stores.
package tools

import _ "helm.sh/helm/v4/cmd/helm"
