// Package server serves hapi.services.tiller.ReleaseService (Tiller v2.17's
// protocol) with Helm 4's SDK: each method maps its request, runs one
// pkg/action and maps the result back (internal/convert); every error goes
// through toStatus. Releases are stored by Helm's Secret driver, exactly as
// the Helm CLI stores them.
package server

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"helm.sh/helm/v4/pkg/action"
	chartutil "helm.sh/helm/v4/pkg/chart/v2/util"
	"helm.sh/helm/v4/pkg/kube"

	"appstore.local/engine/gen/hapi/services"
)

// defaultTimeout is Tiller's, for requests that send none.
const defaultTimeout = 300 * time.Second

// Options are the engine's policies.
type Options struct {
	// HistoryMax bounds the revisions kept per release by upgrades and rollbacks (0: all).
	HistoryMax int
	// SkipTenancyCheck switches the tenancy check off: for tests of the RBAC layer only.
	SkipTenancyCheck bool
	// Cache answers reads of stored releases from memory when it may (cached_reads.go); nil: the API server always.
	Cache ReleaseCache
}

// Server implements services.ReleaseServiceServer.
type Server struct {
	services.UnimplementedReleaseServiceServer
	configs *Configs
	locator *Locator
	log     *slog.Logger
	opts    Options
}

// New wires a server over per-namespace configurations and a release locator.
func New(configs *Configs, locator *Locator, log *slog.Logger, opts Options) *Server {
	return &Server{configs: configs, locator: locator, log: log, opts: opts}
}

var _ services.ReleaseServiceServer = (*Server)(nil)

// timeout maps a request's seconds; 0 means Tiller's default.
func timeout(seconds int64) time.Duration {
	if seconds <= 0 {
		return defaultTimeout
	}
	return time.Duration(seconds) * time.Second
}

// waitStrategy: Helm 4's kstatus watcher when asked to wait; otherwise only
// hooks are waited for, as Tiller did.
func waitStrategy(wait bool) kube.WaitStrategy {
	if wait {
		return kube.StatusWatcherStrategy
	}
	return kube.HookOnlyStrategy
}

func dryRun(on bool) action.DryRunStrategy {
	if on {
		// Rendered against the real cluster (capabilities, lookup), nothing applied or stored.
		return action.DryRunServer
	}
	return action.DryRunNone
}

// validName refuses what Helm would not store; Tiller generated a name when
// none was given, which the store never asks for.
func validName(name string) error {
	if name == "" {
		return fmt.Errorf("invalid release name: a name is required (this engine does not generate names)")
	}
	if err := chartutil.ValidateReleaseName(name); err != nil {
		return fmt.Errorf("invalid release name %q: %w", name, err)
	}
	return nil
}

// located returns the configuration of the namespace holding the named release.
func (s *Server) located(ctx context.Context, name string) (*action.Configuration, string, error) {
	if err := validName(name); err != nil {
		return nil, "", err
	}
	ns, err := s.locator.Namespace(ctx, name)
	if err != nil {
		return nil, "", err
	}
	cfg, err := s.configs.For(ns)
	return cfg, ns, err
}

func (s *Server) fail(method, name string, err error) error {
	return toStatus(s.log, method, name, err)
}
