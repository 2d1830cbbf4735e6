package server

import (
	"context"
	"runtime/debug"

	"appstore.local/engine/gen/hapi/services"
	"appstore.local/engine/gen/hapi/version"
)

// BuildTag is the SemVer build metadata by which a client tells this engine
// from Tiller: GetVersion answers "<Helm SDK version>+appstore-engine", e.g.
// "v4.3.2+appstore-engine" (Tiller answers "v2.17.0").
const BuildTag = "appstore-engine"

// helmModule is the module whose version GetVersion reports.
const helmModule = "helm.sh/helm/v4"

// Version is the SemVer GetVersion answers, from the Helm module compiled in.
func Version() string {
	v := "v4.0.0-unknown"
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, dep := range info.Deps {
			if dep.Path == helmModule {
				v = dep.Version
				if dep.Replace != nil {
					v = dep.Replace.Version
				}
			}
		}
	}
	return v + "+" + BuildTag
}

// GetVersion needs no x-helm-api-client header, as in Tiller; the engine
// accepts that header on every call and ignores its value.
func (s *Server) GetVersion(context.Context, *services.GetVersionRequest) (*services.GetVersionResponse, error) {
	return &services.GetVersionResponse{Version: &version.Version{SemVer: Version(), GitTreeState: "clean"}}, nil
}
