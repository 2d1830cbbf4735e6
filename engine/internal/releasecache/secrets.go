package releasecache

import (
	"context"
	"errors"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"
	applycorev1 "k8s.io/client-go/applyconfigurations/core/v1"
	typedcorev1 "k8s.io/client-go/kubernetes/typed/core/v1"
)

var secretsResource = corev1.Resource("secrets")

// errReadOnly: the reader serves Helm's driver for reads only.
var errReadOnly = errors.New("release cache: read-only")

// Reader is a SecretInterface of one namespace answering Get and List from
// the index, for Helm's own Secret driver (driver.NewSecrets) to decode
// releases exactly as it decodes them from the API server. Every write is
// refused.
type Reader struct {
	Index     *Index
	Namespace string
}

var _ typedcorev1.SecretInterface = Reader{}

// Get answers a held Secret, or the API server's NotFound.
func (r Reader) Get(_ context.Context, name string, _ metav1.GetOptions) (*corev1.Secret, error) {
	if s, ok := r.Index.Get(r.Namespace, name); ok {
		return s.DeepCopy(), nil
	}
	return nil, apierrors.NewNotFound(secretsResource, name)
}

// List answers the held Secrets matching the label selector (a field selector is refused).
func (r Reader) List(_ context.Context, opts metav1.ListOptions) (*corev1.SecretList, error) {
	if opts.FieldSelector != "" {
		return nil, fmt.Errorf("release cache: field selectors are not served")
	}
	sel, err := labels.Parse(opts.LabelSelector)
	if err != nil {
		return nil, err
	}
	list := &corev1.SecretList{}
	for _, s := range r.Index.List(r.Namespace, sel) {
		list.Items = append(list.Items, *s.DeepCopy())
	}
	return list, nil
}

func (Reader) Create(context.Context, *corev1.Secret, metav1.CreateOptions) (*corev1.Secret, error) {
	return nil, errReadOnly
}

func (Reader) Update(context.Context, *corev1.Secret, metav1.UpdateOptions) (*corev1.Secret, error) {
	return nil, errReadOnly
}

func (Reader) Delete(context.Context, string, metav1.DeleteOptions) error { return errReadOnly }

func (Reader) DeleteCollection(context.Context, metav1.DeleteOptions, metav1.ListOptions) error {
	return errReadOnly
}

func (Reader) Watch(context.Context, metav1.ListOptions) (watch.Interface, error) {
	return nil, errReadOnly
}

func (Reader) Patch(context.Context, string, types.PatchType, []byte, metav1.PatchOptions, ...string) (*corev1.Secret, error) {
	return nil, errReadOnly
}

func (Reader) Apply(context.Context, *applycorev1.SecretApplyConfiguration, metav1.ApplyOptions) (*corev1.Secret, error) {
	return nil, errReadOnly
}

// WriteThrough is the API server's SecretInterface of one namespace whose
// writes also put their answers into the index, so that what the engine has
// just written is read back at once; reads go to the API server.
type WriteThrough struct {
	typedcorev1.SecretInterface
	Index     *Index
	Namespace string
}

// Create creates the Secret and holds the API server's answer.
func (w WriteThrough) Create(ctx context.Context, s *corev1.Secret, opts metav1.CreateOptions) (*corev1.Secret, error) {
	out, err := w.SecretInterface.Create(ctx, s, opts)
	if err == nil && opts.DryRun == nil {
		w.put(out)
	}
	return out, err
}

// Update replaces the Secret and holds the API server's answer.
func (w WriteThrough) Update(ctx context.Context, s *corev1.Secret, opts metav1.UpdateOptions) (*corev1.Secret, error) {
	out, err := w.SecretInterface.Update(ctx, s, opts)
	if err == nil && opts.DryRun == nil {
		w.put(out)
	}
	return out, err
}

// Delete deletes the Secret and drops it from the index.
func (w WriteThrough) Delete(ctx context.Context, name string, opts metav1.DeleteOptions) error {
	err := w.SecretInterface.Delete(ctx, name, opts)
	if (err == nil || apierrors.IsNotFound(err)) && opts.DryRun == nil {
		w.Index.Deleted(w.Namespace, name)
	}
	return err
}

func (w WriteThrough) put(s *corev1.Secret) {
	if s == nil {
		return
	}
	s = s.DeepCopy()
	s.ManagedFields = nil
	w.Index.Put(s)
}
