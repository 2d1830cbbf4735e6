package convert

import (
	"errors"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"
	rcommon "helm.sh/helm/v4/pkg/release/common"
	release "helm.sh/helm/v4/pkg/release/v1"

	hapichart "appstore.local/engine/gen/hapi/chart"
	hapirelease "appstore.local/engine/gen/hapi/release"
)

func tillerRelease(version int32, code hapirelease.Status_Code) *hapirelease.Release {
	first := time.Date(2020, 5, 6, 7, 8, 9, 123000000, time.UTC)
	return &hapirelease.Release{
		Name: "wise-ibis", Namespace: "team-a", Version: version,
		Chart:    hello(),
		Config:   &hapichart.Config{Raw: "message: from the user\nreplicas: 2\n"},
		Manifest: "---\n# Source: hello/templates/cm.yaml\nkind: ConfigMap\n",
		Info: &hapirelease.Info{
			Status:        &hapirelease.Status{Code: code, Notes: "thanks", Resources: "==> v1/ConfigMap\n"},
			FirstDeployed: timestamppb.New(first),
			LastDeployed:  timestamppb.New(first.Add(time.Duration(version) * time.Hour)),
			Description:   "Upgrade complete",
		},
	}
}

func TestReleaseToHelmKeepsRevisionStatusTimesValuesAndManifest(t *testing.T) {
	in := tillerRelease(3, hapirelease.Status_SUPERSEDED)
	r, notes, err := ReleaseToHelm(in)
	if err != nil {
		t.Fatal(err)
	}
	if r.Name != "wise-ibis" || r.Namespace != "team-a" || r.Version != 3 || r.Manifest != in.Manifest {
		t.Errorf("release = %+v", r)
	}
	if r.Info.Status != rcommon.StatusSuperseded || r.Info.Notes != "thanks" || r.Info.Description != "Upgrade complete" {
		t.Errorf("info = %+v", r.Info)
	}
	if !r.Info.FirstDeployed.Equal(in.Info.FirstDeployed.AsTime()) || !r.Info.LastDeployed.Equal(in.Info.LastDeployed.AsTime()) || !r.Info.Deleted.IsZero() {
		t.Errorf("times = %v %v %v", r.Info.FirstDeployed, r.Info.LastDeployed, r.Info.Deleted)
	}
	if r.Config["message"] != "from the user" || r.Config["replicas"] != float64(2) {
		t.Errorf("config = %#v", r.Config)
	}
	if r.Chart.Metadata.Name != "hello" || r.Chart.Metadata.Version != "1.0.0" || r.Chart.Values["message"] != "hi" || len(r.Chart.Templates) != 1 {
		t.Errorf("chart = %+v", r.Chart)
	}
	if r.ApplyMethod != string(release.ApplyMethodClientSideApply) {
		t.Errorf("apply method = %q, want csa (Tiller applied client-side)", r.ApplyMethod)
	}
	if len(notes) != 1 || !strings.Contains(notes[0], "table of resources") {
		t.Errorf("notes = %q", notes)
	}
}

func TestReleaseToHelmMapsDeletedToUninstalledWithItsTime(t *testing.T) {
	in := tillerRelease(2, hapirelease.Status_DELETED)
	gone := time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)
	in.Info.Deleted = timestamppb.New(gone)
	r, _, err := ReleaseToHelm(in)
	if err != nil {
		t.Fatal(err)
	}
	if r.Info.Status != rcommon.StatusUninstalled || !r.Info.Deleted.Equal(gone) {
		t.Errorf("info = %+v", r.Info)
	}
}

