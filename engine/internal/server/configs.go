package server

import (
	"fmt"
	"log/slog"
	"sync"

	"helm.sh/helm/v4/pkg/action"
	"helm.sh/helm/v4/pkg/kube"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/cli-runtime/pkg/genericclioptions"
)

// Configs keeps one warm action.Configuration per namespace: its release
// storage (Helm's Secret driver), its kube client and the cluster's
// capabilities are made once and reused by every call into that namespace.
// All of them share one RESTClientGetter, hence one discovery cache and one
// REST mapper.
type Configs struct {
	getter genericclioptions.RESTClientGetter
	log    *slog.Logger

	mu     sync.Mutex
	byName map[string]*action.Configuration
}

// NewConfigs prepares the per-namespace configurations over one getter.
func NewConfigs(getter genericclioptions.RESTClientGetter, log *slog.Logger) *Configs {
	return &Configs{getter: getter, log: log, byName: map[string]*action.Configuration{}}
}

// Mapper is the shared REST mapper (the API server's discovery).
func (c *Configs) Mapper() (meta.RESTMapper, error) { return c.getter.ToRESTMapper() }

// For returns the configuration of a namespace; "" is every namespace (list only).
func (c *Configs) For(namespace string) (*action.Configuration, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if cfg, ok := c.byName[namespace]; ok {
		return cfg, nil
	}
	cfg := action.NewConfiguration(action.ConfigurationSetLogger(c.log.With("namespace", namespace).Handler()))
	if err := cfg.Init(c.getter, namespace, "secret"); err != nil {
		return nil, fmt.Errorf("helm configuration for namespace %q: %w", namespace, err)
	}
	// Init takes the kube client's namespace from the kubeconfig; objects
	// without a namespace of their own belong to the release's namespace.
	if kc, ok := cfg.KubeClient.(*kube.Client); ok && namespace != "" {
		kc.Namespace = namespace
	}
	c.byName[namespace] = cfg
	return cfg, nil
}
