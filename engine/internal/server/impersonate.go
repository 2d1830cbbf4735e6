package server

import (
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

// impersonating is the engine's RESTClientGetter with every client it makes
// impersonating one user: a release's objects are then written (and read by
// `lookup`) as that user, so that Kubernetes' RBAC confines them. Discovery
// and the REST mapper stay shared and under the engine's identity: they only
// read what kinds the cluster serves.
type impersonating struct {
	base genericclioptions.RESTClientGetter
	user string
}

var _ genericclioptions.RESTClientGetter = impersonating{}

// serviceAccountUser is the user name Kubernetes gives a ServiceAccount.
func serviceAccountUser(namespace, name string) string {
	return "system:serviceaccount:" + namespace + ":" + name
}

func (g impersonating) ToRESTConfig() (*rest.Config, error) {
	c, err := g.base.ToRESTConfig()
	if err != nil {
		return nil, err
	}
	c = rest.CopyConfig(c)
	c.Impersonate = rest.ImpersonationConfig{UserName: g.user}
	return c, nil
}

func (g impersonating) ToDiscoveryClient() (discovery.CachedDiscoveryInterface, error) {
	return g.base.ToDiscoveryClient()
}

func (g impersonating) ToRESTMapper() (meta.RESTMapper, error) { return g.base.ToRESTMapper() }

func (g impersonating) ToRawKubeConfigLoader() clientcmd.ClientConfig {
	return g.base.ToRawKubeConfigLoader()
}
