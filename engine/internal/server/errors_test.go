package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"helm.sh/helm/v4/pkg/storage/driver"

	"appstore.local/engine/internal/convert"
	"appstore.local/engine/internal/tenancy"
)

// The store (src/tiller/tiller-errors.ts) classifies by gRPC code first, then
// by Tiller's wording: each case names the words it relies on.
func TestToStatusMapsErrorsToCodesWithTillersWording(t *testing.T) {
	cases := []struct {
		name    string
		err     error
		code    codes.Code
		message string
	}{
		{"not found in storage", fmt.Errorf("get: %w", driver.ErrReleaseNotFound), codes.NotFound, `release: "hello" not found`},
		{"not found by the locator", errNotFound, codes.NotFound, `release: "hello" not found`},
		{"name in use", &nameInUseError{name: "hello", namespace: "a"}, codes.AlreadyExists, "cannot re-use a name that is still in use"},
		{"helm's name in use", errors.New("release name check failed: cannot reuse a name that is still in use"), codes.AlreadyExists, "cannot re-use a name that is still in use"},
		{"input", &convert.InputError{Message: "YAML parse error on values"}, codes.InvalidArgument, "YAML parse error on values"},
		{"tenancy refusal wrapped by Helm's post-render step", fmt.Errorf("error while running post render on files: %w",
			&tenancy.RefusedError{Namespace: "home", Offences: []tenancy.Offence{{Kind: "ConfigMap", Name: "x", Namespace: "other", Reason: "outside"}}}),
			codes.InvalidArgument, `validation failed: tenancy check refused 1 object(s) of a release in namespace "home", nothing was applied: ConfigMap "x" (in namespace "other"): outside`},
		{"RBAC refusal of an impersonated write", errors.New(`failed to create resource: configmaps "x" is forbidden: User "system:serviceaccount:a:appstore-deployer" cannot patch resource "configmaps" in API group "" in the namespace "b"`),
			codes.PermissionDenied, `is forbidden: User "system:serviceaccount:a:appstore-deployer"`},
		{"unsupported", &unsupportedError{what: "recreate"}, codes.Unimplemented, "recreate has no equivalent"},
		{"ambiguous", &ambiguousError{name: "hello", namespaces: []string{"a", "b"}}, codes.FailedPrecondition, "several namespaces (a, b)"},
		{"render", errors.New(`template: hello/templates/x.yaml:1:3: executing "x" at <.Values.a.b>: nil pointer`), codes.InvalidArgument, "render error in chart: template: hello"},
		{"traced render", errors.New("hello/templates/broken.yaml:1:10\n  executing \"hello/templates/broken.yaml\" at <.Values.nope.deeper>:\n    nil pointer evaluating interface {}.deeper\n"), codes.InvalidArgument, "render error in chart: hello/templates/broken.yaml:1:10"},
		{"parse error", errors.New("parse error at (hello/templates/x.yaml:3): unexpected EOF"), codes.InvalidArgument, "render error in chart: parse error"},
		{"fail function", errors.New("execution error at (hello/templates/x.yaml:1:3): message is required"), codes.InvalidArgument, "render error in chart: execution error"},
		{"schema", errors.New("values don't meet the specifications of the schema(s)"), codes.InvalidArgument, "validation failed: values don't"},
		{"a wait of Helm's that ran out", &waitTimeoutError{err: fmt.Errorf("post-upgrade hooks failed: %w", context.DeadlineExceeded)}, codes.Unknown, "timed out waiting for the condition: post-upgrade hooks failed"},
		{"rendered text that is not YAML", errors.New("error merging manifests: parsing web/templates/job.yaml: MalformedYAMLError: yaml: line 22: did not find expected ','"), codes.InvalidArgument, "render error in chart: error merging manifests"},
		{"server-side field validation", errors.New(`failed to create resource: ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "bogus"`), codes.InvalidArgument, "validation failed: failed to create"},
		{"server-side apply schema", errors.New(`server-side apply failed for object a/b /v1, Kind=ConfigMap: failed to create typed patch object (a/b; /v1, Kind=ConfigMap): .bogus: field not declared in schema`), codes.InvalidArgument, "validation failed: server-side apply failed"},
		{"pending", errors.New("another operation (install/upgrade/rollback) is in progress"), codes.Aborted, "another operation"},
		{"no deployed", errors.New(`"hello" has no deployed releases`), codes.FailedPrecondition, "has no deployed releases"},
		{"cluster down", errors.New("Get \"https://127.0.0.1:6443/version\": dial tcp 127.0.0.1:6443: connect: connection refused"), codes.Unavailable, "connection refused"},
		{"deadline", fmt.Errorf("wait: %w", context.DeadlineExceeded), codes.DeadlineExceeded, "deadline"},
		{"anything else", errors.New("boom"), codes.Unknown, "boom"},
		{"already a status", status.Error(codes.NotFound, `offset "x" not found`), codes.NotFound, `offset "x" not found`},
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st, _ := status.FromError(toStatus(log, "Test", "hello", tc.err))
			if st.Code() != tc.code || !strings.Contains(st.Message(), tc.message) {
				t.Errorf("got %s %q, want %s containing %q", st.Code(), st.Message(), tc.code, tc.message)
			}
		})
	}
	if toStatus(log, "Test", "", nil) != nil {
		t.Error("nil error became a status")
	}
}

func TestValidNameRefusesEmptyAndInvalidNames(t *testing.T) {
	for _, name := range []string{"", "UPPER", "a_b", strings.Repeat("a", 54)} {
		if err := validName(name); err == nil || !strings.HasPrefix(err.Error(), "invalid release name") {
			t.Errorf("%q: err = %v", name, err)
		}
	}
	if err := validName("wise-silver-ibis"); err != nil {
		t.Error(err)
	}
}
