package migrate

import (
	"fmt"
	"sort"
	"strings"

	release "helm.sh/helm/v4/pkg/release/v1"

	"appstore.local/engine/internal/convert"
)

// State is what the migration does, or did, with one release.
type State string

const (
	// StateMigrate: revisions are (or were) written to Helm's storage.
	StateMigrate State = "migrate"
	// StateMigrated: Helm's storage already holds Tiller's history (an
	// earlier run); nothing is written.
	StateMigrated State = "migrated"
	// StateConflict: Helm's storage holds something else under the name, or
	// Tiller's data is inconsistent; nothing is written.
	StateConflict State = "conflict"
	// StateFailed: a read, conversion or write failed; nothing is left
	// written for the release.
	StateFailed State = "failed"
)

// Plan is one release's migration: what Tiller holds, what Helm holds, what
// is written. It is the dry run's answer and, once applied, the report.
type Plan struct {
	Release   string `json:"release"`
	Namespace string `json:"namespace"`
	State     State  `json:"state"`
	// Revisions are Tiller's, oldest first.
	Revisions []int `json:"revisions"`
	// Create are the revisions written to Helm's storage.
	Create []int `json:"create"`
	// Existing are Tiller's revisions Helm's storage already holds, the same.
	Existing []int `json:"existing,omitempty"`
	// Tiller are Tiller's objects of the release.
	Tiller []TillerObject `json:"tiller"`
	// TillerDeleted is set once Tiller's objects were deleted (-delete-tiller-releases).
	TillerDeleted bool `json:"tillerDeleted"`
	// Reason says why a release is in conflict or failed.
	Reason string `json:"reason,omitempty"`
	// Notes are what Helm's format cannot hold of Tiller's release.
	Notes []string `json:"notes,omitempty"`
	// Status is the latest revision's status, as Helm names it.
	Status string `json:"status,omitempty"`

	converted map[int]*release.Release
}

// withoutData is the plan as a report: the decoded releases dropped.
func (p Plan) withoutData() Plan {
	p.converted = nil
	objs := make([]TillerObject, len(p.Tiller))
	for i, o := range p.Tiller {
		o.release = nil
		objs[i] = o
	}
	p.Tiller = objs
	return p
}

// Secret is the name Helm's Secret driver gives a revision.
func Secret(name string, revision int) string {
	return fmt.Sprintf("sh.helm.release.v1.%s.v%d", name, revision)
}

// PlanRelease decides what to do with one release from Tiller's objects and
// the Helm releases of the same name in any namespace (the engine's names
// are global, as Tiller's were). It reads and writes nothing.
func PlanRelease(name string, objs []TillerObject, helm []*release.Release) Plan {
	p := Plan{Release: name, Tiller: objs, Create: []int{}, converted: map[int]*release.Release{}}
	conflict := func(format string, args ...any) Plan {
		p.State, p.Reason, p.Create = StateConflict, fmt.Sprintf(format, args...), []int{}
		return p
	}
	seen := map[int]string{}
	for _, o := range objs {
		if o.err != nil {
			p.State, p.Reason = StateFailed, o.err.Error()
			return p
		}
		if other, dup := seen[o.Revision]; dup {
			return conflict("Tiller holds revision %d twice (%s and %s %s)", o.Revision, other, o.Kind, o.Name)
		}
		seen[o.Revision] = o.Kind + " " + o.Name
		ns := o.release.GetNamespace()
		if p.Namespace == "" {
			p.Namespace = ns
		} else if ns != p.Namespace {
			return conflict("Tiller's revisions name two namespaces (%s, %s)", p.Namespace, ns)
		}
		r, notes, err := convert.ReleaseToHelm(o.release)
		if err != nil {
			p.State, p.Reason = StateFailed, err.Error()
			return p
		}
		p.Revisions = append(p.Revisions, o.Revision)
		p.converted[o.Revision] = r
		p.Status = r.Info.Status.String()
		for _, n := range notes {
			p.Notes = appendOnce(p.Notes, n)
		}
	}
	if len(p.Revisions) == 0 {
		return conflict("Tiller holds no revision of it")
	}
	if s := p.converted[p.Revisions[len(p.Revisions)-1]].Info.Status; s.IsPending() {
		p.Notes = appendOnce(p.Notes, fmt.Sprintf("the latest revision is %s: Helm refuses changes to it until it is rolled back or uninstalled", s))
	}

	existing := map[int]*release.Release{}
	maxHelm := 0
	var elsewhere []string
	for _, h := range helm {
		if h.Namespace != p.Namespace {
			elsewhere = appendOnce(elsewhere, h.Namespace)
			continue
		}
		existing[h.Version] = h
		maxHelm = max(maxHelm, h.Version)
	}
	if len(elsewhere) > 0 {
		sort.Strings(elsewhere)
		return conflict("a Helm release %q exists in namespace %s; release names are global on the engine", name, strings.Join(elsewhere, ", "))
	}
	for _, v := range p.Revisions {
		h, ok := existing[v]
		if !ok {
			p.Create = append(p.Create, v)
			continue
		}
		if why := differs(h, p.converted[v]); why != "" {
			return conflict("Helm's %s in namespace %s is not Tiller's revision %d (%s)", Secret(name, v), p.Namespace, v, why)
		}
		p.Existing = append(p.Existing, v)
	}
	latest := p.Revisions[len(p.Revisions)-1]
	switch {
	case len(existing) == 0:
		p.State = StateMigrate
	case len(p.Existing) == 0:
		return conflict("a Helm release %q with other revisions exists in namespace %s", name, p.Namespace)
	case maxHelm > latest:
		// Migrated earlier and changed since (helm upgrade, the engine): the
		// revisions Helm pruned are not brought back.
		p.State, p.Create = StateMigrated, []int{}
		p.Notes = appendOnce(p.Notes, fmt.Sprintf("Helm holds later revisions (up to %d): the release changed after its migration", maxHelm))
	case len(p.Create) == 0:
		p.State = StateMigrated
	default:
		p.State = StateMigrate // an interrupted run: the rest of the history
	}
	return p
}

// differs says how a stored Helm revision is not the conversion of Tiller's,
// or "" when it is.
func differs(h, t *release.Release) string {
	switch {
	case h.Chart == nil || h.Chart.Metadata == nil:
		return "it has no chart"
	case h.Chart.Metadata.Name != t.Chart.Metadata.Name || h.Chart.Metadata.Version != t.Chart.Metadata.Version:
		return fmt.Sprintf("chart %s-%s, Tiller's %s-%s", h.Chart.Metadata.Name, h.Chart.Metadata.Version, t.Chart.Metadata.Name, t.Chart.Metadata.Version)
	case h.Manifest != t.Manifest:
		return "another manifest"
	case h.Info == nil || !h.Info.FirstDeployed.Equal(t.Info.FirstDeployed) || !h.Info.LastDeployed.Equal(t.Info.LastDeployed):
		return "deployed at other times"
	}
	return ""
}

func appendOnce(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}
