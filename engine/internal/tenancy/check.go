// Package tenancy keeps a release's objects inside its namespace: every
// namespaced object must be in the release's namespace (empty means the
// release's), and a cluster-scoped object is refused unless the caller allowed
// cluster-scoped objects for this request. Whether a kind is namespaced is the
// API server's answer (a REST mapper over discovery), never a hand list; a
// kind the cluster does not serve is refused as unknown, since nothing could
// say where it would land.
//
// The check runs as Helm 4's post-renderer (Checker.Run), so it sees exactly
// the stream that Helm then sorts into hooks and manifests and applies; the
// engine checks crds/ files and a rollback's target revision with Check.
package tenancy

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"
)

// Offence is one object the check refuses, and why. Source says where it
// was rendered, as the store words it: "manifest (<template>)" or
// "hook <name> (<template>)". The reasons are worded as the store's own
// check words them (src/releases/tenancy-check.ts), so users read one text
// whichever engine answers.
type Offence struct {
	Kind, Name, Namespace, Reason, Source string
}

func (o Offence) String() string {
	where := "cluster-scoped"
	if o.Namespace != "" {
		where = fmt.Sprintf("in namespace %q", o.Namespace)
	}
	return fmt.Sprintf("%s %q (%s): %s", o.Kind, o.Name, where, o.Reason)
}

// RefusedError names every offending object of a release; nothing of the
// release may be applied when it is returned.
type RefusedError struct {
	Namespace string
	Offences  []Offence
}

func (e *RefusedError) Error() string {
	parts := make([]string, len(e.Offences))
	for i, o := range e.Offences {
		parts[i] = o.String()
	}
	return fmt.Sprintf("tenancy check refused %d object(s) of a release in namespace %q, nothing was applied: %s",
		len(e.Offences), e.Namespace, strings.Join(parts, "; "))
}

// Checker checks the objects of one request.
type Checker struct {
	// Mapper tells namespaced kinds from cluster-scoped ones (the API server's discovery).
	Mapper meta.RESTMapper
	// Namespace is the release's.
	Namespace string
	// AllowClusterScoped lets cluster-scoped objects through, as the caller asked for this request.
	AllowClusterScoped bool
	// Pods, when set, asks Pod Security admission about each workload's pods, so that a pod the namespace
	// refuses is a clear refusal instead of a workload whose pods are never made.
	Pods PodAdmission
}

// Run is Helm's postrenderer.PostRenderer: it passes the rendered stream
// through unchanged, or refuses it whole.
func (c Checker) Run(rendered *bytes.Buffer) (*bytes.Buffer, error) {
	text := rendered.String()
	if err := c.Check(text); err != nil {
		return nil, err
	}
	return bytes.NewBufferString(text), nil
}

// Check checks a YAML stream of objects (a manifest, a hook, a crds/ file).
// It returns a *RefusedError naming every offending object, or another error
// when the stream cannot be read or discovery fails.
func (c Checker) Check(manifests ...string) error {
	var offences []Offence
	for _, m := range manifests {
		found, err := c.checkStream(m)
		if err != nil {
			return err
		}
		offences = append(offences, found...)
	}
	if len(offences) > 0 {
		return &RefusedError{Namespace: c.Namespace, Offences: offences}
	}
	return nil
}

func (c Checker) checkStream(stream string) ([]Offence, error) {
	reader := utilyaml.NewYAMLReader(bufio.NewReader(strings.NewReader(stream)))
	var offences []Offence
	for {
		doc, err := reader.Read()
		if errors.Is(err, io.EOF) {
			return offences, nil
		}
		if err != nil {
			return nil, fmt.Errorf("tenancy check: reading the rendered objects: %w", err)
		}
		var obj interface{}
		if err := yaml.Unmarshal(doc, &obj); err != nil {
			return nil, fmt.Errorf("tenancy check: YAML parse error on a rendered object: %w", err)
		}
		if obj == nil {
			continue // an empty document, as templates switched off render
		}
		found, err := c.checkObject(obj)
		if err != nil {
			return nil, err
		}
		for i := range found {
			found[i].Source = sourceOf(doc, obj)
		}
		offences = append(offences, found...)
	}
}

