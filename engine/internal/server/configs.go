package server

import (
	"fmt"
	"io"
	"log/slog"
	"sync"

	"helm.sh/helm/v4/pkg/action"
	"helm.sh/helm/v4/pkg/kube"
	"helm.sh/helm/v4/pkg/storage"
	"helm.sh/helm/v4/pkg/storage/driver"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/client-go/kubernetes"

	"appstore.local/engine/internal/releasecache"
)

// Configs keeps one warm action.Configuration per namespace: its release
// storage (Helm's Secret driver), its kube client and the cluster's
// capabilities are made once and reused by every call into that namespace.
// All of them share one RESTClientGetter, hence one discovery cache and one
// REST mapper.
//
// With a ServiceAccount to impersonate, each namespace's kube client (what
// applies, waits for and deletes a release's objects, and what `lookup`
// reads with) impersonates the ServiceAccount of that name in that
// namespace; the release storage (Helm's Secrets) stays under the engine's
// own identity.
//
// With a release cache (internal/releasecache), each namespace's release
// storage writes through it (what the API server answers the engine's
// writes goes into the cache) and Cached gives a second configuration whose
// storage reads the cache instead of the API server.
type Configs struct {
	getter      genericclioptions.RESTClientGetter
	log         *slog.Logger
	impersonate string
	index       *releasecache.Index

	mu        sync.Mutex
	byName    map[string]*action.Configuration
	cached    map[string]*action.Configuration
	clientset kubernetes.Interface
}

// NewConfigs prepares the per-namespace configurations over one getter;
// impersonate is the name of the per-namespace ServiceAccount that applies
// releases' objects ("": the engine's own identity).
func NewConfigs(getter genericclioptions.RESTClientGetter, log *slog.Logger, impersonate string) *Configs {
	return &Configs{getter: getter, log: log, impersonate: impersonate, byName: map[string]*action.Configuration{}, cached: map[string]*action.Configuration{}}
}

// WithCache makes the release storage write through the index and Cached read it.
func (c *Configs) WithCache(index *releasecache.Index) *Configs {
	c.index = index
	return c
}

// Mapper is the shared REST mapper (the API server's discovery).
func (c *Configs) Mapper() (meta.RESTMapper, error) { return c.getter.ToRESTMapper() }

// Clientset is a typed client under the engine's own identity (admission dry runs), made once.
func (c *Configs) Clientset() (kubernetes.Interface, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.clientsetLocked()
}

func (c *Configs) clientsetLocked() (kubernetes.Interface, error) {
	if c.clientset == nil {
		rc, err := c.getter.ToRESTConfig()
		if err != nil {
			return nil, err
		}
		cs, err := kubernetes.NewForConfig(rc)
		if err != nil {
			return nil, err
		}
		c.clientset = cs
	}
	return c.clientset, nil
}

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
	if c.impersonate != "" && namespace != "" {
		// Init has made the storage over the engine's own getter; only the
		// objects of releases go through the ServiceAccount.
		getter := impersonating{base: c.getter, user: serviceAccountUser(namespace, c.impersonate)}
		kc := kube.New(getter)
		kc.SetLogger(cfg.Logger().Handler())
		kc.Namespace = namespace
		cfg.KubeClient = kc
		cfg.RESTClientGetter = getter
	}
	if c.index != nil && namespace != "" {
		cs, err := c.clientsetLocked()
		if err != nil {
			return nil, err
		}
		d := driver.NewSecrets(releasecache.WriteThrough{SecretInterface: cs.CoreV1().Secrets(namespace), Index: c.index, Namespace: namespace})
		d.SetLogger(cfg.Logger().Handler())
		cfg.Releases = storage.Init(d)
	}
	c.byName[namespace] = cfg
	return cfg, nil
}

// Cached returns the configuration of a namespace whose release storage
// answers from the cache (reads only; see internal/releasecache): the same
// kube client as For's, so live objects are read as before.
func (c *Configs) Cached(namespace string) (*action.Configuration, error) {
	if c.index == nil || namespace == "" {
		return nil, fmt.Errorf("no release cache for namespace %q", namespace)
	}
	api, err := c.For(namespace)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if cfg, ok := c.cached[namespace]; ok {
		return cfg, nil
	}
	cfg := action.NewConfiguration(action.ConfigurationSetLogger(c.log.With("namespace", namespace).Handler()))
	cfg.RESTClientGetter = api.RESTClientGetter
	cfg.KubeClient = api.KubeClient
	cfg.HookOutputFunc = func(_, _, _ string) io.Writer { return io.Discard }
	d := driver.NewSecrets(releasecache.Reader{Index: c.index, Namespace: namespace})
	d.SetLogger(cfg.Logger().Handler())
	cfg.Releases = storage.Init(d)
	c.cached[namespace] = cfg
	return cfg, nil
}
