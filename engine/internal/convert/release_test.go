package convert

import (
	"testing"
	"time"

	chartv2 "helm.sh/helm/v4/pkg/chart/v2"
	rcommon "helm.sh/helm/v4/pkg/release/common"
	release "helm.sh/helm/v4/pkg/release/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	hapirelease "appstore.local/engine/gen/hapi/release"
)

func TestReleaseFromHelmMapsInfoHooksAndValues(t *testing.T) {
	first := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	r := &release.Release{
		Name:      "wise-ibis",
		Namespace: "team-a",
		Version:   3,
		Manifest:  "kind: ConfigMap\n",
		Config:    map[string]any{"message": "hi"},
		Chart:     &chartv2.Chart{Metadata: &chartv2.Metadata{Name: "hello", Version: "1.1.0", APIVersion: "v2"}},
		Info: &release.Info{
			FirstDeployed: first, LastDeployed: first.Add(time.Hour),
			Status: rcommon.StatusSuperseded, Description: "Upgrade complete", Notes: "thanks",
		},
		Hooks: []*release.Hook{{
			Name: "db-init", Kind: "Job", Path: "hello/templates/job.yaml", Weight: -5,
			Events:         []release.HookEvent{release.HookPreInstall, release.HookPostUpgrade, release.HookTest},
			DeletePolicies: []release.HookDeletePolicy{release.HookBeforeHookCreation},
			LastRun:        release.HookExecution{StartedAt: first, CompletedAt: first.Add(time.Second)},
		}},
	}
	out, err := ReleaseFromHelm(r)
	if err != nil {
		t.Fatal(err)
	}
	if out.Name != "wise-ibis" || out.Namespace != "team-a" || out.Version != 3 || out.Manifest != r.Manifest {
		t.Errorf("release = %v", out)
	}
	if out.Info.Status.Code != hapirelease.Status_SUPERSEDED || out.Info.Status.Notes != "thanks" || out.Info.Description != "Upgrade complete" {
		t.Errorf("info = %v", out.Info)
	}
	if !out.Info.FirstDeployed.AsTime().Equal(first) || out.Info.Deleted != nil {
		t.Errorf("times = %v / %v", out.Info.FirstDeployed, out.Info.Deleted)
	}
	if out.Config.Raw != "message: hi\n" || out.Chart.Metadata.Version != "1.1.0" {
		t.Errorf("config = %q, chart = %v", out.Config.Raw, out.Chart.Metadata)
	}
	h := out.Hooks[0]
	wantEvents := []hapirelease.Hook_Event{hapirelease.Hook_PRE_INSTALL, hapirelease.Hook_POST_UPGRADE, hapirelease.Hook_RELEASE_TEST_SUCCESS}
	if len(h.Events) != 3 || h.Events[0] != wantEvents[0] || h.Events[1] != wantEvents[1] || h.Events[2] != wantEvents[2] {
		t.Errorf("events = %v", h.Events)
	}
	if h.Weight != -5 || h.DeletePolicies[0] != hapirelease.Hook_BEFORE_HOOK_CREATION || !h.LastRun.AsTime().Equal(first.Add(time.Second)) {
		t.Errorf("hook = %v", h)
	}
}

func TestFormatResourcesGroupsNamesByKind(t *testing.T) {
	cm := func(name string) runtime.Object { return &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: name}} }
	got := FormatResources(map[string][]runtime.Object{
		"v1/ConfigMap": {cm("b"), cm("a")},
		"v1/Service":   {cm("svc")},
		"v1/Empty":     {},
	})
	want := "==> v1/ConfigMap\nNAME\na\nb\n\n==> v1/Service\nNAME\nsvc\n\n"
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
