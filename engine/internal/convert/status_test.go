package convert

import (
	"testing"

	"helm.sh/helm/v4/pkg/action"
	rcommon "helm.sh/helm/v4/pkg/release/common"

	hapirelease "appstore.local/engine/gen/hapi/release"
)

func TestStatusCodesMapOneToOneExceptUninstalledIsDeleted(t *testing.T) {
	cases := []struct {
		helm rcommon.Status
		hapi hapirelease.Status_Code
	}{
		{rcommon.StatusDeployed, hapirelease.Status_DEPLOYED},
		{rcommon.StatusUninstalled, hapirelease.Status_DELETED},
		{rcommon.StatusUninstalling, hapirelease.Status_DELETING},
		{rcommon.StatusSuperseded, hapirelease.Status_SUPERSEDED},
		{rcommon.StatusFailed, hapirelease.Status_FAILED},
		{rcommon.StatusPendingInstall, hapirelease.Status_PENDING_INSTALL},
		{rcommon.StatusPendingUpgrade, hapirelease.Status_PENDING_UPGRADE},
		{rcommon.StatusPendingRollback, hapirelease.Status_PENDING_ROLLBACK},
		{rcommon.StatusUnknown, hapirelease.Status_UNKNOWN},
		{"something-new", hapirelease.Status_UNKNOWN},
	}
	for _, tc := range cases {
		if got := StatusCodeFromHelm(tc.helm); got != tc.hapi {
			t.Errorf("%s → %s, want %s", tc.helm, got, tc.hapi)
		}
		if tc.helm == "something-new" {
			continue
		}
		if back, ok := StatusCodeToHelm(tc.hapi); !ok || back != tc.helm {
			t.Errorf("%s → %s, want %s", tc.hapi, back, tc.helm)
		}
	}
}

func TestListStateMask(t *testing.T) {
	if m, _ := ListStateMask(nil); m != action.ListDeployed {
		t.Errorf("no codes = %v, want deployed only (Tiller's default)", m)
	}
	m, err := ListStateMask([]hapirelease.Status_Code{hapirelease.Status_DEPLOYED, hapirelease.Status_DELETED, hapirelease.Status_FAILED})
	if err != nil || m != action.ListDeployed|action.ListUninstalled|action.ListFailed {
		t.Errorf("mask = %v, %v", m, err)
	}
	if _, err := ListStateMask([]hapirelease.Status_Code{42}); err == nil {
		t.Error("an unknown code was accepted")
	}
}
