package convert

import (
	"google.golang.org/protobuf/types/known/anypb"
	chartv2 "helm.sh/helm/v4/pkg/chart/v2"
	"sigs.k8s.io/yaml"

	hapichart "appstore.local/engine/gen/hapi/chart"
)

// ChartFromHelm maps a stored Helm chart back to hapi. Helm stores a
// release's chart without its subcharts, and its values as a map (comments and
// key order are gone): both are lossy by Helm's design. Chart.yaml (with type
// and dependencies), Chart.lock and values.schema.json are sent among the
// files, as the store sends them.
func ChartFromHelm(c *chartv2.Chart) (*hapichart.Chart, error) {
	if c == nil {
		return nil, nil
	}
	out := &hapichart.Chart{Metadata: MetadataFromHelm(c.Metadata), Values: &hapichart.Config{}}
	if len(c.Values) > 0 {
		raw, err := yaml.Marshal(c.Values)
		if err != nil {
			return nil, err
		}
		out.Values.Raw = string(raw)
	}
	for _, t := range c.Templates {
		out.Templates = append(out.Templates, &hapichart.Template{Name: t.Name, Data: t.Data})
	}
	if c.Metadata != nil {
		data, err := yaml.Marshal(c.Metadata)
		if err != nil {
			return nil, err
		}
		out.Files = append(out.Files, &anypb.Any{TypeUrl: chartYAML, Value: data})
	}
	if c.Lock != nil {
		data, err := yaml.Marshal(c.Lock)
		if err != nil {
			return nil, err
		}
		out.Files = append(out.Files, &anypb.Any{TypeUrl: "Chart.lock", Value: data})
	}
	if len(c.Schema) > 0 {
		out.Files = append(out.Files, &anypb.Any{TypeUrl: "values.schema.json", Value: c.Schema})
	}
	for _, f := range c.Files {
		out.Files = append(out.Files, &anypb.Any{TypeUrl: f.Name, Value: f.Data})
	}
	for _, dep := range c.Dependencies() {
		sub, err := ChartFromHelm(dep)
		if err != nil {
			return nil, err
		}
		out.Dependencies = append(out.Dependencies, sub)
	}
	return out, nil
}
