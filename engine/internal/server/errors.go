package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strings"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"helm.sh/helm/v4/pkg/storage/driver"

	"appstore.local/engine/internal/convert"
	"appstore.local/engine/internal/tenancy"
)

// errNotFound is a release that no namespace holds (see Locator).
var errNotFound = errors.New("release not found")

// ambiguousError is a name held by releases in several namespaces.
type ambiguousError struct {
	name       string
	namespaces []string
}

func (e *ambiguousError) Error() string {
	return fmt.Sprintf("release %q exists in several namespaces (%s); Tiller's protocol names releases globally",
		e.name, strings.Join(e.namespaces, ", "))
}

// unsupportedError is a request field with no equivalent in Helm 4.
type unsupportedError struct{ what string }

func (e *unsupportedError) Error() string {
	return e.what + " has no equivalent in Helm 4 and is not supported by this engine"
}

// nameInUseError is an install whose name a release already holds.
type nameInUseError struct {
	name, namespace string
}

// Error keeps Tiller's wording: the store recognises a name in use by it.
func (e *nameInUseError) Error() string {
	return fmt.Sprintf("cannot re-use a name that is still in use: release %q exists in namespace %q", e.name, e.namespace)
}

// helmMessages classifies the errors Helm 4 only reports as text. The
// prefixes keep Tiller's wording, which the store classifies by
// (src/tiller/tiller-errors.ts): Helm's own message follows.
var helmMessages = []struct {
	re     *regexp.Regexp
	code   codes.Code
	prefix string
}{
	{regexp.MustCompile(`another operation \(install/upgrade/rollback\) is in progress`), codes.Aborted, ""},
	{regexp.MustCompile(`cannot reuse a name that is still in use`), codes.AlreadyExists, "cannot re-use a name that is still in use: "},
	{regexp.MustCompile(`has no deployed releases|is already deleted`), codes.FailedPrecondition, ""},
	// Helm 4's template errors: text/template's "template: ...", parse errors,
	// `fail` ("execution error at"), and its own traced form
	// "<file>:<line>:<col>\n  executing \"<file>\" at <...>:\n    <message>".
	{regexp.MustCompile(`^(template: |parse error (at|in) \(|execution error at \(|failed to render|[^\s:]+(:\d+)+\s*\n\s+executing ")`), codes.InvalidArgument, "render error in chart: "},
	// A template that renders text which is not YAML (Helm 4 reads each rendered file before sorting it).
	{regexp.MustCompile(`^error merging manifests: |MalformedYAMLError`), codes.InvalidArgument, "render error in chart: "},
	{regexp.MustCompile(`values don't meet the specifications|chart requires kubeVersion|chart dependencies processing failed|unable to build kubernetes objects from release manifest|release name check failed|release name is invalid|invalid release name|description must be|strict decoding error|field not declared in schema`), codes.InvalidArgument, "validation failed: "},
	// The API server's RBAC refusal of a write (with -impersonate-serviceaccount, of a release's object outside
	// what the namespace's ServiceAccount may write).
	{regexp.MustCompile(` is forbidden: User "`), codes.PermissionDenied, ""},
	{regexp.MustCompile(`connect: connection refused|dial tcp |i/o timeout|no such host|TLS handshake timeout|kubernetes cluster unreachable`), codes.Unavailable, ""},
}

// toStatus is the one place that maps errors to gRPC statuses. name is the
// release the call was about, for Tiller's "not found" wording.
func toStatus(log *slog.Logger, method, name string, err error) error {
	if err == nil {
		return nil
	}
	if _, ok := status.FromError(err); ok {
		return err
	}
	var (
		input       *convert.InputError
		unsupported *unsupportedError
		inUse       *nameInUseError
		ambiguous   *ambiguousError
		refused     *tenancy.RefusedError
	)
	var st *status.Status
	switch {
	case errors.As(err, &refused):
		// Tiller's leading words for a release the store must not apply.
		st = status.New(codes.InvalidArgument, "validation failed: "+refused.Error())
	case errors.As(err, &input):
		st = status.New(codes.InvalidArgument, input.Error())
	case errors.As(err, &unsupported):
		st = status.New(codes.Unimplemented, unsupported.Error())
	case errors.As(err, &inUse):
		st = status.New(codes.AlreadyExists, inUse.Error())
	case errors.As(err, &ambiguous):
		st = status.New(codes.FailedPrecondition, ambiguous.Error())
	case errors.As(err, new(*waitTimeoutError)):
		st = status.New(codes.Unknown, err.Error())
	case errors.Is(err, errNotFound), errors.Is(err, driver.ErrReleaseNotFound):
		st = status.New(codes.NotFound, fmt.Sprintf("release: %q not found", name))
	case errors.Is(err, context.DeadlineExceeded):
		st = status.New(codes.DeadlineExceeded, err.Error())
	case errors.Is(err, context.Canceled):
		st = status.New(codes.Canceled, err.Error())
	default:
		st = status.New(codes.Unknown, err.Error())
		for _, m := range helmMessages {
			if m.re.MatchString(err.Error()) {
				st = status.New(m.code, m.prefix+err.Error())
				break
			}
		}
	}
	level := slog.LevelInfo
	if st.Code() == codes.Unknown || st.Code() == codes.Unavailable {
		level = slog.LevelWarn
	}
	log.Log(context.Background(), level, "call failed", "method", method, "release", name, "code", st.Code().String(), "error", err.Error())
	return st.Err()
}
