package server

import (
	"context"
	"sort"

	"helm.sh/helm/v4/pkg/action"
	"helm.sh/helm/v4/pkg/release"
	rcommon "helm.sh/helm/v4/pkg/release/common"
	helmrelease "helm.sh/helm/v4/pkg/release/v1"

	hapirelease "appstore.local/engine/gen/hapi/release"
	"appstore.local/engine/gen/hapi/services"
	"appstore.local/engine/internal/convert"
)

// GetReleaseContent runs action.Get; revision 0 is the latest, as in Tiller.
// The stored release is read from the release cache when it may answer (see
// cached_reads.go).
func (s *Server) GetReleaseContent(ctx context.Context, req *services.GetReleaseContentRequest) (*services.GetReleaseContentResponse, error) {
	var r release.Releaser
	err := s.reading(ctx, req.GetName(), int(req.GetVersion()), func(cfg *action.Configuration) (err error) {
		get := action.NewGet(cfg)
		get.Version = int(req.GetVersion())
		r, err = get.Run(req.GetName())
		return err
	})
	if err != nil {
		return nil, s.fail("GetReleaseContent", req.GetName(), err)
	}
	out, err := releaseOut(r)
	if err != nil {
		return nil, s.fail("GetReleaseContent", req.GetName(), err)
	}
	return &services.GetReleaseContentResponse{Release: out}, nil
}

// GetReleaseStatus runs action.Status, which also reads the release's live
// objects for Status.resources; an uninstalled release has none to read.
func (s *Server) GetReleaseStatus(ctx context.Context, req *services.GetReleaseStatusRequest) (*services.GetReleaseStatusResponse, error) {
	var r release.Releaser
	var cfg *action.Configuration
	err := s.reading(ctx, req.GetName(), int(req.GetVersion()), func(c *action.Configuration) (err error) {
		get := action.NewGet(c)
		get.Version = int(req.GetVersion())
		r, err = get.Run(req.GetName())
		cfg = c
		return err
	})
	if err != nil {
		return nil, s.fail("GetReleaseStatus", req.GetName(), err)
	}
	rel, err := asRelease(r)
	if err != nil {
		return nil, s.fail("GetReleaseStatus", req.GetName(), err)
	}
	info := convert.InfoFromHelm(rel.Info)
	if rel.Info != nil && rel.Info.Status != rcommon.StatusUninstalled {
		st := action.NewStatus(cfg)
		st.Version = rel.Version
		if live, err := st.Run(req.GetName()); err != nil {
			s.log.Warn("release objects could not be read", "release", rel.Name, "namespace", rel.Namespace, "error", err.Error())
		} else if lr, err := asRelease(live); err == nil && lr.Info != nil {
			info.Status.Resources = convert.FormatResources(lr.Info.Resources)
		}
	}
	return &services.GetReleaseStatusResponse{Name: rel.Name, Namespace: rel.Namespace, Info: info}, nil
}

// GetHistory runs action.History: newest revision first, at most max (0: all).
func (s *Server) GetHistory(ctx context.Context, req *services.GetHistoryRequest) (*services.GetHistoryResponse, error) {
	var revs []release.Releaser
	err := s.reading(ctx, req.GetName(), 0, func(cfg *action.Configuration) (err error) {
		revs, err = action.NewHistory(cfg).Run(req.GetName())
		return err
	})
	if err != nil {
		return nil, s.fail("GetHistory", req.GetName(), err)
	}
	rels := make([]*helmrelease.Release, 0, len(revs))
	for _, r := range revs {
		rel, err := asRelease(r)
		if err != nil {
			return nil, s.fail("GetHistory", req.GetName(), err)
		}
		rels = append(rels, rel)
	}
	sort.Slice(rels, func(i, j int) bool { return rels[i].Version > rels[j].Version })
	if limit := int(req.GetMax()); limit > 0 && len(rels) > limit {
		rels = rels[:limit]
	}
	out := &services.GetHistoryResponse{Releases: make([]*hapirelease.Release, 0, len(rels))}
	for _, rel := range rels {
		h, err := convert.ReleaseFromHelm(rel)
		if err != nil {
			return nil, s.fail("GetHistory", req.GetName(), err)
		}
		out.Releases = append(out.Releases, h)
	}
	return out, nil
}

func releaseOut(r any) (*hapirelease.Release, error) {
	rel, err := asRelease(r)
	if err != nil {
		return nil, err
	}
	return convert.ReleaseFromHelm(rel)
}
