//go:build tools

// Package tools pins the Helm v2 binaries the test harness builds: Tiller
// (the server the store talks to) and the helm CLI (an outside client used for
// interoperability checks).
package tools

import (
	_ "k8s.io/helm/cmd/helm"
	_ "k8s.io/helm/cmd/tiller"
)
