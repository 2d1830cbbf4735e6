package server

import (
	"testing"

	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/client-go/rest"
)

type fixedConfig struct {
	genericclioptions.RESTClientGetter
	config *rest.Config
}

func (f fixedConfig) ToRESTConfig() (*rest.Config, error) { return f.config, nil }

func TestImpersonatingGetterImpersonatesTheServiceAccountAndLeavesTheBaseConfigAlone(t *testing.T) {
	base := &rest.Config{Host: "https://example.invalid", BearerToken: "engine"}
	g := impersonating{base: fixedConfig{config: base}, user: serviceAccountUser("team-a", "appstore-deployer")}
	c, err := g.ToRESTConfig()
	if err != nil {
		t.Fatal(err)
	}
	if c.Impersonate.UserName != "system:serviceaccount:team-a:appstore-deployer" || c.BearerToken != "engine" {
		t.Errorf("impersonated config = %+v", c)
	}
	if base.Impersonate.UserName != "" {
		t.Error("the engine's own config was changed: its release storage would be impersonated too")
	}
}
