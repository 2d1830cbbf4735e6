package server

import (
	"context"

	"helm.sh/helm/v4/pkg/action"
	release "helm.sh/helm/v4/pkg/release/v1"

	"appstore.local/engine/gen/hapi/services"
	"appstore.local/engine/internal/convert"
)

// RollbackRelease runs action.Rollback and answers with the revision it made.
func (s *Server) RollbackRelease(ctx context.Context, req *services.RollbackReleaseRequest) (*services.RollbackReleaseResponse, error) {
	rel, err := s.rollback(ctx, req)
	if err != nil {
		return nil, s.failChange(ctx, "RollbackRelease", req.GetName(), err)
	}
	out, err := convert.ReleaseFromHelm(rel)
	if err != nil {
		return nil, s.fail("RollbackRelease", req.GetName(), err)
	}
	s.log.Info("rolled back", "release", rel.Name, "namespace", rel.Namespace, "revision", rel.Version, "to", req.GetVersion())
	return &services.RollbackReleaseResponse{Release: out}, nil
}

func (s *Server) rollback(ctx context.Context, req *services.RollbackReleaseRequest) (*release.Release, error) {
	if req.GetRecreate() {
		return nil, &unsupportedError{what: "recreate (restarting pods on rollback)"}
	}
	// Helm's Rollback reports only an error, so a dry run has no release to answer with.
	if req.GetDryRun() {
		return nil, &unsupportedError{what: "a dry run of a rollback"}
	}
	cfg, namespace, err := s.located(ctx, req.GetName())
	if err != nil {
		return nil, err
	}
	if err := s.checkRollbackTarget(ctx, cfg, namespace, req.GetName(), int(req.GetVersion())); err != nil {
		return nil, err
	}
	rb := action.NewRollback(cfg)
	rb.Version = int(req.GetVersion())
	rb.DisableHooks = req.GetDisableHooks()
	rb.Timeout = timeout(req.GetTimeout())
	rb.WaitStrategy = waitStrategy(req.GetWait())
	rb.ForceReplace = req.GetForce()
	rb.Description = req.GetDescription()
	rb.CleanupOnFail = req.GetCleanupOnFail()
	rb.MaxHistory = s.opts.HistoryMax
	if err := rb.Run(req.GetName()); err != nil {
		return nil, err
	}
	r, err := cfg.Releases.Last(req.GetName())
	if err != nil {
		return nil, err
	}
	return asRelease(r)
}

// checkRollbackTarget checks the revision a rollback would apply (0: the one
// before the latest, as Helm chooses) before Helm applies it. A revision that
// does not exist is left to Helm's own error.
func (s *Server) checkRollbackTarget(ctx context.Context, cfg *action.Configuration, namespace, name string, version int) error {
	check, err := s.checker(ctx, namespace)
	if err != nil || check == nil {
		return err
	}
	if version == 0 {
		latest, err := cfg.Releases.Last(name)
		if err != nil {
			return err
		}
		last, err := asRelease(latest)
		if err != nil {
			return err
		}
		version = last.Version - 1
	}
	target, err := cfg.Releases.Get(name, version)
	if err != nil {
		return nil
	}
	r, err := asRelease(target)
	if err != nil {
		return err
	}
	return checkRelease(check, r)
}
