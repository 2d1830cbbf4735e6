package tenancy

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// fakeMapper serves ConfigMap, Job, RoleBinding (namespaced) and
// ClusterRoleBinding, Namespace (cluster-scoped), as discovery would.
func fakeMapper() meta.RESTMapper {
	m := meta.NewDefaultRESTMapper(nil)
	m.Add(schema.GroupVersionKind{Version: "v1", Kind: "ConfigMap"}, meta.RESTScopeNamespace)
	m.Add(schema.GroupVersionKind{Group: "batch", Version: "v1", Kind: "Job"}, meta.RESTScopeNamespace)
	m.Add(schema.GroupVersionKind{Group: "rbac.authorization.k8s.io", Version: "v1", Kind: "RoleBinding"}, meta.RESTScopeNamespace)
	m.Add(schema.GroupVersionKind{Group: "rbac.authorization.k8s.io", Version: "v1", Kind: "ClusterRoleBinding"}, meta.RESTScopeRoot)
	m.Add(schema.GroupVersionKind{Version: "v1", Kind: "Namespace"}, meta.RESTScopeRoot)
	m.Add(schema.GroupVersionKind{Group: "apps", Version: "v1", Kind: "Deployment"}, meta.RESTScopeNamespace)
	return m
}

func check(t *testing.T, allow bool, manifest string) *RefusedError {
	t.Helper()
	err := Checker{Mapper: fakeMapper(), Namespace: "home", AllowClusterScoped: allow}.Check(manifest)
	if err == nil {
		return nil
	}
	var refused *RefusedError
	if !errors.As(err, &refused) {
		t.Fatalf("expected a refusal, got %v", err)
	}
	return refused
}

const inHome = `apiVersion: v1
kind: ConfigMap
metadata:
  name: a
  namespace: home
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: b
---
# an empty document, as a template switched off renders
`

func TestObjectsInTheReleaseNamespaceOrWithoutOnePass(t *testing.T) {
	if r := check(t, false, inHome); r != nil {
		t.Fatalf("refused: %v", r)
	}
}

func TestAnObjectInAnotherNamespaceIsRefusedByName(t *testing.T) {
	r := check(t, false, inHome+"---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: other\n")
	if r == nil || len(r.Offences) != 1 {
		t.Fatalf("expected one offence, got %v", r)
	}
	want := `ConfigMap "c" (in namespace "other"): in namespace other, outside the release's namespace home`
	if !strings.Contains(r.Error(), want) {
		t.Fatalf("message %q lacks %q", r.Error(), want)
	}
}

const crb = `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: root
  namespace: home
`

func TestClusterScopedObjectsAreRefusedUnlessAllowed(t *testing.T) {
	r := check(t, false, crb)
	if r == nil || !strings.Contains(r.Error(), `ClusterRoleBinding "root" (cluster-scoped): cluster-scoped, and the operator has not allowed`) {
		t.Fatalf("expected the ClusterRoleBinding refused, got %v", r)
	}
	if r := check(t, true, crb); r != nil {
		t.Fatalf("allowed, yet refused: %v", r)
	}
}

func TestAllowingClusterScopedObjectsDoesNotAllowOtherNamespaces(t *testing.T) {
	if r := check(t, true, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, namespace: other}\n"); r == nil {
		t.Fatal("a ConfigMap in another namespace passed")
	}
}

func TestAKindTheClusterDoesNotServeIsRefusedAsUnknown(t *testing.T) {
	r := check(t, true, "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n")
	if r == nil || !strings.Contains(r.Error(), `Widget "w"`) || !strings.Contains(r.Error(), "is not served by the cluster") {
		t.Fatalf("expected an unknown kind refused, got %v", r)
	}
}

func TestAListCannotSmuggleAnItemElsewhere(t *testing.T) {
	r := check(t, false, `apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: ConfigMap
    metadata: {name: fine}
  - apiVersion: v1
    kind: List
    items:
      - apiVersion: v1
        kind: ConfigMap
        metadata: {name: smuggled, namespace: other}
`)
	if r == nil || len(r.Offences) != 1 || r.Offences[0].Name != "smuggled" {
		t.Fatalf("expected the nested item refused, got %v", r)
	}
}

