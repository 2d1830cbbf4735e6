// Command appstore-engine serves Tiller v2.17's gRPC protocol
// (hapi.services.tiller.ReleaseService) with Helm 4's SDK, on loopback only:
// it is a sidecar of the store, as Tiller was. Wiring only; see
// internal/server. `appstore-engine migrate` moves Tiller's stored releases
// to Helm's storage (internal/migrate).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"google.golang.org/grpc"
	"helm.sh/helm/v4/pkg/kube"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/metadata"
	"k8s.io/client-go/rest"

	"appstore.local/engine/gen/hapi/services"
	"appstore.local/engine/internal/releasecache"
	"appstore.local/engine/internal/server"
)

const (
	// releaseCacheResync re-delivers what the release cache's informer holds.
	releaseCacheResync = 10 * time.Minute
	// releaseCacheSyncWait bounds the wait for the release cache's first list before serving.
	releaseCacheSyncWait = 30 * time.Second
)

type options struct {
	listen     string
	kubeconfig string
	qps        float64
	burst      int
	historyMax int
	logLevel   slog.Level
	// impersonate is the per-namespace ServiceAccount that applies releases' objects.
	impersonate string
	// skipTenancyCheck is for tests of the RBAC layer only.
	skipTenancyCheck bool
	// releaseCache holds Helm's release Secrets in memory from a watch (internal/releasecache).
	releaseCache bool
}

func parseFlags(args []string) (options, error) {
	var o options
	fs := flag.NewFlagSet("appstore-engine", flag.ContinueOnError)
	fs.StringVar(&o.listen, "listen", "127.0.0.1:44134", "gRPC listen address; loopback only (127.0.0.1, ::1 or localhost)")
	fs.StringVar(&o.kubeconfig, "kubeconfig", os.Getenv("KUBECONFIG"), "kubeconfig file; empty: in-cluster configuration")
	// Helm's defaults (client-go's 5 QPS) make concurrent installs wait on
	// the release storage's Secret calls; these do not throttle.
	fs.Float64Var(&o.qps, "kube-qps", 200, "Kubernetes client queries per second")
	fs.IntVar(&o.burst, "kube-burst", 400, "Kubernetes client burst")
	fs.IntVar(&o.historyMax, "history-max", 20, "revisions kept per release on upgrade and rollback (0: all), as Tiller's TILLER_HISTORY_MAX")
	fs.StringVar(&o.impersonate, "impersonate-serviceaccount", "", "apply a release's objects as the ServiceAccount of this name in the release's namespace (system:serviceaccount:<namespace>:<name>); empty: as the engine itself")
	fs.BoolVar(&o.skipTenancyCheck, "unsafe-skip-tenancy-check", false, "switch off the check that keeps releases' objects in their namespace; for tests of the RBAC layer only")
	fs.BoolVar(&o.releaseCache, "release-cache", true, "hold Helm's release Secrets (owner=helm, every namespace) in memory from a watch, so that status, content and history list no Secrets; false: every read asks the API server")
	level := fs.String("log-level", "info", "debug, info, warn or error")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if err := o.logLevel.UnmarshalText([]byte(*level)); err != nil {
		return o, fmt.Errorf("-log-level: %w", err)
	}
	if o.qps <= 0 || o.burst <= 0 {
		return o, errors.New("-kube-qps and -kube-burst must be positive")
	}
	if o.historyMax < 0 {
		return o, errors.New("-history-max must be 0 (all) or positive")
	}
	if o.impersonate != "" {
		if errs := validation.IsDNS1123Subdomain(o.impersonate); len(errs) > 0 {
			return o, fmt.Errorf("-impersonate-serviceaccount %q: %s", o.impersonate, strings.Join(errs, "; "))
		}
	}
	return o, checkLoopback(o.listen)
}

// checkLoopback refuses any address another host could reach: the protocol
// has no authentication, as Tiller's had none.
func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("-listen %q: %w", addr, err)
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("-listen %q: only a loopback address is allowed (127.0.0.1, ::1 or localhost)", addr)
	}
	return nil
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "migrate" {
		os.Exit(runMigrate(os.Args[2:], os.Stdout, os.Stderr))
	}
	o, err := parseFlags(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "appstore-engine:", err)
		os.Exit(2)
	}
	log := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: o.logLevel}))
	if err := run(o, log); err != nil {
		log.Error("stopped", "error", err.Error())
		os.Exit(1)
	}
}

func run(o options, log *slog.Logger) error {
	// Server-side apply's field manager: the Helm CLI's, so that `helm upgrade`
	// after the engine (and the reverse) does not conflict over fields.
	kube.ManagedFieldsManager = "helm"

	flags := genericclioptions.NewConfigFlags(true)
	flags.KubeConfig = &o.kubeconfig
	flags.WrapConfigFn = func(c *rest.Config) *rest.Config {
		c.QPS = float32(o.qps)
		c.Burst = o.burst
		return c
	}
	getter := flags.WithDiscoveryQPS(float32(o.qps)).WithDiscoveryBurst(o.burst)
	restConfig, err := getter.ToRESTConfig()
	if err != nil {
		return fmt.Errorf("kubernetes configuration: %w", err)
	}
	meta, err := metadata.NewForConfig(restConfig)
	if err != nil {
		return fmt.Errorf("kubernetes metadata client: %w", err)
	}
	configs := server.NewConfigs(getter, log, o.impersonate)
	opts := server.Options{HistoryMax: o.historyMax, SkipTenancyCheck: o.skipTenancyCheck}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if o.releaseCache {
		cs, err := kubernetes.NewForConfig(restConfig)
		if err != nil {
			return fmt.Errorf("kubernetes client: %w", err)
		}
		rc := releasecache.New(cs, releaseCacheResync, log)
		go rc.Run(ctx)
		// Reads do not wait for it: until its first list is in, they ask the API server.
		if !rc.WaitForSync(ctx, releaseCacheSyncWait) {
			log.Warn("release cache: not synced yet; reads ask the API server until it is", "waited", releaseCacheSyncWait.String())
		}
		configs.WithCache(rc.Index)
		opts.Cache = rc
	}
	srv := server.New(configs, server.NewLocator(meta), log, opts)
	if o.skipTenancyCheck {
		log.Warn("the tenancy check is off (-unsafe-skip-tenancy-check): releases may write outside their namespace unless RBAC stops them")
	}

	lis, err := net.Listen("tcp", o.listen)
	if err != nil {
		return err
	}
	g := grpc.NewServer(grpc.MaxRecvMsgSize(64<<20), grpc.MaxSendMsgSize(64<<20))
	services.RegisterReleaseServiceServer(g, srv)

	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		sig := <-stop
		log.Info("shutting down", "signal", sig.String())
		g.GracefulStop()
	}()
	log.Info("listening", "address", lis.Addr().String(), "version", server.Version(), "kubeQPS", o.qps, "kubeBurst", o.burst, "historyMax", o.historyMax,
		"impersonateServiceAccount", o.impersonate, "tenancyCheck", !o.skipTenancyCheck, "releaseCache", o.releaseCache)
	return g.Serve(lis)
}
