package server

import (
	"fmt"

	ri "helm.sh/helm/v4/pkg/release"
	release "helm.sh/helm/v4/pkg/release/v1"
)

// asRelease narrows Helm's release interface to the v1 releases Helm 4 stores.
func asRelease(r ri.Releaser) (*release.Release, error) {
	switch rel := r.(type) {
	case *release.Release:
		return rel, nil
	case release.Release:
		return &rel, nil
	default:
		return nil, fmt.Errorf("unexpected release type %T", r)
	}
}
