//go:build tools

// Package tools pins kwok, which the test harness builds.
package tools

import _ "sigs.k8s.io/kwok/cmd/kwok"
