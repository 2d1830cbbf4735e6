package server

import (
	"context"
	"fmt"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes"
)

// podAdmission creates each pod template as a Pod with dryRun=All, which
// runs admission and persists nothing (as the store does on Tiller). Only Pod
// Security's refusals count: the service account and node are left out (a
// chart's own ServiceAccount does not exist yet), and any other refusal is
// left to the real apply to report.
type podAdmission struct {
	client kubernetes.Interface
}

func (p podAdmission) Refusal(namespace string, template map[string]interface{}) (string, error) {
	var pod corev1.Pod
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(template, &pod); err != nil {
		// Not a pod the API server would take either: the apply reports it.
		return "", nil
	}
	pod.ObjectMeta = metav1.ObjectMeta{GenerateName: "appstore-admission-check-", Namespace: namespace, Annotations: pod.Annotations}
	pod.Spec.ServiceAccountName, pod.Spec.DeprecatedServiceAccount, pod.Spec.NodeName = "", "", ""
	off := false
	pod.Spec.AutomountServiceAccountToken = &off
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := p.client.CoreV1().Pods(namespace).Create(ctx, &pod, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
	switch {
	case err == nil:
		return "", nil
	case apierrors.IsForbidden(err) && strings.Contains(err.Error(), "violates PodSecurity"):
		return err.Error(), nil
	case apierrors.IsInternalError(err), apierrors.IsServerTimeout(err), apierrors.IsTooManyRequests(err), apierrors.IsServiceUnavailable(err):
		return "", fmt.Errorf("asking Pod Security admission in %s: %w", namespace, err)
	}
	return "", nil
}
