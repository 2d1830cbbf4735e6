package convert

import (
	"helm.sh/helm/v4/pkg/action"
	rcommon "helm.sh/helm/v4/pkg/release/common"

	hapirelease "appstore.local/engine/gen/hapi/release"
)

// statusPairs is the one table of release statuses: 1:1 except that Helm's
// uninstalled/uninstalling are Tiller's DELETED/DELETING.
var statusPairs = []struct {
	hapi  hapirelease.Status_Code
	helm  rcommon.Status
	state action.ListStates
}{
	{hapirelease.Status_UNKNOWN, rcommon.StatusUnknown, action.ListUnknown},
	{hapirelease.Status_DEPLOYED, rcommon.StatusDeployed, action.ListDeployed},
	{hapirelease.Status_DELETED, rcommon.StatusUninstalled, action.ListUninstalled},
	{hapirelease.Status_SUPERSEDED, rcommon.StatusSuperseded, action.ListSuperseded},
	{hapirelease.Status_FAILED, rcommon.StatusFailed, action.ListFailed},
	{hapirelease.Status_DELETING, rcommon.StatusUninstalling, action.ListUninstalling},
	{hapirelease.Status_PENDING_INSTALL, rcommon.StatusPendingInstall, action.ListPendingInstall},
	{hapirelease.Status_PENDING_UPGRADE, rcommon.StatusPendingUpgrade, action.ListPendingUpgrade},
	{hapirelease.Status_PENDING_ROLLBACK, rcommon.StatusPendingRollback, action.ListPendingRollback},
}

// StatusCodeFromHelm maps a Helm status to Tiller's code (UNKNOWN for anything new).
func StatusCodeFromHelm(s rcommon.Status) hapirelease.Status_Code {
	for _, p := range statusPairs {
		if p.helm == s {
			return p.hapi
		}
	}
	return hapirelease.Status_UNKNOWN
}

// StatusCodeToHelm maps Tiller's code to Helm's status.
func StatusCodeToHelm(c hapirelease.Status_Code) (rcommon.Status, bool) {
	for _, p := range statusPairs {
		if p.hapi == c {
			return p.helm, true
		}
	}
	return "", false
}

// ListStateMask turns ListReleases' status_codes into Helm's list mask;
// none means DEPLOYED only, as in Tiller.
func ListStateMask(codes []hapirelease.Status_Code) (action.ListStates, error) {
	if len(codes) == 0 {
		return action.ListDeployed, nil
	}
	var mask action.ListStates
	for _, c := range codes {
		found := false
		for _, p := range statusPairs {
			if p.hapi == c {
				mask |= p.state
				found = true
			}
		}
		if !found {
			return 0, &InputError{Message: "validation failed: unknown status code " + c.String()}
		}
	}
	return mask, nil
}
