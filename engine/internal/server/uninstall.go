package server

import (
	"context"
	"strings"

	"helm.sh/helm/v4/pkg/action"

	"appstore.local/engine/gen/hapi/services"
	"appstore.local/engine/internal/convert"
)

// UninstallRelease runs action.Uninstall: purge=false keeps the history
// (status DELETED, name still taken), as Tiller did without --purge.
func (s *Server) UninstallRelease(ctx context.Context, req *services.UninstallReleaseRequest) (*services.UninstallReleaseResponse, error) {
	resp, err := s.uninstall(ctx, req)
	if err != nil {
		return nil, s.fail("UninstallRelease", req.GetName(), err)
	}
	s.log.Info("uninstalled", "release", req.GetName(), "purge", req.GetPurge())
	return resp, nil
}

func (s *Server) uninstall(ctx context.Context, req *services.UninstallReleaseRequest) (*services.UninstallReleaseResponse, error) {
	cfg, _, err := s.located(ctx, req.GetName())
	if err != nil {
		return nil, err
	}
	un := action.NewUninstall(cfg)
	un.KeepHistory = !req.GetPurge()
	un.DisableHooks = req.GetDisableHooks()
	un.Timeout = timeout(req.GetTimeout())
	un.Description = req.GetDescription()
	un.WaitStrategy = waitStrategy(false)
	res, err := un.Run(req.GetName())
	completed := err != nil && res != nil && strings.HasPrefix(err.Error(), "uninstallation completed with")
	if err != nil && !completed {
		return nil, err
	}
	out := &services.UninstallReleaseResponse{}
	if res != nil {
		out.Info = res.Info
		if completed {
			// The objects and (with purge) the history are gone; what failed on the way (a post-delete hook that
			// never completed) is said in info, as Tiller said what it could not delete.
			s.log.Warn("uninstalled with errors", "release", req.GetName(), "error", err.Error())
			out.Info = strings.TrimSpace(out.Info + "\n" + err.Error())
		}
		if res.Release != nil {
			rel, err := asRelease(res.Release)
			if err != nil {
				return nil, err
			}
			if out.Release, err = convert.ReleaseFromHelm(rel); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}
