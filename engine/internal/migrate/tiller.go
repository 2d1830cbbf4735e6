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
	"k8s.io/apimachinery/pkg/labels"
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

// pageSize bounds one list call: Tiller's objects carry whole releases (up
// to 1 MiB each), so names are collected a page at a time and each release
// is then read on its own.
const pageSize = 100

// TillerNames lists the names of the releases Tiller holds (label NAME of
// its Secrets and ConfigMaps with OWNER=TILLER), sorted.
func TillerNames(ctx context.Context, core corev1client.CoreV1Interface, namespace string) ([]string, error) {
	seen := map[string]bool{}
	opts := metav1.ListOptions{LabelSelector: tillerOwnerSelector, Limit: pageSize}
	for {
		page, err := core.Secrets(namespace).List(ctx, opts)
		if err != nil {
			return nil, fmt.Errorf("listing Tiller's Secrets in %s: %w", namespace, err)
		}
		for _, s := range page.Items {
			seen[s.Labels[tillerNameLabel]] = true
		}
		if opts.Continue = page.Continue; opts.Continue == "" {
			break
		}
	}
	opts.Continue = ""
	for {
		page, err := core.ConfigMaps(namespace).List(ctx, opts)
		if err != nil {
			return nil, fmt.Errorf("listing Tiller's ConfigMaps in %s: %w", namespace, err)
		}
		for _, m := range page.Items {
			seen[m.Labels[tillerNameLabel]] = true
		}
		if opts.Continue = page.Continue; opts.Continue == "" {
			break
		}
	}
	names := make([]string, 0, len(seen))
	for n := range seen {
		names = append(names, n)
	}
	sort.Strings(names)
	return names, nil
}

// ReadTillerRelease reads and decodes the stored revisions of one release,
// oldest first. An object that does not decode is kept with its error, so
// that the release is reported and left alone rather than migrated without
// it.
func ReadTillerRelease(ctx context.Context, core corev1client.CoreV1Interface, namespace, name string) ([]TillerObject, error) {
	var out []TillerObject
	add := func(kind, object string, lbls map[string]string, data []byte) {
		o := TillerObject{Kind: kind, Name: object}
		o.Revision, o.err = strconv.Atoi(lbls[tillerVersionLabel])
		if o.err == nil {
			o.release, o.err = DecodeTillerRelease(data)
		}
		if o.err == nil && (o.release.GetName() != name || int(o.release.GetVersion()) != o.Revision) {
			o.err = fmt.Errorf("holds release %q revision %d, its labels say %q revision %d", o.release.GetName(), o.release.GetVersion(), name, o.Revision)
		}
		if o.err != nil {
			o.err = fmt.Errorf("Tiller's %s %s/%s: %w", kind, namespace, object, o.err)
		}
		out = append(out, o)
	}
	opts := metav1.ListOptions{LabelSelector: labels.Set{"OWNER": "TILLER", tillerNameLabel: name}.String()}
	secrets, err := core.Secrets(namespace).List(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf("reading Tiller's Secrets of %q in %s: %w", name, namespace, err)
	}
	for _, s := range secrets.Items {
		add("Secret", s.Name, s.Labels, s.Data[tillerReleaseKey])
	}
	maps, err := core.ConfigMaps(namespace).List(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf("reading Tiller's ConfigMaps of %q in %s: %w", name, namespace, err)
	}
	for _, m := range maps.Items {
		add("ConfigMap", m.Name, m.Labels, []byte(m.Data[tillerReleaseKey]))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Revision < out[j].Revision })
	return out, nil
}
