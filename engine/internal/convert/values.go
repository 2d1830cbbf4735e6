package convert

import (
	"bytes"

	"helm.sh/helm/v4/pkg/chart/v2/loader"
	"sigs.k8s.io/yaml"

	hapichart "appstore.local/engine/gen/hapi/chart"
)

// ValuesFromConfig parses a request's user values (Config.raw, YAML) the way
// `helm install -f` does. Tiller's parsed map (Config.values) is refused:
// the store never sends it, and its flat string values cannot be typed back.
func ValuesFromConfig(c *hapichart.Config) (map[string]any, error) {
	if len(c.GetValues()) > 0 {
		return nil, &InputError{Message: "validation failed: values must be sent as raw YAML (values.raw), not as a parsed map"}
	}
	vals, err := loader.LoadValues(bytes.NewReader([]byte(c.GetRaw())))
	if err != nil {
		return nil, inputErrorf(err, "YAML parse error on values")
	}
	if vals == nil {
		vals = map[string]any{}
	}
	return vals, nil
}

// ConfigFromValues renders a release's user values as hapi raw YAML
// (re-marshalled: comments and key order of the original are not kept).
func ConfigFromValues(vals map[string]any) (*hapichart.Config, error) {
	if len(vals) == 0 {
		return &hapichart.Config{}, nil
	}
	raw, err := yaml.Marshal(vals)
	if err != nil {
		return nil, err
	}
	return &hapichart.Config{Raw: string(raw)}, nil
}
