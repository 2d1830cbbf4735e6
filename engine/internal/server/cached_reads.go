package server

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"google.golang.org/grpc/metadata"
	"helm.sh/helm/v4/pkg/action"
	"helm.sh/helm/v4/pkg/storage/driver"

	"appstore.local/engine/internal/convert"
)

// MinRevisionKey is the gRPC metadata key by which a reader says which
// revision of the release it knows exists (the store: the revision its
// record of the release holds), on GetReleaseContent, GetReleaseStatus and
// GetHistory. A release cache whose newest revision of the release is older
// is not read; the API server is. Tiller ignores it.
const MinRevisionKey = "x-appstore-min-revision"

// ReleaseCache says when the release cache (internal/releasecache) may
// answer reads of a release, and from which namespace.
type ReleaseCache interface {
	// Settled: the newest revision and the history (see releasecache.Cache.Settled).
	Settled(name string, atLeast int) (string, bool)
	// Holds: one revision.
	Holds(name string, revision int) (string, bool)
}

// minRevision reads MinRevisionKey: 0 when absent; a value that is not one
// positive integer is refused rather than guessed.
func minRevision(ctx context.Context) (int, error) {
	md, _ := metadata.FromIncomingContext(ctx)
	values := md.Get(MinRevisionKey)
	switch len(values) {
	case 0:
		return 0, nil
	case 1:
	default:
		return 0, &convert.InputError{Message: fmt.Sprintf("metadata %s given %d times", MinRevisionKey, len(values))}
	}
	n, err := strconv.Atoi(values[0])
	if err != nil || n < 1 {
		return 0, &convert.InputError{Message: fmt.Sprintf("metadata %s must be a revision (a positive integer), not %q", MinRevisionKey, values[0])}
	}
	return n, nil
}

// reading runs a read of the named release (version 0: the newest and the
// history) on the cache's configuration when the cache may answer for it,
// and otherwise, or when the cache turns out not to hold what was read, on
// the namespace's configuration found as every call finds it (a list of the
// API server).
func (s *Server) reading(ctx context.Context, name string, version int, read func(cfg *action.Configuration) error) error {
	if err := validName(name); err != nil {
		return err
	}
	atLeast, err := minRevision(ctx)
	if err != nil {
		return err
	}
	if c := s.opts.Cache; c != nil {
		ns, ok := c.Settled(name, atLeast)
		if version > 0 {
			ns, ok = c.Holds(name, version)
		}
		if ok {
			cfg, err := s.configs.Cached(ns)
			if err != nil {
				return err
			}
			err = read(cfg)
			if !errors.Is(err, driver.ErrReleaseNotFound) {
				return err
			}
		}
		s.log.Debug("release read from the API server", "release", name, "version", version, "atLeast", atLeast)
	}
	cfg, _, err := s.located(ctx, name)
	if err != nil {
		return err
	}
	return read(cfg)
}
