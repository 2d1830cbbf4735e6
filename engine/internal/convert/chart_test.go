package convert

import (
	"errors"
	"strings"
	"testing"

	"google.golang.org/protobuf/types/known/anypb"

	hapichart "appstore.local/engine/gen/hapi/chart"
)

func hello() *hapichart.Chart {
	return &hapichart.Chart{
		Metadata:  &hapichart.Metadata{Name: "hello", Version: "1.0.0", ApiVersion: "v1", AppVersion: "1.0"},
		Templates: []*hapichart.Template{{Name: "templates/cm.yaml", Data: []byte("kind: ConfigMap\n")}},
		Values:    &hapichart.Config{Raw: "message: hi\n"},
	}
}

func TestChartToHelmMapsMetadataTemplatesAndValues(t *testing.T) {
	ch, err := ChartToHelm(hello())
	if err != nil {
		t.Fatal(err)
	}
	if ch.Metadata.Name != "hello" || ch.Metadata.Version != "1.0.0" || ch.Metadata.AppVersion != "1.0" {
		t.Errorf("metadata = %+v", ch.Metadata)
	}
	if len(ch.Templates) != 1 || ch.Templates[0].Name != "templates/cm.yaml" {
		t.Errorf("templates = %v", ch.Templates)
	}
	if ch.Values["message"] != "hi" {
		t.Errorf("values = %v", ch.Values)
	}
}

func TestChartToHelmPrefersTheRawChartYAMLAmongTheFiles(t *testing.T) {
	c := hello()
	c.Files = []*anypb.Any{{TypeUrl: "Chart.yaml", Value: []byte("apiVersion: v2\nname: hello\nversion: 2.0.0\ntype: application\n" +
		"dependencies:\n- name: lib\n  version: 0.1.0\n  alias: mylib\n")}}
	lib := &hapichart.Chart{Metadata: &hapichart.Metadata{Name: "lib", Version: "0.1.0", ApiVersion: "v2"}}
	lib.Files = []*anypb.Any{{TypeUrl: "Chart.yaml", Value: []byte("apiVersion: v2\nname: lib\nversion: 0.1.0\ntype: library\n")}}
	c.Dependencies = []*hapichart.Chart{lib}
	ch, err := ChartToHelm(c)
	if err != nil {
		t.Fatal(err)
	}
	if ch.Metadata.APIVersion != "v2" || ch.Metadata.Version != "2.0.0" || ch.Metadata.Type != "application" {
		t.Errorf("metadata = %+v", ch.Metadata)
	}
	if len(ch.Metadata.Dependencies) != 1 || ch.Metadata.Dependencies[0].Alias != "mylib" {
		t.Errorf("dependencies = %+v", ch.Metadata.Dependencies)
	}
	if deps := ch.Dependencies(); len(deps) != 1 || deps[0].Metadata.Type != "library" {
		t.Errorf("subcharts = %v", deps)
	}
}

func TestChartToHelmLoadsSchemaLockAndCRDsFromTheFiles(t *testing.T) {
	c := hello()
	c.Metadata.ApiVersion = "v2"
	c.Files = []*anypb.Any{
		{TypeUrl: "values.schema.json", Value: []byte(`{"type":"object"}`)},
		{TypeUrl: "crds/thing.yaml", Value: []byte("kind: CustomResourceDefinition\n")},
		{TypeUrl: "README.md", Value: []byte("# hello\n")},
	}
	ch, err := ChartToHelm(c)
	if err != nil {
		t.Fatal(err)
	}
	if string(ch.Schema) != `{"type":"object"}` {
		t.Errorf("schema = %q", ch.Schema)
	}
	if len(ch.CRDObjects()) != 1 {
		t.Errorf("crds = %v", ch.CRDObjects())
	}
}

func TestChartToHelmRefusesWhatIsNotAPlainChart(t *testing.T) {
	cases := map[string]struct {
		chart *hapichart.Chart
		want  string
	}{
		"no chart":            {nil, "no chart provided"},
		"no metadata":         {&hapichart.Chart{}, "no chart provided"},
		"file path with ..":   {withFile("../../etc/passwd"), "not a plain relative path"},
		"inner ..":            {withFile("templates/../../x"), "not a plain relative path"},
		"absolute file path":  {withFile("/etc/passwd"), "not a plain relative path"},
		"backslash":           {withFile(`templates\x.yaml`), "not a plain relative path"},
		"empty file name":     {withFile(""), "not a plain relative path"},
		"template outside":    {withTemplate("x.yaml"), "is not under templates/"},
		"template with ..":    {withTemplate("templates/../../x.yaml"), "not a plain relative path"},
		"parsed values map":   {withValuesMap(), "raw YAML"},
		"no name in metadata": {&hapichart.Chart{Metadata: &hapichart.Metadata{Version: "1.0.0"}}, "does not load"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := ChartToHelm(tc.chart)
			var input *InputError
			if !errors.As(err, &input) {
				t.Fatalf("err = %v, want an InputError", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %q, want it to contain %q", err, tc.want)
			}
		})
	}
}

func withFile(name string) *hapichart.Chart {
	c := hello()
	c.Files = []*anypb.Any{{TypeUrl: name, Value: []byte("x")}}
	return c
}

func withTemplate(name string) *hapichart.Chart {
	c := hello()
	c.Templates = append(c.Templates, &hapichart.Template{Name: name, Data: []byte("x")})
	return c
}

func withValuesMap() *hapichart.Chart {
	c := hello()
	c.Values.Values = map[string]*hapichart.Value{"a": {Value: "b"}}
	return c
}

func TestChartFromHelmRoundTripsWhatHelmStores(t *testing.T) {
	c := hello()
	c.Files = []*anypb.Any{{TypeUrl: "values.schema.json", Value: []byte(`{}`)}, {TypeUrl: "README.md", Value: []byte("r")}}
	ch, err := ChartToHelm(c)
	if err != nil {
		t.Fatal(err)
	}
	back, err := ChartFromHelm(ch)
	if err != nil {
		t.Fatal(err)
	}
	if back.Metadata.Name != "hello" || back.Values.Raw != "message: hi\n" || len(back.Templates) != 1 {
		t.Errorf("back = %v", back)
	}
	files := map[string]string{}
	for _, f := range back.Files {
		files[f.TypeUrl] = string(f.Value)
	}
	if files["values.schema.json"] != "{}" || files["README.md"] != "r" || !strings.Contains(files["Chart.yaml"], "name: hello") {
		t.Errorf("files = %v", files)
	}
}
