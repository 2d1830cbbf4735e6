package migrate

import (
	"context"
	"errors"
	"fmt"
	"sort"

	release "helm.sh/helm/v4/pkg/release/v1"
	"helm.sh/helm/v4/pkg/storage"
	"helm.sh/helm/v4/pkg/storage/driver"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation"
	corev1client "k8s.io/client-go/kubernetes/typed/core/v1"
)

// Migrator reads Tiller's storage and writes Helm's.
type Migrator struct {
	Core            corev1client.CoreV1Interface
	TillerNamespace string
	// Helm is the Helm storage driver of a namespace ("": every namespace,
	// read only); driver.NewSecrets over Core, as the engine stores releases.
	Helm func(namespace string) driver.Driver
}

// New stores releases with Helm's Secret driver, as the engine and the Helm CLI do.
func New(core corev1client.CoreV1Interface, tillerNamespace string) *Migrator {
	return &Migrator{
		Core:            core,
		TillerNamespace: tillerNamespace,
		Helm:            func(ns string) driver.Driver { return driver.NewSecrets(core.Secrets(ns)) },
	}
}

// Plan reads Tiller's releases (only the named ones when names are given)
// and Helm's releases of the same names, and decides what to do with each.
// It writes nothing: it is the dry run. Every release's data stays in
// memory until Apply; Run migrates one release at a time instead.
func (m *Migrator) Plan(ctx context.Context, names []string) ([]Plan, error) {
	names, err := m.names(ctx, names)
	if err != nil {
		return nil, err
	}
	plans := make([]Plan, 0, len(names))
	for _, n := range names {
		plans = append(plans, m.planOne(ctx, n))
	}
	return plans, nil
}

// Run plans each release and, unless dryRun, writes it (and deletes
// Tiller's copy when deleteTiller), one release at a time, so that only one
// release's history is held in memory. The plans it returns carry no
// release data.
func (m *Migrator) Run(ctx context.Context, names []string, dryRun, deleteTiller bool) ([]Plan, error) {
	names, err := m.names(ctx, names)
	if err != nil {
		return nil, err
	}
	out := make([]Plan, 0, len(names))
	for _, n := range names {
		p := m.planOne(ctx, n)
		if !dryRun {
			p = m.Apply(ctx, []Plan{p}, deleteTiller)[0]
		}
		out = append(out, p.withoutData())
	}
	return out, nil
}

// names are the releases to migrate: the given ones (sorted, once each), or
// every release Tiller holds.
func (m *Migrator) names(ctx context.Context, given []string) ([]string, error) {
	if len(given) == 0 {
		return TillerNames(ctx, m.Core, m.TillerNamespace)
	}
	seen := map[string]bool{}
	var out []string
	for _, n := range given {
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out, nil
}

func (m *Migrator) planOne(ctx context.Context, name string) Plan {
	refuse := func(state State, reason string, objs []TillerObject) Plan {
		return Plan{Release: name, State: state, Create: []int{}, Tiller: objs, Reason: reason}
	}
	if errs := validation.IsValidLabelValue(name); len(errs) > 0 || name == "" {
		return refuse(StateConflict, fmt.Sprintf("%q is not a release name", name), nil)
	}
	objs, err := ReadTillerRelease(ctx, m.Core, m.TillerNamespace, name)
	if err != nil {
		return refuse(StateFailed, err.Error(), nil)
	}
	if len(objs) == 0 {
		return refuse(StateConflict, fmt.Sprintf("Tiller holds no release %q in namespace %s", name, m.TillerNamespace), nil)
	}
	helm, err := m.helmReleases(name)
	if err != nil {
		return refuse(StateFailed, err.Error(), objs)
	}
	p := PlanRelease(name, objs, helm)
	if p.State == StateMigrate {
		if _, err := m.Core.Namespaces().Get(ctx, p.Namespace, metav1.GetOptions{}); apierrors.IsNotFound(err) {
			p.State, p.Create, p.Reason = StateConflict, []int{}, fmt.Sprintf("namespace %s does not exist", p.Namespace)
		} else if err != nil {
			p.State, p.Create, p.Reason = StateFailed, []int{}, fmt.Sprintf("reading namespace %s: %v", p.Namespace, err)
		}
	}
	return p
}

// helmReleases are the stored revisions of a release name in every namespace.
func (m *Migrator) helmReleases(name string) ([]*release.Release, error) {
	found, err := m.Helm("").Query(map[string]string{"name": name, "owner": "helm"})
	if errors.Is(err, driver.ErrReleaseNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading Helm's releases named %q: %w", name, err)
	}
	out := make([]*release.Release, 0, len(found))
	for _, f := range found {
		r, ok := f.(*release.Release)
		if !ok {
			return nil, fmt.Errorf("reading Helm's releases named %q: unexpected type %T", name, f)
		}
		out = append(out, r)
	}
	return out, nil
}

// Apply writes what the plans say, oldest revision first, and then deletes
// Tiller's objects of each release whose history Helm now holds in full when
// deleteTiller is set. A release whose write fails gets back what was written
// of it in this run (nothing half-migrated stays) and keeps Tiller's data.
func (m *Migrator) Apply(ctx context.Context, plans []Plan, deleteTiller bool) []Plan {
	out := make([]Plan, len(plans))
	for i, p := range plans {
		if p.State == StateMigrate {
			p = m.write(p)
		}
		if deleteTiller && (p.State == StateMigrate || p.State == StateMigrated) {
			if err := m.deleteTiller(ctx, p); err != nil {
				p.Reason = err.Error()
				p.State = StateFailed
			} else {
				p.TillerDeleted = true
			}
		}
		out[i] = p
	}
	return out
}

func (m *Migrator) write(p Plan) Plan {
	store := storage.Init(m.Helm(p.Namespace))
	var written []int
	for _, v := range p.Create {
		if err := store.Create(p.converted[v]); err != nil {
			for _, w := range written {
				if _, derr := store.Delete(p.Release, w); derr != nil {
					err = fmt.Errorf("%w; and %s stays, its removal failed: %v", err, Secret(p.Release, w), derr)
				}
			}
			p.State, p.Reason = StateFailed, fmt.Sprintf("writing %s in %s: %v", Secret(p.Release, v), p.Namespace, err)
			return p
		}
		written = append(written, v)
	}
	return p
}

func (m *Migrator) deleteTiller(ctx context.Context, p Plan) error {
	for _, o := range p.Tiller {
		var err error
		switch o.Kind {
		case "Secret":
			err = m.Core.Secrets(m.TillerNamespace).Delete(ctx, o.Name, metav1.DeleteOptions{})
		case "ConfigMap":
			err = m.Core.ConfigMaps(m.TillerNamespace).Delete(ctx, o.Name, metav1.DeleteOptions{})
		}
		if err != nil && !apierrors.IsNotFound(err) {
			return fmt.Errorf("deleting Tiller's %s %s/%s: %w", o.Kind, m.TillerNamespace, o.Name, err)
		}
	}
	return nil
}
