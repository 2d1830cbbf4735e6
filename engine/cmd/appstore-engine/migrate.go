package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/client-go/kubernetes"

	"appstore.local/engine/internal/migrate"
)

const migrateUsage = `usage: appstore-engine migrate [flags] [release ...]

Moves releases from Tiller v2's storage (Secrets and ConfigMaps labelled
OWNER=TILLER in Tiller's namespace) to Helm's (Secrets
sh.helm.release.v1.<name>.v<N>, owner=helm, in each release's namespace),
whole history included. Without release names: every release Tiller holds.
The releases' objects are not touched. Exit status 1 when a release is in
conflict or failed (the others are migrated), 2 on bad flags.

`

type migrateOptions struct {
	kubeconfig      string
	tillerNamespace string
	dryRun          bool
	deleteTiller    bool
	output          string
	releases        []string
}

func parseMigrateFlags(args []string, stderr io.Writer) (migrateOptions, error) {
	var o migrateOptions
	fs := flag.NewFlagSet("appstore-engine migrate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, migrateUsage)
		fs.PrintDefaults()
	}
	fs.StringVar(&o.kubeconfig, "kubeconfig", os.Getenv("KUBECONFIG"), "kubeconfig file; empty: the in-cluster configuration")
	fs.StringVar(&o.tillerNamespace, "tiller-namespace", "kube-system", "Tiller's namespace (its TILLER_NAMESPACE), where its releases are stored")
	fs.BoolVar(&o.dryRun, "dry-run", false, "list what would be written and deleted; write nothing")
	fs.BoolVar(&o.deleteTiller, "delete-tiller-releases", false, "delete Tiller's stored revisions of each release once Helm's storage holds its whole history (default: keep them)")
	fs.StringVar(&o.output, "output", "text", "report format: text or json")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if o.output != "text" && o.output != "json" {
		return o, fmt.Errorf("-output %q: text or json", o.output)
	}
	if o.tillerNamespace == "" {
		return o, errors.New("-tiller-namespace must not be empty")
	}
	o.releases = fs.Args()
	return o, nil
}

// runMigrate is `appstore-engine migrate`: it returns the exit status.
func runMigrate(args []string, stdout, stderr io.Writer) int {
	o, err := parseMigrateFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "appstore-engine migrate:", err)
		return 2
	}
	flags := genericclioptions.NewConfigFlags(false)
	flags.KubeConfig = &o.kubeconfig
	restConfig, err := flags.ToRESTConfig()
	if err != nil {
		fmt.Fprintln(stderr, "appstore-engine migrate: kubernetes configuration:", err)
		return 1
	}
	client, err := kubernetes.NewForConfig(restConfig)
	if err != nil {
		fmt.Fprintln(stderr, "appstore-engine migrate:", err)
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	plans, err := migrate.New(client.CoreV1(), o.tillerNamespace).Run(ctx, o.releases, o.dryRun, o.deleteTiller)
	if err != nil {
		fmt.Fprintln(stderr, "appstore-engine migrate:", err)
		return 1
	}
	if o.output == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(map[string]any{"dryRun": o.dryRun, "deleteTillerReleases": o.deleteTiller, "releases": plans})
	} else {
		migrate.WriteReport(stdout, plans, o.dryRun, o.deleteTiller)
	}
	for _, p := range plans {
		if p.State == migrate.StateConflict || p.State == migrate.StateFailed {
			return 1
		}
	}
	return 0
}