func TestEveryOffenceIsNamedAcrossStreams(t *testing.T) {
	err := Checker{Mapper: fakeMapper(), Namespace: "home"}.Check(crb,
		"apiVersion: batch/v1\nkind: Job\nmetadata: {name: hook, namespace: kube-system}\n")
	var r *RefusedError
	if !errors.As(err, &r) || len(r.Offences) != 2 {
		t.Fatalf("expected two offences, got %v", err)
	}
}

func TestMalformedObjectsAreRefused(t *testing.T) {
	for name, doc := range map[string]string{
		"no kind":              "apiVersion: v1\nmetadata: {name: x}\n",
		"scalar":               "just text\n",
		"namespace not string": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, namespace: [a]}\n",
		"items not a list":     "apiVersion: v1\nkind: List\nitems: {a: b}\n",
	} {
		if r := check(t, false, doc); r == nil {
			t.Errorf("%s: passed", name)
		}
	}
}

func TestRunPassesTheStreamThroughUnchangedOrRefusesIt(t *testing.T) {
	c := Checker{Mapper: fakeMapper(), Namespace: "home"}
	out, err := c.Run(bytes.NewBufferString(inHome))
	if err != nil || out.String() != inHome {
		t.Fatalf("Run changed or refused a good stream: %v %q", err, out)
	}
	if _, err := c.Run(bytes.NewBufferString(crb)); err == nil {
		t.Fatal("Run passed a ClusterRoleBinding")
	}
}

// BenchmarkCheck200Objects measures the check of a large release (200 ConfigMaps) against an in-memory mapper:
// the engine's mapper is discovery cached in memory, so this is its cost per install.
func BenchmarkCheck200Objects(b *testing.B) {
	var sb strings.Builder
	for i := 0; i < 200; i++ {
		sb.WriteString("---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n  namespace: home\ndata:\n  key: value\n")
	}
	manifest := sb.String()
	c := Checker{Mapper: fakeMapper(), Namespace: "home"}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := c.Check(manifest); err != nil {
			b.Fatal(err)
		}
	}
}

func TestAnOffenceSaysWhereItWasRendered(t *testing.T) {
	stream := "---\n# Source: web/templates/job.yaml\napiVersion: batch/v1\nkind: Job\nmetadata:\n  name: prep\n  namespace: other\n  annotations:\n    helm.sh/hook: pre-install\n" +
		"---\n# Source: web/templates/cm.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: other}\n"
	r := check(t, false, stream)
	if r == nil || len(r.Offences) != 2 {
		t.Fatalf("expected two offences, got %v", r)
	}
	if got := r.Offences[0].Source; got != "hook prep (web/templates/job.yaml)" {
		t.Errorf("hook source: %q", got)
	}
	if got := r.Offences[1].Source; got != "manifest (web/templates/cm.yaml)" {
		t.Errorf("manifest source: %q", got)
	}
}

// refusingAdmission refuses privileged pods, as a namespace enforcing baseline does.
type refusingAdmission struct{ asked []string }

func (r *refusingAdmission) Refusal(namespace string, template map[string]interface{}) (string, error) {
	spec := template["spec"].(map[string]interface{})
	r.asked = append(r.asked, namespace)
	for _, c := range spec["containers"].([]interface{}) {
		sc, _ := c.(map[string]interface{})["securityContext"].(map[string]interface{})
		if sc["privileged"] == true {
			return `pods "appstore-admission-check-x" is forbidden: violates PodSecurity "baseline:latest": privileged`, nil
		}
	}
	return "", nil
}

func TestAWorkloadWhosePodsTheNamespaceRefusesIsRefused(t *testing.T) {
	deployment := func(name string, privileged bool) string {
		return fmt.Sprintf("---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: %s}\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n          securityContext: {privileged: %t}\n", name, privileged)
	}
	pods := &refusingAdmission{}
	c := Checker{Mapper: fakeMapper(), Namespace: "home", Pods: pods}
	err := c.Check(deployment("calm", false) + deployment("root", true))
	var r *RefusedError
	if !errors.As(err, &r) || len(r.Offences) != 1 || r.Offences[0].Name != "root" ||
		r.Offences[0].Reason != `its pods would be refused: violates PodSecurity "baseline:latest": privileged` {
		t.Fatalf("expected the privileged Deployment refused alone, got %v", err)
	}
	if len(pods.asked) != 2 || pods.asked[0] != "home" {
		t.Errorf("admission asked %v", pods.asked)
	}
}
