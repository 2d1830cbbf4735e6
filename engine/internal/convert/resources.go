package convert

import (
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime"
)

// FormatResources writes a release's live objects (Helm's Info.Resources,
// keyed by "<apiVersion>/<Kind>") as the text Tiller put in Status.resources:
// one "==> <apiVersion>/<Kind>" block per kind with a NAME column.
func FormatResources(resources map[string][]runtime.Object) string {
	kinds := make([]string, 0, len(resources))
	for k := range resources {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	var b strings.Builder
	for _, kind := range kinds {
		var names []string
		for _, obj := range resources[kind] {
			if m, err := meta.Accessor(obj); err == nil {
				names = append(names, m.GetName())
			}
		}
		if len(names) == 0 {
			continue
		}
		sort.Strings(names)
		b.WriteString("==> " + kind + "\nNAME\n")
		for _, n := range names {
			b.WriteString(n + "\n")
		}
		b.WriteString("\n")
	}
	return b.String()
}
