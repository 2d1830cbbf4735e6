package releasecache

import (
	"sort"
	"strconv"
	"sync"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/resourceversion"
)

// Revision is one stored revision of a release as its Secret's labels say.
type Revision struct {
	Namespace string
	Revision  int
	Status    string
}

// Index is the release Secrets by namespace/name and by release name. The
// Secrets it holds are never modified: readers get them as they are.
type Index struct {
	mu        sync.RWMutex
	byKey     map[types.NamespacedName]*corev1.Secret
	byRelease map[string]map[types.NamespacedName]struct{}
	// deleted holds the resourceVersion a Secret had when the engine deleted
	// it, until the watch's delete event: an older event still on its way
	// does not bring the Secret back.
	deleted map[types.NamespacedName]string
}

// NewIndex is an empty index.
func NewIndex() *Index {
	return &Index{
		byKey:     map[types.NamespacedName]*corev1.Secret{},
		byRelease: map[string]map[types.NamespacedName]struct{}{},
		deleted:   map[types.NamespacedName]string{},
	}
}

func keyOf(s *corev1.Secret) types.NamespacedName {
	return types.NamespacedName{Namespace: s.Namespace, Name: s.Name}
}

// older: a's resourceVersion is before b's. Resource versions that are not
// plain integers cannot be ordered and count as newer.
func older(a, b string) bool {
	c, err := resourceversion.CompareResourceVersion(a, b)
	return err == nil && c < 0
}

// Put adds or replaces a Secret, from a watch event or a write's answer,
// unless the index already holds a newer version of it.
func (x *Index) Put(s *corev1.Secret) {
	if s == nil || s.Labels["owner"] != "helm" {
		return
	}
	k := keyOf(s)
	x.mu.Lock()
	defer x.mu.Unlock()
	if rv, ok := x.deleted[k]; ok {
		if !older(rv, s.ResourceVersion) {
			return
		}
		delete(x.deleted, k)
	}
	if held, ok := x.byKey[k]; ok {
		if older(s.ResourceVersion, held.ResourceVersion) {
			return
		}
		x.unlink(k, held)
	}
	x.byKey[k] = s
	name := s.Labels["name"]
	if x.byRelease[name] == nil {
		x.byRelease[name] = map[types.NamespacedName]struct{}{}
	}
	x.byRelease[name][k] = struct{}{}
}

// Forget removes a Secret the watch reports deleted, unless what the index
// holds is newer (made again after that delete).
func (x *Index) Forget(s *corev1.Secret) {
	k := keyOf(s)
	x.mu.Lock()
	defer x.mu.Unlock()
	delete(x.deleted, k)
	if held, ok := x.byKey[k]; ok && !older(s.ResourceVersion, held.ResourceVersion) {
		x.unlink(k, held)
		delete(x.byKey, k)
	}
}

// Deleted removes a Secret the engine itself has just deleted.
func (x *Index) Deleted(namespace, name string) {
	k := types.NamespacedName{Namespace: namespace, Name: name}
	x.mu.Lock()
	defer x.mu.Unlock()
	if held, ok := x.byKey[k]; ok {
		x.deleted[k] = held.ResourceVersion
		x.unlink(k, held)
		delete(x.byKey, k)
	}
}

func (x *Index) unlink(k types.NamespacedName, s *corev1.Secret) {
	name := s.Labels["name"]
	delete(x.byRelease[name], k)
	if len(x.byRelease[name]) == 0 {
		delete(x.byRelease, name)
	}
}

// Revisions are the held revisions of the named release, in any namespace,
// newest first.
func (x *Index) Revisions(name string) []Revision {
	x.mu.RLock()
	defer x.mu.RUnlock()
	out := make([]Revision, 0, len(x.byRelease[name]))
	for k := range x.byRelease[name] {
		s := x.byKey[k]
		rev, err := strconv.Atoi(s.Labels["version"])
		if err != nil {
			continue
		}
		out = append(out, Revision{Namespace: s.Namespace, Revision: rev, Status: s.Labels["status"]})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Revision != out[j].Revision {
			return out[i].Revision > out[j].Revision
		}
		return out[i].Namespace < out[j].Namespace
	})
	return out
}

// Get is one held Secret.
func (x *Index) Get(namespace, name string) (*corev1.Secret, bool) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	s, ok := x.byKey[types.NamespacedName{Namespace: namespace, Name: name}]
	return s, ok
}

// List is the held Secrets of a namespace matching a label selector; a
// selector naming the release looks at that release's Secrets only.
func (x *Index) List(namespace string, sel labels.Selector) []*corev1.Secret {
	x.mu.RLock()
	defer x.mu.RUnlock()
	var out []*corev1.Secret
	match := func(k types.NamespacedName) {
		s := x.byKey[k]
		if k.Namespace == namespace && sel.Matches(labels.Set(s.Labels)) {
			out = append(out, s)
		}
	}
	if name, ok := sel.RequiresExactMatch("name"); ok {
		for k := range x.byRelease[name] {
			match(k)
		}
	} else {
		for k := range x.byKey {
			match(k)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
