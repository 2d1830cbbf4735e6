package server

import (
	"context"
	"fmt"
	"sort"
	"strconv"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/metadata"
)

var secretsResource = schema.GroupVersionResource{Version: "v1", Resource: "secrets"}

// stored is one revision of a release as Helm's Secret driver labels it.
type stored struct {
	Namespace string
	Revision  int
	Status    string
}

// Locator finds the namespace of a release from its name alone. Tiller's
// names are global and so are the store's ids, while Helm 4's names are unique
// per namespace: calls that carry only a name are resolved with one
// cluster-wide list of the release Secrets' metadata (label selector
// owner=helm,name=<name>; no payloads are transferred).
type Locator struct {
	client metadata.Interface
}

// NewLocator uses a metadata-only client.
func NewLocator(client metadata.Interface) *Locator {
	return &Locator{client: client}
}

// Revisions lists every stored revision of the named release, in any namespace.
func (l *Locator) Revisions(ctx context.Context, name string) ([]stored, error) {
	list, err := l.client.Resource(secretsResource).Namespace("").List(ctx, metav1.ListOptions{
		LabelSelector: "owner=helm,name=" + name,
	})
	if err != nil {
		return nil, fmt.Errorf("looking up release %q: %w", name, err)
	}
	out := make([]stored, 0, len(list.Items))
	for _, item := range list.Items {
		rev, err := strconv.Atoi(item.Labels["version"])
		if err != nil {
			continue
		}
		out = append(out, stored{Namespace: item.Namespace, Revision: rev, Status: item.Labels["status"]})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Revision > out[j].Revision })
	return out, nil
}

// Namespace is the one namespace holding the named release. Several
// namespaces holding the same name (made outside the store, by the Helm CLI)
// are ambiguous for Tiller's protocol and refused.
func (l *Locator) Namespace(ctx context.Context, name string) (string, error) {
	revs, err := l.Revisions(ctx, name)
	if err != nil {
		return "", err
	}
	seen := map[string]bool{}
	var namespaces []string
	for _, r := range revs {
		if !seen[r.Namespace] {
			seen[r.Namespace] = true
			namespaces = append(namespaces, r.Namespace)
		}
	}
	switch len(namespaces) {
	case 0:
		return "", errNotFound
	case 1:
		return namespaces[0], nil
	default:
		sort.Strings(namespaces)
		return "", &ambiguousError{name: name, namespaces: namespaces}
	}
}
