package migrate

import chartv2 "helm.sh/helm/v4/pkg/chart/v2"

var chartv2Chart = chartv2.Chart{Metadata: &chartv2.Metadata{Name: "hello", Version: "1.0.0", APIVersion: "v1"}}
