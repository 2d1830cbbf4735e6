package convert

import (
	"fmt"
	"path"
	"strings"

	"helm.sh/helm/v4/pkg/chart/loader/archive"
	chartv2 "helm.sh/helm/v4/pkg/chart/v2"
	"helm.sh/helm/v4/pkg/chart/v2/loader"
	"sigs.k8s.io/yaml"

	hapichart "appstore.local/engine/gen/hapi/chart"
)

// chartYAML is the name under which the raw Chart.yaml travels among a hapi
// chart's files (google.protobuf.Any: type_url = path, value = content).
const chartYAML = "Chart.yaml"

// ChartToHelm turns a hapi chart (with its subcharts) into a Helm 4 chart by
// laying it out as the files of a chart archive and loading them with Helm's
// own loader, so that every rule of Helm's (dependencies, Chart.lock, crds/,
// values.schema.json, requirements.yaml) applies exactly as for `helm install`.
func ChartToHelm(c *hapichart.Chart) (*chartv2.Chart, error) {
	if c == nil || c.GetMetadata() == nil {
		return nil, &InputError{Message: "no chart provided"}
	}
	var files []*archive.BufferedFile
	if err := chartFiles(c, "", 0, &files); err != nil {
		return nil, err
	}
	ch, err := loader.LoadFiles(files)
	if err != nil {
		return nil, inputErrorf(err, "validation failed: chart %q does not load", c.GetMetadata().GetName())
	}
	return ch, nil
}

// maxDepth bounds subchart nesting; the store's own limit is lower.
const maxDepth = 16

func chartFiles(c *hapichart.Chart, prefix string, depth int, out *[]*archive.BufferedFile) error {
	if depth > maxDepth {
		return &InputError{Message: fmt.Sprintf("validation failed: subcharts nested more than %d levels deep at %s", maxDepth, prefix)}
	}
	if c.GetMetadata() == nil {
		return &InputError{Message: fmt.Sprintf("validation failed: a subchart at %s has no metadata", prefix)}
	}
	add := func(name string, data []byte) error {
		if err := checkPath(name); err != nil {
			return err
		}
		*out = append(*out, &archive.BufferedFile{Name: prefix + name, Data: data})
		return nil
	}
	rawChartYAML := false
	for _, f := range c.GetFiles() {
		if f.GetTypeUrl() == chartYAML {
			rawChartYAML = true
		}
		if err := add(f.GetTypeUrl(), f.GetValue()); err != nil {
			return err
		}
	}
	if !rawChartYAML {
		data, err := yaml.Marshal(MetadataToHelm(c.GetMetadata()))
		if err != nil {
			return inputErrorf(err, "validation failed: chart metadata")
		}
		*out = append(*out, &archive.BufferedFile{Name: prefix + chartYAML, Data: data})
	}
	if raw := c.GetValues().GetRaw(); raw != "" {
		if err := add("values.yaml", []byte(raw)); err != nil {
			return err
		}
	}
	if len(c.GetValues().GetValues()) > 0 {
		return &InputError{Message: "validation failed: chart values must be sent as raw YAML (values.raw), not as a parsed map"}
	}
	for _, t := range c.GetTemplates() {
		if !strings.HasPrefix(t.GetName(), "templates/") {
			return &InputError{Message: fmt.Sprintf("validation failed: template %q is not under templates/", t.GetName())}
		}
		if err := add(t.GetName(), t.GetData()); err != nil {
			return err
		}
	}
	used := map[string]bool{}
	for i, dep := range c.GetDependencies() {
		dir := dep.GetMetadata().GetName()
		if dir == "" || strings.ContainsAny(dir, `/\`) || strings.HasPrefix(dir, ".") || strings.HasPrefix(dir, "_") || used[dir] {
			dir = fmt.Sprintf("subchart-%d", i)
		}
		used[dir] = true
		if err := chartFiles(dep, prefix+"charts/"+dir+"/", depth+1, out); err != nil {
			return err
		}
	}
	return nil
}

// checkPath refuses file names that are not plain relative paths inside the chart.
func checkPath(name string) error {
	bad := name == "" || strings.Contains(name, `\`) || strings.HasPrefix(name, "/") || strings.ContainsRune(name, 0) ||
		path.Clean(name) != name || name == ".." || strings.HasPrefix(name, "../") || strings.Contains(name, "/../")
	if bad {
		return &InputError{Message: fmt.Sprintf("validation failed: chart file path %q is not a plain relative path inside the chart", name)}
	}
	return nil
}

// MetadataToHelm maps hapi metadata field by field. hapi has no type and no
// dependencies: a chart needing those must send its Chart.yaml among its files.
func MetadataToHelm(m *hapichart.Metadata) *chartv2.Metadata {
	out := &chartv2.Metadata{
		Name:        m.GetName(),
		Home:        m.GetHome(),
		Sources:     m.GetSources(),
		Version:     m.GetVersion(),
		Description: m.GetDescription(),
		Keywords:    m.GetKeywords(),
		Icon:        m.GetIcon(),
		APIVersion:  m.GetApiVersion(),
		Condition:   m.GetCondition(),
		Tags:        m.GetTags(),
		AppVersion:  m.GetAppVersion(),
		Deprecated:  m.GetDeprecated(),
		Annotations: m.GetAnnotations(),
		KubeVersion: m.GetKubeVersion(),
	}
	if out.APIVersion == "" {
		out.APIVersion = chartv2.APIVersionV1
	}
	for _, mt := range m.GetMaintainers() {
		out.Maintainers = append(out.Maintainers, &chartv2.Maintainer{Name: mt.GetName(), Email: mt.GetEmail(), URL: mt.GetUrl()})
	}
	return out
}

// MetadataFromHelm maps Helm's metadata back; type and dependencies stay in
// the Chart.yaml among the files (see ChartFromHelm).
func MetadataFromHelm(m *chartv2.Metadata) *hapichart.Metadata {
	if m == nil {
		return nil
	}
	out := &hapichart.Metadata{
		Name:        m.Name,
		Home:        m.Home,
		Sources:     m.Sources,
		Version:     m.Version,
		Description: m.Description,
		Keywords:    m.Keywords,
		Icon:        m.Icon,
		ApiVersion:  m.APIVersion,
		Condition:   m.Condition,
		Tags:        m.Tags,
		AppVersion:  m.AppVersion,
		Deprecated:  m.Deprecated,
		Annotations: m.Annotations,
		KubeVersion: m.KubeVersion,
		Engine:      "gotpl",
	}
	for _, mt := range m.Maintainers {
		if mt != nil {
			out.Maintainers = append(out.Maintainers, &hapichart.Maintainer{Name: mt.Name, Email: mt.Email, Url: mt.URL})
		}
	}
	return out
}
