package server

import (
	"context"
	"testing"

	"google.golang.org/grpc/metadata"
)

func TestClusterScopedObjectsAreAllowedOnlyByAnExplicitTrue(t *testing.T) {
	cases := []struct {
		md      metadata.MD
		allowed bool
		invalid bool
	}{
		{nil, false, false},
		{metadata.Pairs(AllowClusterScopedKey, "true"), true, false},
		{metadata.Pairs(AllowClusterScopedKey, "false"), false, false},
		{metadata.Pairs(AllowClusterScopedKey, "yes"), false, true},
		{metadata.Pairs(AllowClusterScopedKey, "true", AllowClusterScopedKey, "true"), false, true},
	}
	for _, tc := range cases {
		ctx := context.Background()
		if tc.md != nil {
			ctx = metadata.NewIncomingContext(ctx, tc.md)
		}
		allowed, err := allowClusterScoped(ctx)
		if allowed != tc.allowed || (err != nil) != tc.invalid {
			t.Errorf("%v: allowed = %v, err = %v", tc.md, allowed, err)
		}
	}
}
