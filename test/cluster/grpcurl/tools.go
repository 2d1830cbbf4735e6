//go:build tools

// Package tools pins grpcurl, which the test harness builds as an outside
// client of the store's gRPC API (reflection, health, calls with metadata).
package tools

import _ "github.com/fullstorydev/grpcurl/cmd/grpcurl"
