package releasecache

import (
	"context"
	"log/slog"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	coreinformers "k8s.io/client-go/informers/core/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
)

// Selector is the label selector of Helm's release Secrets.
const Selector = "owner=helm"

// pending statuses: a change in flight, or one whose last write has not
// reached the watch yet.
var pending = map[string]bool{"pending-install": true, "pending-upgrade": true, "pending-rollback": true, "uninstalling": true}

// Cache is the Index fed by a shared informer on the release Secrets of
// every namespace.
type Cache struct {
	Index    *Index
	informer cache.SharedIndexInformer
	synced   func() bool
	log      *slog.Logger

	mu sync.Mutex
	// brokenAt is the informer's last resource version when its watch last
	// failed; the cache counts as behind until that version moves on (a new
	// list, or events flowing again). "" while nothing failed.
	broken   bool
	brokenAt string
}

// New makes the cache; Run starts it. resync re-delivers what the informer
// holds at that period (0: never).
func New(client kubernetes.Interface, resync time.Duration, log *slog.Logger) *Cache {
	inf := coreinformers.NewFilteredSecretInformer(client, metav1.NamespaceAll, resync, cache.Indexers{},
		func(o *metav1.ListOptions) { o.LabelSelector = Selector })
	c := &Cache{Index: NewIndex(), informer: inf, log: log}
	// Field ownership is not read; dropping it saves a good part of each object.
	_ = inf.SetTransform(func(obj any) (any, error) {
		if s, ok := obj.(*corev1.Secret); ok {
			s.ManagedFields = nil
		}
		return obj, nil
	})
	_ = inf.SetWatchErrorHandlerWithContext(func(ctx context.Context, r *cache.Reflector, err error) {
		c.mu.Lock()
		c.broken, c.brokenAt = true, inf.LastSyncResourceVersion()
		c.mu.Unlock()
		log.Warn("release cache: watch of Helm's release Secrets failed; reads go to the API server until it is back", "error", err.Error())
		cache.DefaultWatchErrorHandler(ctx, r, err)
	})
	reg, _ := inf.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    func(obj any) { c.Index.Put(asSecret(obj)) },
		UpdateFunc: func(_, obj any) { c.Index.Put(asSecret(obj)) },
		DeleteFunc: func(obj any) {
			if tomb, ok := obj.(cache.DeletedFinalStateUnknown); ok {
				obj = tomb.Obj
			}
			if s := asSecret(obj); s != nil {
				c.Index.Forget(s)
			}
		},
	})
	c.synced = reg.HasSynced
	return c
}

func asSecret(obj any) *corev1.Secret {
	s, _ := obj.(*corev1.Secret)
	return s
}

// Run runs the informer until ctx ends.
func (c *Cache) Run(ctx context.Context) { c.informer.RunWithContext(ctx) }

// WaitForSync waits at most timeout for the first list; whether it is in.
func (c *Cache) WaitForSync(ctx context.Context, timeout time.Duration) bool {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	return cache.WaitForCacheSync(ctx.Done(), c.synced)
}

// Ready: the first list is in and the watch has not failed since, or has
// come back (its resource version moved on).
func (c *Cache) Ready() bool {
	if !c.synced() {
		return false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.broken && c.informer.LastSyncResourceVersion() != c.brokenAt {
		c.broken = false
		c.log.Info("release cache: the watch of Helm's release Secrets is back")
	}
	return !c.broken
}

// Settled is the namespace of the named release when the cache may answer
// for its newest revision and its history: ready, some revision held, all
// in one namespace, the newest at least atLeast (0: no lower bound) and not
// pending.
func (c *Cache) Settled(name string, atLeast int) (string, bool) {
	if !c.Ready() {
		return "", false
	}
	revs := c.Index.Revisions(name)
	if len(revs) == 0 || !oneNamespace(revs) {
		return "", false
	}
	newest := revs[0]
	if newest.Revision < atLeast || pending[newest.Status] {
		return "", false
	}
	return newest.Namespace, true
}

// Holds is the namespace of the named release when the cache holds the
// given revision: a revision's content never changes once written (only its
// status does), so any revision held may answer.
func (c *Cache) Holds(name string, revision int) (string, bool) {
	if !c.Ready() {
		return "", false
	}
	revs := c.Index.Revisions(name)
	if len(revs) == 0 || !oneNamespace(revs) {
		return "", false
	}
	for _, r := range revs {
		if r.Revision == revision {
			return r.Namespace, true
		}
	}
	return "", false
}

func oneNamespace(revs []Revision) bool {
	for _, r := range revs[1:] {
		if r.Namespace != revs[0].Namespace {
			return false
		}
	}
	return true
}
