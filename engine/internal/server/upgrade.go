package server

import (
	"context"

	"helm.sh/helm/v4/pkg/action"
	release "helm.sh/helm/v4/pkg/release/v1"

	"appstore.local/engine/gen/hapi/services"
	"appstore.local/engine/internal/convert"
)

// UpdateRelease runs action.Upgrade in the namespace holding the release.
func (s *Server) UpdateRelease(ctx context.Context, req *services.UpdateReleaseRequest) (*services.UpdateReleaseResponse, error) {
	rel, err := s.upgrade(ctx, req)
	if err != nil {
		return nil, s.failChange(ctx, "UpdateRelease", req.GetName(), err)
	}
	out, err := convert.ReleaseFromHelm(rel)
	if err != nil {
		return nil, s.fail("UpdateRelease", req.GetName(), err)
	}
	s.log.Info("upgraded", "release", rel.Name, "namespace", rel.Namespace, "revision", rel.Version, "dryRun", req.GetDryRun())
	return &services.UpdateReleaseResponse{Release: out}, nil
}

func (s *Server) upgrade(ctx context.Context, req *services.UpdateReleaseRequest) (*release.Release, error) {
	if req.GetRecreate() {
		return nil, &unsupportedError{what: "recreate (restarting pods on upgrade)"}
	}
	ch, err := convert.ChartToHelm(req.GetChart())
	if err != nil {
		return nil, err
	}
	vals, err := convert.ValuesFromConfig(req.GetValues())
	if err != nil {
		return nil, err
	}
	cfg, namespace, err := s.located(ctx, req.GetName())
	if err != nil {
		return nil, err
	}
	check, err := s.checker(ctx, namespace)
	if err != nil {
		return nil, err
	}
	up := action.NewUpgrade(cfg)
	up.Namespace = namespace
	up.DryRunStrategy = dryRun(req.GetDryRun())
	up.DisableHooks = req.GetDisableHooks()
	up.Timeout = timeout(req.GetTimeout())
	up.WaitStrategy = waitStrategy(req.GetWait())
	up.ResetValues = req.GetResetValues()
	up.ReuseValues = req.GetReuseValues()
	up.ForceReplace = req.GetForce()
	up.Description = req.GetDescription()
	up.SubNotes = req.GetSubNotes()
	up.CleanupOnFail = req.GetCleanupOnFail()
	up.DisableOpenAPIValidation = true // see install.go
	up.MaxHistory = s.opts.HistoryMax
	if check != nil {
		up.PostRenderer = check // hooks and manifests in one stream, as on install
		up.PostRenderStrategy = action.PostRenderStrategyCombined
	}
	// A change runs to its end when its caller goes away (a store replica killed, a deadline passed), as Tiller's do
	// and as rollback and uninstall here do: Helm would otherwise record a half-applied revision as FAILED, cancelled.
	r, err := up.RunWithContext(context.WithoutCancel(ctx), req.GetName(), ch, vals)
	if err != nil {
		return nil, err
	}
	return asRelease(r)
}
