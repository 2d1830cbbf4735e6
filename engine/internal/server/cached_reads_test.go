package server

import (
	"context"
	"testing"

	"google.golang.org/grpc/metadata"
)

func TestTheMinimumRevisionHintIsOnePositiveIntegerOrAbsent(t *testing.T) {
	with := func(values ...string) context.Context {
		md := metadata.MD{}
		for _, v := range values {
			md.Append(MinRevisionKey, v)
		}
		return metadata.NewIncomingContext(context.Background(), md)
	}
	if n, err := minRevision(context.Background()); n != 0 || err != nil {
		t.Errorf("absent: %d, %v", n, err)
	}
	if n, err := minRevision(with("7")); n != 7 || err != nil {
		t.Errorf("7: %d, %v", n, err)
	}
	for _, bad := range [][]string{{"0"}, {"-1"}, {"seven"}, {""}, {"1", "2"}} {
		if _, err := minRevision(with(bad...)); err == nil {
			t.Errorf("%q was accepted", bad)
		}
	}
}
