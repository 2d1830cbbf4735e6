//go:build tools

// Package tools pins the control-plane binaries the test harness builds:
// etcd, kube-apiserver, kube-controller-manager and kube-scheduler, plus kubectl
// (with kustomize built in) to render and dry-run deploy/.
package tools

import (
	_ "go.etcd.io/etcd/server/v3"
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
