package releasecache

import (
	"context"
	"errors"
	"io"
	"k8s.io/apimachinery/pkg/watch"
	"log/slog"
	"testing"
	"time"

	rcommon "helm.sh/helm/v4/pkg/release/common"
	release "helm.sh/helm/v4/pkg/release/v1"
	"helm.sh/helm/v4/pkg/storage"
	"helm.sh/helm/v4/pkg/storage/driver"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func rel(name, ns string, version int, status rcommon.Status) *release.Release {
	return &release.Release{Name: name, Namespace: ns, Version: version, Manifest: "kind: ConfigMap", Info: &release.Info{Status: status}}
}

// api is Helm's storage over the fake API server, as the engine writes releases.
func api(cs *fake.Clientset, ns string) *storage.Storage {
	return storage.Init(driver.NewSecrets(cs.CoreV1().Secrets(ns)))
}

func started(t *testing.T, cs *fake.Clientset) *Cache {
	t.Helper()
	c := New(cs, 0, quiet)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	if c.Ready() {
		t.Fatal("ready before its first list")
	}
	go c.Run(ctx)
	if !c.WaitForSync(ctx, 10*time.Second) || !c.Ready() {
		t.Fatal("the cache did not sync")
	}
	return c
}

func eventually(t *testing.T, what string, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if ok() {
			return
		}
	}
	t.Fatalf("never: %s", what)
}

func secretLists(cs *fake.Clientset) int {
	n := 0
	for _, a := range cs.Actions() {
		if a.GetVerb() == "list" && a.GetResource().Resource == "secrets" {
			n++
		}
	}
	return n
}

func TestReadsThroughHelmsDriverAnswerFromTheCacheWithoutListing(t *testing.T) {
	cs := fake.NewClientset()
	store := api(cs, "team-a")
	for _, r := range []*release.Release{rel("web", "team-a", 1, rcommon.StatusSuperseded), rel("web", "team-a", 2, rcommon.StatusDeployed)} {
		if err := store.Create(r); err != nil {
			t.Fatal(err)
		}
	}
	c := started(t, cs)
	lists := secretLists(cs)
	cached := storage.Init(driver.NewSecrets(Reader{Index: c.Index, Namespace: "team-a"}))
	last, err := cached.Last("web")
	if err != nil {
		t.Fatal(err)
	}
	if r := last.(*release.Release); r.Version != 2 || r.Info.Status != rcommon.StatusDeployed || r.Manifest != "kind: ConfigMap" {
		t.Errorf("last = %+v", r)
	}
	history, err := cached.History("web")
	if err != nil || len(history) != 2 {
		t.Fatalf("history = %v, %v", history, err)
	}
	if _, err := cached.Get("web", 1); err != nil {
		t.Errorf("revision 1: %v", err)
	}
	if _, err := cached.Get("web", 3); err == nil {
		t.Error("revision 3 was found")
	}
	if _, err := storage.Init(driver.NewSecrets(Reader{Index: c.Index, Namespace: "team-b"})).Last("web"); err == nil {
		t.Error("found in another namespace")
	}
	if n := secretLists(cs) - lists; n != 0 {
		t.Errorf("%d lists of Secrets during cached reads", n)
	}
	if err := cached.Create(rel("web", "team-a", 3, rcommon.StatusDeployed)); err == nil {
		t.Error("the cache's reader accepted a write")
	}
}

func TestSettledOnlyWhenTheNewestRevisionIsHeldKnownAndFinal(t *testing.T) {
	cs := fake.NewClientset()
	store := api(cs, "team-a")
	_ = store.Create(rel("web", "team-a", 1, rcommon.StatusDeployed))
	c := started(t, cs)

	if ns, ok := c.Settled("web", 0); !ok || ns != "team-a" {
		t.Errorf("Settled(web) = %q, %v", ns, ok)
	}
	if _, ok := c.Settled("web", 2); ok {
		t.Error("settled while the caller knows of a revision the cache lacks")
	}
	if _, ok := c.Settled("db", 0); ok {
		t.Error("settled for a release the cache does not hold")
	}
	if ns, ok := c.Holds("web", 1); !ok || ns != "team-a" {
		t.Errorf("Holds(web, 1) = %q, %v", ns, ok)
	}
	if _, ok := c.Holds("web", 2); ok {
		t.Error("holds a revision never written")
	}

	// An upgrade in flight: its newest revision pending, then final; the watch brings both.
	up := rel("web", "team-a", 2, rcommon.StatusPendingUpgrade)
	_ = store.Create(up)
	eventually(t, "the pending revision in the cache", func() bool { return len(c.Index.Revisions("web")) == 2 })
	if _, ok := c.Settled("web", 2); ok {
		t.Error("settled on a pending newest revision")
	}
	up.Info.Status = rcommon.StatusDeployed
	_ = store.Update(up)
	eventually(t, "the upgrade's last write in the cache", func() bool { _, ok := c.Settled("web", 2); return ok })

	// The same name in a second namespace (the Helm CLI can): ambiguous, left to the API server's answer.
	_ = api(cs, "team-b").Create(rel("web", "team-b", 1, rcommon.StatusDeployed))
	eventually(t, "the second namespace in the cache", func() bool { return len(c.Index.Revisions("web")) == 3 })
	if _, ok := c.Settled("web", 0); ok {
		t.Error("settled for a name two namespaces hold")
	}
}

func TestTheEnginesOwnWritesAreReadBackBeforeTheWatchHasThem(t *testing.T) {
	cs := fake.NewClientset()
	// No watch events at all: what the index holds comes from the writes' answers alone.
	cs.PrependWatchReactor("secrets", func(k8stesting.Action) (bool, watch.Interface, error) { return true, nil, errNoWatch })
	index := NewIndex()
	store := storage.Init(driver.NewSecrets(WriteThrough{SecretInterface: cs.CoreV1().Secrets("team-a"), Index: index, Namespace: "team-a"}))
	first := rel("web", "team-a", 1, rcommon.StatusPendingInstall)
	if err := store.Create(first); err != nil {
		t.Fatal(err)
	}
	first.Info.Status = rcommon.StatusDeployed
	if err := store.Update(first); err != nil {
		t.Fatal(err)
	}
	if got := index.Revisions("web"); len(got) != 1 || got[0].Status != "deployed" {
		t.Fatalf("revisions = %+v", got)
	}
	if _, err := store.Delete("web", 1); err != nil {
		t.Fatal(err)
	}
	if got := index.Revisions("web"); len(got) != 0 {
		t.Fatalf("a deleted revision is still held: %+v", got)
	}
}

var errNoWatch = errors.New("no watch in this test")
