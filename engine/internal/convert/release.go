package convert

import (
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"
	release "helm.sh/helm/v4/pkg/release/v1"

	hapirelease "appstore.local/engine/gen/hapi/release"
)

// ReleaseFromHelm maps a Helm release to hapi. The chart comes without
// subcharts (Helm does not store them); Status.resources is left to the
// caller (it needs the cluster).
func ReleaseFromHelm(r *release.Release) (*hapirelease.Release, error) {
	if r == nil {
		return nil, nil
	}
	ch, err := ChartFromHelm(r.Chart)
	if err != nil {
		return nil, err
	}
	cfg, err := ConfigFromValues(r.Config)
	if err != nil {
		return nil, err
	}
	out := &hapirelease.Release{
		Name:      r.Name,
		Info:      InfoFromHelm(r.Info),
		Chart:     ch,
		Config:    cfg,
		Manifest:  r.Manifest,
		Version:   int32(r.Version), //nolint:gosec // revisions are small
		Namespace: r.Namespace,
	}
	for _, h := range r.Hooks {
		out.Hooks = append(out.Hooks, HookFromHelm(h))
	}
	return out, nil
}

// InfoFromHelm maps a release's info; zero times stay unset.
func InfoFromHelm(i *release.Info) *hapirelease.Info {
	if i == nil {
		return nil
	}
	return &hapirelease.Info{
		Status:        &hapirelease.Status{Code: StatusCodeFromHelm(i.Status), Notes: i.Notes},
		FirstDeployed: timestamp(i.FirstDeployed),
		LastDeployed:  timestamp(i.LastDeployed),
		Deleted:       timestamp(i.Deleted),
		Description:   i.Description,
	}
}

func timestamp(t time.Time) *timestamppb.Timestamp {
	if t.IsZero() {
		return nil
	}
	return timestamppb.New(t)
}

var hookEvents = map[release.HookEvent]hapirelease.Hook_Event{
	release.HookPreInstall:   hapirelease.Hook_PRE_INSTALL,
	release.HookPostInstall:  hapirelease.Hook_POST_INSTALL,
	release.HookPreDelete:    hapirelease.Hook_PRE_DELETE,
	release.HookPostDelete:   hapirelease.Hook_POST_DELETE,
	release.HookPreUpgrade:   hapirelease.Hook_PRE_UPGRADE,
	release.HookPostUpgrade:  hapirelease.Hook_POST_UPGRADE,
	release.HookPreRollback:  hapirelease.Hook_PRE_ROLLBACK,
	release.HookPostRollback: hapirelease.Hook_POST_ROLLBACK,
	// Helm 3+ has one test event; Tiller's test-success is what `helm test` ran.
	release.HookTest: hapirelease.Hook_RELEASE_TEST_SUCCESS,
}

var deletePolicies = map[release.HookDeletePolicy]hapirelease.Hook_DeletePolicy{
	release.HookSucceeded:          hapirelease.Hook_SUCCEEDED,
	release.HookFailed:             hapirelease.Hook_FAILED,
	release.HookBeforeHookCreation: hapirelease.Hook_BEFORE_HOOK_CREATION,
}

// HookFromHelm maps a hook. Events and delete policies Helm 4 has and
// Tiller had not are dropped (they have no hapi code); LastRun is the time it
// completed, or started if it did not complete.
func HookFromHelm(h *release.Hook) *hapirelease.Hook {
	out := &hapirelease.Hook{
		Name:     h.Name,
		Kind:     h.Kind,
		Path:     h.Path,
		Manifest: h.Manifest,
		Weight:   int32(h.Weight), //nolint:gosec // hook weights are small
	}
	for _, e := range h.Events {
		if code, ok := hookEvents[e]; ok {
			out.Events = append(out.Events, code)
		}
	}
	for _, p := range h.DeletePolicies {
		if code, ok := deletePolicies[p]; ok {
			out.DeletePolicies = append(out.DeletePolicies, code)
		}
	}
	if !h.LastRun.CompletedAt.IsZero() {
		out.LastRun = timestamppb.New(h.LastRun.CompletedAt)
	} else {
		out.LastRun = timestamp(h.LastRun.StartedAt)
	}
	return out
}
