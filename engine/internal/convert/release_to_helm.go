package convert

import (
	"fmt"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"
	rcommon "helm.sh/helm/v4/pkg/release/common"
	release "helm.sh/helm/v4/pkg/release/v1"

	hapirelease "appstore.local/engine/gen/hapi/release"
)

// ReleaseToHelm maps one revision of a release Tiller stored to the Helm
// release the Secret driver stores, for the migration from Tiller. The chart
// is loaded by Helm's own loader (as for an install), the user values are
// parsed from Config.raw, and the apply method is client-side, which is how
// Tiller applied every object (a later `helm upgrade` keeps it, Helm's "auto").
//
// Tiller's hook events with no Helm 3+ counterpart are dropped and named in
// the returned notes: crd-install (Helm installs crds/ instead) and
// test-failure (Helm runs one kind of test hook). The notes also name what
// Helm does not store (Tiller's text table of resources, its last test run).
func ReleaseToHelm(r *hapirelease.Release) (*release.Release, []string, error) {
	if r == nil || r.GetInfo() == nil || r.GetInfo().GetStatus() == nil {
		return nil, nil, &InputError{Message: "release has no info or status"}
	}
	if r.GetName() == "" || r.GetVersion() <= 0 {
		return nil, nil, &InputError{Message: fmt.Sprintf("release %q has no name or revision (%d)", r.GetName(), r.GetVersion())}
	}
	status, ok := StatusCodeToHelm(r.GetInfo().GetStatus().GetCode())
	if !ok || status == rcommon.StatusUnknown {
		return nil, nil, &InputError{Message: fmt.Sprintf("release %q revision %d: status %s has no Helm counterpart", r.GetName(), r.GetVersion(), r.GetInfo().GetStatus().GetCode())}
	}
	ch, err := ChartToHelm(r.GetChart())
	if err != nil {
		return nil, nil, fmt.Errorf("release %q revision %d: %w", r.GetName(), r.GetVersion(), err)
	}
	vals, err := ValuesFromConfig(r.GetConfig())
	if err != nil {
		return nil, nil, fmt.Errorf("release %q revision %d: %w", r.GetName(), r.GetVersion(), err)
	}
	info := r.GetInfo()
	out := &release.Release{
		Name:      r.GetName(),
		Namespace: r.GetNamespace(),
		Version:   int(r.GetVersion()),
		Chart:     ch,
		Config:    vals,
		Manifest:  r.GetManifest(),
		Info: &release.Info{
			FirstDeployed: timeOf(info.GetFirstDeployed()),
			LastDeployed:  timeOf(info.GetLastDeployed()),
			Deleted:       timeOf(info.GetDeleted()),
			Description:   info.GetDescription(),
			Status:        status,
			Notes:         info.GetStatus().GetNotes(),
		},
		ApplyMethod: string(release.ApplyMethodClientSideApply),
	}
	var notes []string
	for _, h := range r.GetHooks() {
		hook, dropped := hookToHelm(h)
		out.Hooks = append(out.Hooks, hook)
		for _, e := range dropped {
			notes = append(notes, fmt.Sprintf("hook %s %q: event %s has no Helm counterpart and was dropped", h.GetKind(), h.GetName(), e))
		}
	}
	if info.GetStatus().GetResources() != "" {
		notes = append(notes, "Tiller's table of resources is not stored (Helm reads live objects)")
	}
	if info.GetStatus().GetLastTestSuiteRun() != nil {
		notes = append(notes, "the last test run is not stored (Helm keeps test results in the test hooks)")
	}
	return out, notes, nil
}

// hookToHelm maps one hook; it returns the events it had to drop.
func hookToHelm(h *hapirelease.Hook) (*release.Hook, []hapirelease.Hook_Event) {
	out := &release.Hook{
		Name:     h.GetName(),
		Kind:     h.GetKind(),
		Path:     h.GetPath(),
		Manifest: h.GetManifest(),
		Weight:   int(h.GetWeight()),
	}
	var dropped []hapirelease.Hook_Event
	for _, e := range h.GetEvents() {
		if ev, ok := hookEventToHelm(e); ok {
			out.Events = append(out.Events, ev)
		} else {
			dropped = append(dropped, e)
		}
	}
	for _, p := range h.GetDeletePolicies() {
		for helm, hapi := range deletePolicies {
			if hapi == p {
				out.DeletePolicies = append(out.DeletePolicies, helm)
			}
		}
	}
	// Tiller records only when a hook last ran, and only for hooks that ran
	// to completion (a failed hook fails the release instead).
	if last := timeOf(h.GetLastRun()); !last.IsZero() {
		out.LastRun = release.HookExecution{StartedAt: last, CompletedAt: last, Phase: release.HookPhaseSucceeded}
	}
	return out, dropped
}

func hookEventToHelm(e hapirelease.Hook_Event) (release.HookEvent, bool) {
	for helm, hapi := range hookEvents {
		if hapi == e {
			return helm, true
		}
	}
	return "", false
}

func timeOf(ts *timestamppb.Timestamp) time.Time {
	if ts == nil {
		return time.Time{}
	}
	return ts.AsTime()
}
