package server

import (
	"context"
	"fmt"

	"google.golang.org/grpc/metadata"
	chart "helm.sh/helm/v4/pkg/chart/v2"
	release "helm.sh/helm/v4/pkg/release/v1"

	"appstore.local/engine/internal/convert"
	"appstore.local/engine/internal/tenancy"
)

// AllowClusterScopedKey is the gRPC metadata key by which the caller allows
// cluster-scoped objects for one request ("true"; absent or "false": refused).
const AllowClusterScopedKey = "x-appstore-allow-cluster-scoped"

// allowClusterScoped reads AllowClusterScopedKey; any other value than
// "true" or "false" is refused rather than guessed.
func allowClusterScoped(ctx context.Context) (bool, error) {
	md, _ := metadata.FromIncomingContext(ctx)
	values := md.Get(AllowClusterScopedKey)
	if len(values) == 0 {
		return false, nil
	}
	if len(values) > 1 {
		return false, &convert.InputError{Message: fmt.Sprintf("metadata %s given %d times", AllowClusterScopedKey, len(values))}
	}
	switch values[0] {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, &convert.InputError{Message: fmt.Sprintf("metadata %s must be true or false, not %q", AllowClusterScopedKey, values[0])}
}

// checker is the tenancy check of one request into namespace, or nil when
// the engine runs with the check switched off (tests of the RBAC layer only).
func (s *Server) checker(ctx context.Context, namespace string) (*tenancy.Checker, error) {
	allow, err := allowClusterScoped(ctx)
	if err != nil || s.opts.SkipTenancyCheck {
		return nil, err
	}
	mapper, err := s.configs.Mapper()
	if err != nil {
		return nil, err
	}
	client, err := s.configs.Clientset()
	if err != nil {
		return nil, err
	}
	return &tenancy.Checker{Mapper: mapper, Namespace: namespace, AllowClusterScoped: allow, Pods: podAdmission{client: client}}, nil
}

// checkCRDs checks a chart's crds/ files (its subcharts' too), which Helm
// installs before rendering and never passes to the post-renderer.
func checkCRDs(c *tenancy.Checker, ch *chart.Chart) error {
	if c == nil {
		return nil
	}
	var files []string
	for _, crd := range ch.CRDObjects() {
		if crd.File != nil {
			files = append(files, string(crd.File.Data))
		}
	}
	return c.Check(files...)
}

// checkRelease checks a stored revision's manifest and hooks, as a rollback
// would apply them.
func checkRelease(c *tenancy.Checker, r *release.Release) error {
	if c == nil {
		return nil
	}
	streams := []string{r.Manifest}
	for _, h := range r.Hooks {
		streams = append(streams, h.Manifest)
	}
	return c.Check(streams...)
}
