package migrate

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"sort"
	"strconv"

	"google.golang.org/protobuf/proto"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	corev1client "k8s.io/client-go/kubernetes/typed/core/v1"

	hapirelease "appstore.local/engine/gen/hapi/release"
)

// Tiller's storage labels and data key (pkg/storage/driver of Helm v2).
const (
	tillerOwnerSelector = "OWNER=TILLER"
	tillerNameLabel     = "NAME"
	tillerVersionLabel  = "VERSION"
	tillerReleaseKey    = "release"
)

// TillerObject is one revision as Tiller stored it.
type TillerObject struct {
	// Kind is Secret or ConfigMap (Tiller's --storage).
	Kind string `json:"kind"`
	// Name is the object's name, <release>.v<revision>.
	Name     string `json:"name"`
	Revision int    `json:"revision"`
	release  *hapirelease.Release
	err      error
}

// maxDecodedBytes bounds a decompressed release (Tiller's own cap on a
// stored release is the object's 1 MiB; charts compress well).
const maxDecodedBytes = 64 << 20

// DecodeTillerRelease reads the value Tiller stores under "release":
// base64 of (usually gzip of) a hapi.release.Release protobuf.
func DecodeTillerRelease(data []byte) (*hapirelease.Release, error) {
	b, err := base64.StdEncoding.DecodeString(string(data))
	if err != nil {
		return nil, fmt.Errorf("not base64: %w", err)
	}
	if len(b) > 3 && bytes.Equal(b[:3], []byte{0x1f, 0x8b, 0x08}) {
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			return nil, fmt.Errorf("not gzip: %w", err)
		}
		defer func() { _ = zr.Close() }()
		if b, err = io.ReadAll(io.LimitReader(zr, maxDecodedBytes+1)); err != nil {
			return nil, fmt.Errorf("not gzip: %w", err)
		}
		if len(b) > maxDecodedBytes {
			return nil, fmt.Errorf("more than %d bytes once decompressed", maxDecodedBytes)
		}
	}
	var r hapirelease.Release
	if err := proto.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("not a hapi.release.Release: %w", err)
	}
	return &r, nil
}

// EncodeTillerRelease writes a release as Tiller stores it (tests, and
// nothing else: the migration never writes Tiller's storage).
func EncodeTillerRelease(r *hapirelease.Release) ([]byte, error) {
	b, err := proto.Marshal(r)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if _, err := zw.Write(b); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return []byte(base64.StdEncoding.EncodeToString(buf.Bytes())), nil
}

// TillerReleases are a Tiller's stored revisions by release name.
type TillerReleases map[string][]TillerObject

// ReadTiller lists Tiller's Secrets and ConfigMaps (OWNER=TILLER) in its
// namespace, of the named releases only when names are given, and decodes
// them. An object that does not decode is kept with its error, so that its
// release is reported and left alone rather than migrated without it.
func ReadTiller(ctx context.Context, core corev1client.CoreV1Interface, namespace string, names []string) (TillerReleases, error) {
	wanted := map[string]bool{}
	for _, n := range names {
		wanted[n] = true
	}
	out := TillerReleases{}
	add := func(kind, name string, labels map[string]string, data []byte) {
		rel := labels[tillerNameLabel]
		if len(wanted) > 0 && !wanted[rel] {
			return
		}
		o := TillerObject{Kind: kind, Name: name}
		o.Revision, o.err = strconv.Atoi(labels[tillerVersionLabel])
		if o.err == nil {
			o.release, o.err = DecodeTillerRelease(data)
		}
		if o.err == nil && (o.release.GetName() != rel || int(o.release.GetVersion()) != o.Revision) {
			o.err = fmt.Errorf("holds release %q revision %d, its labels say %q revision %d", o.release.GetName(), o.release.GetVersion(), rel, o.Revision)
		}
		if o.err != nil {
			o.err = fmt.Errorf("Tiller's %s %s/%s: %w", kind, namespace, name, o.err)
		}
		out[rel] = append(out[rel], o)
	}
	opts := metav1.ListOptions{LabelSelector: tillerOwnerSelector}
	secrets, err := core.Secrets(namespace).List(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf("listing Tiller's Secrets in %s: %w", namespace, err)
	}
	for _, s := range secrets.Items {
		add("Secret", s.Name, s.Labels, s.Data[tillerReleaseKey])
	}
	maps, err := core.ConfigMaps(namespace).List(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf("listing Tiller's ConfigMaps in %s: %w", namespace, err)
	}
	for _, m := range maps.Items {
		add("ConfigMap", m.Name, m.Labels, []byte(m.Data[tillerReleaseKey]))
	}
	for _, objs := range out {
		sort.Slice(objs, func(i, j int) bool { return objs[i].Revision < objs[j].Revision })
	}
	return out, nil
}