var sourceComment = regexp.MustCompile(`(?m)^# Source: (.+)$`)

// sourceOf names where a document was rendered: Helm heads each rendered
// template with "# Source: <path>", and hooks carry the helm.sh/hook annotation.
func sourceOf(doc []byte, obj interface{}) string {
	origin := "manifest"
	if m, ok := obj.(map[string]interface{}); ok {
		md, _ := m["metadata"].(map[string]interface{})
		annotations, _ := md["annotations"].(map[string]interface{})
		if _, hook := annotations["helm.sh/hook"]; hook {
			origin = "hook " + str(md["name"])
		}
	}
	if match := sourceComment.FindSubmatch(doc); match != nil {
		return fmt.Sprintf("%s (%s)", origin, strings.TrimSpace(string(match[1])))
	}
	return origin
}

// checkObject checks one object, or each item of a list: Kubernetes' resource
// builder flattens any object with items, so every item is applied as itself.
func (c Checker) checkObject(v interface{}) ([]Offence, error) {
	obj, ok := v.(map[string]interface{})
	if !ok {
		return []Offence{{Kind: "?", Name: "?", Reason: "a rendered document is not a Kubernetes object"}}, nil
	}
	if items, has := obj["items"]; has && items != nil {
		list, ok := items.([]interface{})
		if !ok {
			return []Offence{{Kind: str(obj["kind"]), Name: "?", Reason: "items is not a list"}}, nil
		}
		var offences []Offence
		for _, item := range list {
			found, err := c.checkObject(item)
			if err != nil {
				return nil, err
			}
			offences = append(offences, found...)
		}
		return offences, nil
	}
	kind, apiVersion := str(obj["kind"]), str(obj["apiVersion"])
	md, _ := obj["metadata"].(map[string]interface{})
	name := str(md["name"])
	if name == "" {
		name = str(md["generateName"])
	}
	rawNS, hasNS := md["namespace"]
	namespace, nsIsString := rawNS.(string)
	if kind == "" || apiVersion == "" {
		return []Offence{{Kind: kind, Name: name, Namespace: namespace, Reason: "no apiVersion or kind"}}, nil
	}
	gv, err := schema.ParseGroupVersion(apiVersion)
	if err != nil {
		return []Offence{{Kind: kind, Name: name, Namespace: namespace, Reason: fmt.Sprintf("invalid apiVersion %q", apiVersion)}}, nil
	}
	mapping, err := c.Mapper.RESTMapping(schema.GroupKind{Group: gv.Group, Kind: kind}, gv.Version)
	if meta.IsNoMatchError(err) {
		return []Offence{{Kind: kind, Name: name, Namespace: namespace,
			Reason: fmt.Sprintf("kind %s %s is not served by the cluster, so its scope cannot be checked", apiVersion, kind)}}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("tenancy check: discovery of %s %s: %w", apiVersion, kind, err)
	}
	if mapping.Scope.Name() == meta.RESTScopeNameRoot {
		if c.AllowClusterScoped {
			return nil, nil
		}
		return []Offence{{Kind: kind, Name: name,
			Reason: "cluster-scoped, and the operator has not allowed cluster-scoped objects for this chart (allowClusterScoped)"}}, nil
	}
	if hasNS && rawNS != nil && !nsIsString {
		return []Offence{{Kind: kind, Name: name, Reason: "metadata.namespace is not a string"}}, nil
	}
	if namespace != "" && namespace != c.Namespace {
		return []Offence{{Kind: kind, Name: name, Namespace: namespace,
			Reason: fmt.Sprintf("in namespace %s, outside the release's namespace %s", namespace, c.Namespace)}}, nil
	}
	if template := PodTemplate(kind, obj); template != nil && c.Pods != nil {
		refusal, err := c.Pods.Refusal(c.Namespace, template)
		if err != nil {
			return nil, fmt.Errorf("tenancy check: admission of the pods of %s %q: %w", kind, name, err)
		}
		if refusal != "" {
			return []Offence{{Kind: kind, Name: name, Namespace: namespace, Reason: podRefusal(refusal)}}, nil
		}
	}
	return nil, nil
}

func str(v interface{}) string {
	s, _ := v.(string)
	return s
}
