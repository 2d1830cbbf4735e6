package server

import (
	"context"

	"helm.sh/helm/v4/pkg/action"
	release "helm.sh/helm/v4/pkg/release/v1"

	"appstore.local/engine/gen/hapi/services"
	"appstore.local/engine/internal/convert"
)

// InstallRelease runs action.Install in the request's namespace.
func (s *Server) InstallRelease(ctx context.Context, req *services.InstallReleaseRequest) (*services.InstallReleaseResponse, error) {
	rel, err := s.install(ctx, req)
	if err != nil {
		return nil, s.failChange(ctx, "InstallRelease", req.GetName(), err)
	}
	out, err := convert.ReleaseFromHelm(rel)
	if err != nil {
		return nil, s.fail("InstallRelease", req.GetName(), err)
	}
	s.log.Info("installed", "release", rel.Name, "namespace", rel.Namespace, "revision", rel.Version, "dryRun", req.GetDryRun())
	return &services.InstallReleaseResponse{Release: out}, nil
}

func (s *Server) install(ctx context.Context, req *services.InstallReleaseRequest) (*release.Release, error) {
	if req.GetDisableCrdHook() {
		return nil, &unsupportedError{what: "disable_crd_hook (Tiller's crd-install hook)"}
	}
	name, namespace := req.GetName(), req.GetNamespace()
	if namespace == "" {
		namespace = "default"
	}
	if err := validName(name); err != nil {
		return nil, err
	}
	ch, err := convert.ChartToHelm(req.GetChart())
	if err != nil {
		return nil, err
	}
	vals, err := convert.ValuesFromConfig(req.GetValues())
	if err != nil {
		return nil, err
	}
	check, err := s.checker(ctx, namespace)
	if err != nil {
		return nil, err
	}
	if err := checkCRDs(check, ch); err != nil {
		return nil, err
	}
	if err := s.nameFree(ctx, name, namespace, req.GetReuseName()); err != nil {
		return nil, err
	}
	cfg, err := s.configs.For(namespace)
	if err != nil {
		return nil, err
	}
	in := action.NewInstall(cfg)
	in.ReleaseName = name
	in.Namespace = namespace
	in.DryRunStrategy = dryRun(req.GetDryRun())
	in.DisableHooks = req.GetDisableHooks()
	in.Replace = req.GetReuseName()
	in.Timeout = timeout(req.GetTimeout())
	in.WaitStrategy = waitStrategy(req.GetWait())
	in.Description = req.GetDescription()
	in.SubNotes = req.GetSubNotes()
	// The API server validates fields itself (fieldValidation=Strict on apply);
	// Helm's client-side check would fetch and parse the OpenAPI document on every call.
	in.DisableOpenAPIValidation = true
	if check != nil {
		// Hooks and manifests go through it in one stream (Helm 4's combined strategy).
		in.PostRenderer = check
		in.PostRenderStrategy = action.PostRenderStrategyCombined
	}
	// Not cancelled with the call: see upgrade.go.
	r, err := in.RunWithContext(context.WithoutCancel(ctx), ch, vals)
	if err != nil {
		return nil, err
	}
	return asRelease(r)
}

// nameFree keeps Tiller's global names: a name held in any namespace is in
// use, unless reuse_name asks to replace an uninstalled or failed release of
// the same namespace (Helm's --replace).
func (s *Server) nameFree(ctx context.Context, name, namespace string, reuse bool) error {
	revs, err := s.locator.Revisions(ctx, name)
	if err != nil || len(revs) == 0 {
		return err
	}
	latest := revs[0]
	for _, r := range revs {
		if r.Namespace != namespace {
			return &nameInUseError{name: name, namespace: r.Namespace}
		}
	}
	if reuse && (latest.Status == "uninstalled" || latest.Status == "failed") {
		return nil
	}
	return &nameInUseError{name: name, namespace: latest.Namespace}
}
