package server

import (
	"sort"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"helm.sh/helm/v4/pkg/action"
	release "helm.sh/helm/v4/pkg/release/v1"

	"appstore.local/engine/gen/hapi/services"
	"appstore.local/engine/internal/convert"
)

// defaultPageSize is Tiller's, for a request with limit 0.
const defaultPageSize = 512

// ListReleases runs action.List (the latest revision of each release, in the
// request's namespace or in all of them) and pages it Tiller's way: offset is
// the name a page starts at, next the name of the following page. Nothing
// matching sends no message at all, as Tiller did.
func (s *Server) ListReleases(req *services.ListReleasesRequest, stream services.ReleaseService_ListReleasesServer) error {
	mask, err := convert.ListStateMask(req.GetStatusCodes())
	if err != nil {
		return s.fail("ListReleases", "", err)
	}
	cfg, err := s.configs.For(req.GetNamespace())
	if err != nil {
		return s.fail("ListReleases", "", err)
	}
	list := action.NewList(cfg)
	list.AllNamespaces = req.GetNamespace() == ""
	list.StateMask = mask
	list.Filter = req.GetFilter()
	found, err := list.Run()
	if err != nil {
		return s.fail("ListReleases", "", err)
	}
	rels := make([]*release.Release, 0, len(found))
	for _, r := range found {
		rel, err := asRelease(r)
		if err != nil {
			return s.fail("ListReleases", "", err)
		}
		rels = append(rels, rel)
	}
	if len(rels) == 0 {
		return nil
	}
	sortReleases(rels, req.GetSortBy(), req.GetSortOrder())
	start := 0
	if off := req.GetOffset(); off != "" {
		start = -1
		for i, r := range rels {
			if r.Name == off {
				start = i
				break
			}
		}
		if start < 0 {
			return s.fail("ListReleases", "", status.Errorf(codes.NotFound, "offset %q not found", off))
		}
	}
	limit := int(req.GetLimit())
	if limit <= 0 {
		limit = defaultPageSize
	}
	end := min(start+limit, len(rels))
	resp := &services.ListReleasesResponse{Count: int64(end - start), Total: int64(len(rels))}
	if end < len(rels) {
		resp.Next = rels[end].Name
	}
	for _, r := range rels[start:end] {
		out, err := convert.ReleaseFromHelm(r)
		if err != nil {
			return s.fail("ListReleases", r.Name, err)
		}
		resp.Releases = append(resp.Releases, out)
	}
	if err := stream.Send(resp); err != nil {
		return s.fail("ListReleases", "", err)
	}
	return nil
}

func sortReleases(rels []*release.Release, by services.ListSort_SortBy, order services.ListSort_SortOrder) {
	less := func(a, b *release.Release) bool { return a.Name < b.Name }
	switch by {
	case services.ListSort_LAST_RELEASED:
		less = func(a, b *release.Release) bool { return lastDeployed(a).Before(lastDeployed(b)) }
	case services.ListSort_CHART_NAME:
		less = func(a, b *release.Release) bool { return chartName(a) < chartName(b) }
	}
	sort.SliceStable(rels, func(i, j int) bool {
		if order == services.ListSort_DESC {
			return less(rels[j], rels[i])
		}
		return less(rels[i], rels[j])
	})
}

func chartName(r *release.Release) string {
	if r.Chart == nil || r.Chart.Metadata == nil {
		return ""
	}
	return r.Chart.Metadata.Name
}

func lastDeployed(r *release.Release) time.Time {
	if r.Info == nil {
		return time.Time{}
	}
	return r.Info.LastDeployed
}
