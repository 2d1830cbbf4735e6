package convert

import (
	"strings"
	"testing"

	hapichart "appstore.local/engine/gen/hapi/chart"
)

func TestValuesFromConfig(t *testing.T) {
	cases := map[string]struct {
		config  *hapichart.Config
		want    map[string]any
		wantErr string
	}{
		"nil config":      {nil, map[string]any{}, ""},
		"empty raw":       {&hapichart.Config{}, map[string]any{}, ""},
		"raw yaml":        {&hapichart.Config{Raw: "a: 1\nb: x\n"}, map[string]any{"a": float64(1), "b": "x"}, ""},
		"malformed yaml":  {&hapichart.Config{Raw: "a: [1, 2\n"}, nil, "YAML parse error on values"},
		"not a map":       {&hapichart.Config{Raw: "- a\n- b\n"}, nil, "YAML parse error on values"},
		"parsed map sent": {&hapichart.Config{Values: map[string]*hapichart.Value{"a": {Value: "1"}}}, nil, "raw YAML"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := ValuesFromConfig(tc.config)
			if tc.wantErr != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tc.wantErr) && !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
			for k, v := range tc.want {
				if got[k] != v {
					t.Errorf("%s = %v (%T), want %v", k, got[k], got[k], v)
				}
			}
		})
	}
}

func TestConfigFromValuesIsRawYAML(t *testing.T) {
	c, err := ConfigFromValues(map[string]any{"message": "hi"})
	if err != nil || c.Raw != "message: hi\n" {
		t.Fatalf("config = %v, %v", c, err)
	}
	if c, _ := ConfigFromValues(nil); c.Raw != "" {
		t.Errorf("empty values = %q", c.Raw)
	}
}