func TestReleaseToHelmMapsHooksAndNamesTheEventsHelmHasNot(t *testing.T) {
	in := tillerRelease(1, hapirelease.Status_DEPLOYED)
	ran := time.Date(2020, 5, 6, 7, 8, 30, 0, time.UTC)
	in.Hooks = []*hapirelease.Hook{{
		Name: "db-init", Kind: "Job", Path: "hello/templates/job.yaml", Manifest: "kind: Job\n", Weight: -5,
		Events:         []hapirelease.Hook_Event{hapirelease.Hook_PRE_INSTALL, hapirelease.Hook_CRD_INSTALL, hapirelease.Hook_RELEASE_TEST_SUCCESS, hapirelease.Hook_RELEASE_TEST_FAILURE},
		DeletePolicies: []hapirelease.Hook_DeletePolicy{hapirelease.Hook_BEFORE_HOOK_CREATION, hapirelease.Hook_SUCCEEDED},
		LastRun:        timestamppb.New(ran),
	}, {Name: "never-ran", Kind: "Pod", Events: []hapirelease.Hook_Event{hapirelease.Hook_POST_UPGRADE}}}
	r, notes, err := ReleaseToHelm(in)
	if err != nil {
		t.Fatal(err)
	}
	h := r.Hooks[0]
	if h.Name != "db-init" || h.Kind != "Job" || h.Path != "hello/templates/job.yaml" || h.Weight != -5 || h.Manifest != "kind: Job\n" {
		t.Errorf("hook = %+v", h)
	}
	if len(h.Events) != 2 || h.Events[0] != release.HookPreInstall || h.Events[1] != release.HookTest {
		t.Errorf("events = %v", h.Events)
	}
	if len(h.DeletePolicies) != 2 || h.DeletePolicies[0] != release.HookBeforeHookCreation || h.DeletePolicies[1] != release.HookSucceeded {
		t.Errorf("delete policies = %v", h.DeletePolicies)
	}
	if !h.LastRun.CompletedAt.Equal(ran) || h.LastRun.Phase != release.HookPhaseSucceeded {
		t.Errorf("last run = %+v", h.LastRun)
	}
	if !r.Hooks[1].LastRun.CompletedAt.IsZero() || r.Hooks[1].LastRun.Phase != "" {
		t.Errorf("a hook that never ran got a run: %+v", r.Hooks[1].LastRun)
	}
	joined := strings.Join(notes, "\n")
	if !strings.Contains(joined, `hook Job "db-init": event CRD_INSTALL`) || !strings.Contains(joined, "event RELEASE_TEST_FAILURE") {
		t.Errorf("notes = %q", notes)
	}
}

func TestReleaseToHelmRefusesWhatCannotBeARelease(t *testing.T) {
	noInfo := tillerRelease(1, hapirelease.Status_DEPLOYED)
	noInfo.Info = nil
	unknown := tillerRelease(1, hapirelease.Status_UNKNOWN)
	noRevision := tillerRelease(0, hapirelease.Status_DEPLOYED)
	badValues := tillerRelease(1, hapirelease.Status_DEPLOYED)
	badValues.Config = &hapichart.Config{Raw: "a: [unclosed\n"}
	noChart := tillerRelease(1, hapirelease.Status_DEPLOYED)
	noChart.Chart = nil
	for name, tc := range map[string]struct {
		in   *hapirelease.Release
		want string
	}{
		"no info":        {noInfo, "no info or status"},
		"unknown status": {unknown, "status UNKNOWN has no Helm counterpart"},
		"no revision":    {noRevision, "no name or revision"},
		"bad values":     {badValues, "YAML parse error on values"},
		"no chart":       {noChart, "no chart provided"},
	} {
		t.Run(name, func(t *testing.T) {
			_, _, err := ReleaseToHelm(tc.in)
			var input *InputError
			if err == nil || !strings.Contains(err.Error(), tc.want) || !errors.As(err, &input) {
				t.Errorf("err = %v, want an InputError with %q", err, tc.want)
			}
		})
	}
}

func TestReleaseToHelmRoundTripsThroughReleaseFromHelm(t *testing.T) {
	in := tillerRelease(2, hapirelease.Status_DEPLOYED)
	r, _, err := ReleaseToHelm(in)
	if err != nil {
		t.Fatal(err)
	}
	back, err := ReleaseFromHelm(r)
	if err != nil {
		t.Fatal(err)
	}
	if back.Name != in.Name || back.Version != in.Version || back.Manifest != in.Manifest || back.Info.Status.Code != in.Info.Status.Code ||
		!back.Info.LastDeployed.AsTime().Equal(in.Info.LastDeployed.AsTime()) || back.Chart.Metadata.Version != in.Chart.Metadata.Version {
		t.Errorf("round trip = %v", back)
	}
}
